//! Decoded frames handed from GStreamer's streaming thread to the renderer.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// One decoded video frame, tightly packed RGBA (no row padding).
#[derive(Debug)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
    /// 0 for the first frame of the clip (the preroll frame), then counting.
    pub number: u64,
}

/// The newest frame, "latest wins": the streaming thread replaces it, the
/// renderer takes it. A slow renderer drops frames instead of queueing them.
#[derive(Debug, Default)]
pub struct FrameSlot {
    frame: Mutex<Option<Frame>>,
    delivered: AtomicU64,
}

impl FrameSlot {
    pub fn put(&self, frame: Frame) {
        self.delivered.fetch_add(1, Ordering::Relaxed);
        *self.frame.lock().unwrap_or_else(|e| e.into_inner()) = Some(frame);
    }

    pub fn take(&self) -> Option<Frame> {
        self.frame.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// How many frames the decoder has delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

/// Copies `rows` rows of `row_bytes` each out of a plane whose rows are
/// `stride` bytes apart (stride >= row_bytes: decoders pad rows), into a
/// tightly packed buffer.
pub fn pack_rows(plane: &[u8], stride: usize, row_bytes: usize, rows: usize) -> Option<Vec<u8>> {
    if stride < row_bytes || rows == 0 {
        return None;
    }
    let needed = stride * (rows - 1) + row_bytes;
    if plane.len() < needed {
        return None;
    }
    if stride == row_bytes {
        return Some(plane[..row_bytes * rows].to_vec());
    }
    let mut out = Vec::with_capacity(row_bytes * rows);
    for row in plane.chunks(stride).take(rows) {
        out.extend_from_slice(&row[..row_bytes]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_rows_are_packed() {
        // 3 pixels wide RGBA = 12 bytes a row, padded to a 16-byte stride.
        let mut plane = Vec::new();
        for row in 0..2u8 {
            plane.extend((0..12).map(|i| row * 100 + i));
            plane.extend([0xEE; 4]);
        }
        let packed = pack_rows(&plane, 16, 12, 2).unwrap();
        assert_eq!(packed.len(), 24);
        assert_eq!(&packed[..12], &(0..12).collect::<Vec<u8>>()[..]);
        assert_eq!(&packed[12..], &(100..112).collect::<Vec<u8>>()[..]);
        assert!(!packed.contains(&0xEE), "padding never reaches the texture");
    }

    #[test]
    fn last_row_may_lack_padding() {
        // Some decoders end the buffer right after the last row's pixels.
        let plane: Vec<u8> = (0..(16 + 12)).map(|i| i as u8).collect();
        let packed = pack_rows(&plane, 16, 12, 2).unwrap();
        assert_eq!(&packed[12..], &plane[16..28]);
    }

    #[test]
    fn unpadded_plane_is_copied_as_is() {
        let plane: Vec<u8> = (0..48).collect();
        assert_eq!(pack_rows(&plane, 12, 12, 4).unwrap(), plane);
    }

    #[test]
    fn short_or_inconsistent_planes_are_refused() {
        assert!(pack_rows(&[0; 20], 16, 12, 2).is_none());
        assert!(pack_rows(&[0; 64], 8, 12, 2).is_none());
        assert!(pack_rows(&[0; 64], 16, 12, 0).is_none());
    }

    #[test]
    fn slot_keeps_only_the_latest_frame() {
        let slot = FrameSlot::default();
        for number in 0..3 {
            slot.put(Frame {
                width: 1,
                height: 1,
                data: vec![0; 4],
                number,
            });
        }
        assert_eq!(slot.take().unwrap().number, 2);
        assert!(slot.take().is_none());
        assert_eq!(slot.delivered(), 3);
    }
}
