//! The planes of decoded frames as the renderer needs them: their layout,
//! colour matrix and bounds, and the latest-wins slot frames pass through
//! from GStreamer's streaming thread (the `Frame` itself is in `video.rs`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a frame's planes are laid out, as the decoder delivered them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelLayout {
    /// Y, U and V planes; U and V at half width and height (4:2:0).
    I420,
    /// Y, U and V planes; U and V at half width, full height (4:2:2).
    Y42b,
    /// Y, U and V planes, all at full size (4:4:4: screen recordings, and
    /// x264's choice for RGB input).
    Y444,
    /// A Y plane and one interleaved UV plane at half width and height.
    Nv12,
}

/// The YUV → RGB conversion a stream asks for (from its colorimetry).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    /// Luma weights of red and blue: BT.601 (0.299, 0.114), BT.709
    /// (0.2126, 0.0722), BT.2020 (0.2627, 0.0593).
    pub kr: f32,
    pub kb: f32,
    /// Full range (0–255) instead of limited (16–235, chroma 16–240).
    pub full_range: bool,
}

impl Colour {
    pub const BT601: Colour = Colour {
        kr: 0.299,
        kb: 0.114,
        full_range: false,
    };
    pub const BT709: Colour = Colour {
        kr: 0.2126,
        kb: 0.0722,
        full_range: false,
    };
    pub const BT2020: Colour = Colour {
        kr: 0.2627,
        kb: 0.0593,
        full_range: false,
    };

    /// The rows of the matrix taking (Y, U, V, 1), each sample in 0..1 as
    /// stored, to gamma-encoded R'G'B' in 0..1.
    pub fn to_rgb_rows(&self) -> [[f32; 4]; 3] {
        let (kr, kb) = (self.kr, self.kb);
        let kg = 1.0 - kr - kb;
        // Scale stored samples to Y in 0..1 and U, V in -0.5..0.5.
        let (y_scale, y_offset, c_scale) = if self.full_range {
            (1.0, 0.0, 1.0)
        } else {
            (255.0 / 219.0, 16.0 / 255.0, 255.0 / 224.0)
        };
        let c_offset = 128.0 / 255.0;
        let r_v = 2.0 * (1.0 - kr);
        let b_u = 2.0 * (1.0 - kb);
        let g_u = -b_u * kb / kg;
        let g_v = -r_v * kr / kg;
        let row = |u: f32, v: f32| {
            let (u, v) = (u * c_scale, v * c_scale);
            [y_scale, u, v, -y_scale * y_offset - (u + v) * c_offset]
        };
        [row(0.0, r_v), row(g_u, g_v), row(b_u, 0.0)]
    }
}

/// One plane of a decoded frame, as the decoder left it in memory.
#[derive(Debug, Clone, Copy)]
pub struct PlaneRef<'a> {
    pub width: u32,
    pub height: u32,
    /// 1 for Y, U, V; 2 for interleaved UV.
    pub bytes_per_pixel: u32,
    /// Bytes from one row to the next (decoders pad rows).
    pub stride: u32,
    pub data: &'a [u8],
}

/// The newest frame, "latest wins": the streaming thread replaces it, the
/// renderer takes it. A slow renderer drops frames instead of queueing them.
#[derive(Debug)]
pub struct FrameSlot<T> {
    frame: Mutex<Option<T>>,
    delivered: AtomicU64,
}

impl<T> Default for FrameSlot<T> {
    fn default() -> Self {
        Self {
            frame: Mutex::new(None),
            delivered: AtomicU64::new(0),
        }
    }
}

impl<T> FrameSlot<T> {
    pub fn put(&self, frame: T) {
        self.delivered.fetch_add(1, Ordering::Relaxed);
        *self.frame.lock().unwrap_or_else(|e| e.into_inner()) = Some(frame);
    }

    pub fn take(&self) -> Option<T> {
        self.frame.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// How many frames the decoder has delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

/// Whether a plane of `len` bytes holds `rows` rows of `row_bytes` each,
/// `stride` bytes apart (the last row may end without its padding).
pub fn plane_fits(len: usize, stride: usize, row_bytes: usize, rows: usize) -> bool {
    rows > 0 && stride >= row_bytes && len >= stride * (rows - 1) + row_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_must_hold_their_rows() {
        // 3 RGBA pixels a row (12 bytes), rows 16 bytes apart.
        assert!(plane_fits(32, 16, 12, 2));
        // Some decoders end the buffer right after the last row's pixels.
        assert!(plane_fits(28, 16, 12, 2));
        assert!(!plane_fits(27, 16, 12, 2), "last row cut short");
        assert!(!plane_fits(64, 8, 12, 2), "stride shorter than a row");
        assert!(!plane_fits(64, 16, 12, 0), "no rows");
    }

    /// Converts one stored sample triple with the matrix, as the shader does.
    fn convert(colour: Colour, yuv: [f32; 3]) -> [f32; 3] {
        let rows = colour.to_rgb_rows();
        rows.map(|r| r[0] * yuv[0] + r[1] * yuv[1] + r[2] * yuv[2] + r[3])
    }

    #[test]
    fn limited_range_black_white_and_grey() {
        for colour in [Colour::BT601, Colour::BT709, Colour::BT2020] {
            let black = convert(colour, [16.0 / 255.0, 0.5019608, 0.5019608]);
            let white = convert(colour, [235.0 / 255.0, 0.5019608, 0.5019608]);
            for c in black {
                assert!(c.abs() < 1e-5, "{colour:?} black {black:?}");
            }
            for c in white {
                assert!((c - 1.0).abs() < 1e-5, "{colour:?} white {white:?}");
            }
        }
        let full = Colour {
            full_range: true,
            ..Colour::BT709
        };
        let grey = convert(full, [0.5, 128.0 / 255.0, 128.0 / 255.0]);
        assert!(grey.iter().all(|c| (c - 0.5).abs() < 1e-5), "{grey:?}");
    }

    #[test]
    fn bt709_primaries_round_trip() {
        // Limited-range BT.709 red (R'=1, G'=B'=0): Y 63, U 102, V 240.
        let red = convert(Colour::BT709, [63.0 / 255.0, 102.0 / 255.0, 240.0 / 255.0]);
        assert!((red[0] - 1.0).abs() < 0.01, "{red:?}");
        assert!(red[1].abs() < 0.01 && red[2].abs() < 0.01, "{red:?}");
        // BT.601 blue (B'=1): Y 41, U 240, V 110.
        let blue = convert(Colour::BT601, [41.0 / 255.0, 240.0 / 255.0, 110.0 / 255.0]);
        assert!((blue[2] - 1.0).abs() < 0.01, "{blue:?}");
        assert!(blue[0].abs() < 0.01 && blue[1].abs() < 0.01, "{blue:?}");
    }

    #[test]
    fn slot_keeps_only_the_latest_frame() {
        let slot = FrameSlot::<u64>::default();
        for number in 0..3 {
            slot.put(number);
        }
        assert_eq!(slot.take(), Some(2));
        assert!(slot.take().is_none());
        assert_eq!(slot.delivered(), 3);
    }
}
