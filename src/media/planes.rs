//! The planes of decoded frames as the renderer needs them: their layout,
//! colour matrix and bounds, and the latest-wins slot frames pass through
//! from GStreamer's streaming thread (the `Frame` itself is in `video.rs`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a frame's planes are laid out, as the decoder delivered them (names
/// as GStreamer's). The `10le` forms hold each sample in 16 bits, little
/// endian: the value in the low 10 bits, or in the high 10 for P010.
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
    /// I420 at 10 bits (software HEVC Main10 and H.264 High 10 decoders).
    I42010le,
    /// Y42B at 10 bits.
    I42210le,
    /// Y444 at 10 bits.
    Y44410le,
    /// NV12 at 10 bits, each value in a sample's high bits (VA-API's HEVC
    /// Main10).
    P01010le,
}

impl PixelLayout {
    /// Each plane's width, height and samples per pixel (2 for interleaved
    /// UV) in a frame of `width` × `height`, in order (Y, U, V or Y, UV).
    pub fn plane_shapes(self, width: u32, height: u32) -> Vec<(u32, u32, u32)> {
        let (half_width, half_height) = (width.div_ceil(2), height.div_ceil(2));
        let three = |chroma_width, chroma_height| {
            vec![
                (width, height, 1),
                (chroma_width, chroma_height, 1),
                (chroma_width, chroma_height, 1),
            ]
        };
        match self {
            Self::I420 | Self::I42010le => three(half_width, half_height),
            Self::Y42b | Self::I42210le => three(half_width, height),
            Self::Y444 | Self::Y44410le => three(width, height),
            Self::Nv12 | Self::P01010le => vec![(width, height, 1), (half_width, half_height, 2)],
        }
    }

    /// Y and one interleaved UV plane, rather than Y, U and V.
    pub fn semi_planar(self) -> bool {
        matches!(self, Self::Nv12 | Self::P01010le)
    }

    /// Bytes a sample takes: 1, or 2 for the 10-bit forms.
    pub fn sample_bytes(self) -> u32 {
        if self.bit_depth() > 8 { 2 } else { 1 }
    }

    /// Bits of a sample that carry its value.
    pub fn bit_depth(self) -> u32 {
        match self {
            Self::I420 | Self::Y42b | Self::Y444 | Self::Nv12 => 8,
            Self::I42010le | Self::I42210le | Self::Y44410le | Self::P01010le => 10,
        }
    }

    /// What a sample read by the GPU (0..1 of its storage: 8 or 16 bits) is
    /// multiplied by to give 0..1 of its bit depth.
    pub fn sample_scale(self) -> f32 {
        match self {
            // 1023 in 16 bits reads as 1023 / 65535.
            Self::I42010le | Self::I42210le | Self::Y44410le => 65535.0 / 1023.0,
            // 1023 << 6 reads as 65472 / 65535.
            Self::P01010le => 65535.0 / 65472.0,
            _ => 1.0,
        }
    }
}

/// How a stream's R'G'B' turns into light (its transfer function).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Transfer {
    /// Standard dynamic range (BT.709, BT.601, sRGB): shown as sRGB.
    #[default]
    Sdr,
    /// Hybrid log-gamma (ARIB STD-B67, BT.2100): phones' HDR.
    Hlg,
    /// Perceptual quantiser (SMPTE ST 2084, BT.2100).
    Pq,
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
    pub transfer: Transfer,
    /// BT.2020 primaries, mapped to the panel's BT.709 ones when shown.
    pub wide_gamut: bool,
}

impl Colour {
    pub const BT601: Colour = Colour {
        kr: 0.299,
        kb: 0.114,
        full_range: false,
        transfer: Transfer::Sdr,
        wide_gamut: false,
    };
    pub const BT709: Colour = Colour {
        kr: 0.2126,
        kb: 0.0722,
        ..Self::BT601
    };
    pub const BT2020: Colour = Colour {
        kr: 0.2627,
        kb: 0.0593,
        ..Self::BT601
    };

    /// The rows of the matrix taking (Y, U, V, 1), each sample as the GPU
    /// reads it from a plane of `layout`, to gamma-encoded R'G'B' in 0..1.
    pub fn to_rgb_rows(&self, layout: PixelLayout) -> [[f32; 4]; 3] {
        let (kr, kb) = (self.kr, self.kb);
        let kg = 1.0 - kr - kb;
        // Limited range is 16–235 (chroma 16–240) at 8 bits, those values
        // times 4 at 10 bits; 0..1 is 0 to 2^depth - 1.
        let max = ((1u32 << layout.bit_depth()) - 1) as f32;
        let step = (1u32 << (layout.bit_depth() - 8)) as f32;
        // Scale stored samples to Y in 0..1 and U, V in -0.5..0.5.
        let (y_scale, y_offset, c_scale) = if self.full_range {
            (1.0, 0.0, 1.0)
        } else {
            (
                max / (219.0 * step),
                16.0 * step / max,
                max / (224.0 * step),
            )
        };
        let c_offset = 128.0 * step / max;
        let r_v = 2.0 * (1.0 - kr);
        let b_u = 2.0 * (1.0 - kb);
        let g_u = -b_u * kb / kg;
        let g_v = -r_v * kr / kg;
        let sample = layout.sample_scale();
        let row = |u: f32, v: f32| {
            let (u, v) = (u * c_scale, v * c_scale);
            [
                y_scale * sample,
                u * sample,
                v * sample,
                -y_scale * y_offset - (u + v) * c_offset,
            ]
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
    pub samples_per_pixel: u32,
    /// 1, or 2 for 10-bit samples.
    pub sample_bytes: u32,
    /// Bytes from one row to the next (decoders pad rows).
    pub stride: u32,
    pub data: &'a [u8],
}

impl PlaneRef<'_> {
    pub fn bytes_per_pixel(&self) -> u32 {
        self.samples_per_pixel * self.sample_bytes
    }
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
        convert_from(PixelLayout::I420, colour, yuv)
    }

    fn convert_from(layout: PixelLayout, colour: Colour, yuv: [f32; 3]) -> [f32; 3] {
        let rows = colour.to_rgb_rows(layout);
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
    fn ten_bit_samples_as_the_gpu_reads_them() {
        // Limited-range 10-bit black 64, white 940, chroma 512; stored in the
        // low bits (I420_10LE) or the high ones (P010), read as x / 65535.
        for (layout, shift) in [
            (PixelLayout::I42010le, 0),
            (PixelLayout::Y44410le, 0),
            (PixelLayout::P01010le, 6),
        ] {
            let read = |value: u32| ((value << shift) as f32) / 65535.0;
            let black = convert_from(layout, Colour::BT2020, [read(64), read(512), read(512)]);
            let white = convert_from(layout, Colour::BT2020, [read(940), read(512), read(512)]);
            assert!(black.iter().all(|c| c.abs() < 1e-4), "{layout:?} {black:?}");
            assert!(
                white.iter().all(|c| (c - 1.0).abs() < 1e-4),
                "{layout:?} {white:?}"
            );
        }
        let full = Colour {
            full_range: true,
            ..Colour::BT709
        };
        let grey = convert_from(PixelLayout::I42010le, full, [512.0 / 65535.0; 3]);
        assert!(
            grey.iter().all(|c| (c - 512.0 / 1023.0).abs() < 1e-4),
            "{grey:?}"
        );
    }

    #[test]
    fn plane_shapes_follow_the_chroma_subsampling() {
        assert_eq!(
            PixelLayout::I42010le.plane_shapes(5, 3),
            vec![(5, 3, 1), (3, 2, 1), (3, 2, 1)]
        );
        assert_eq!(
            PixelLayout::I42210le.plane_shapes(5, 3),
            vec![(5, 3, 1), (3, 3, 1), (3, 3, 1)]
        );
        assert_eq!(
            PixelLayout::P01010le.plane_shapes(5, 3),
            vec![(5, 3, 1), (3, 2, 2)]
        );
        assert_eq!(PixelLayout::P01010le.sample_bytes(), 2);
        assert_eq!(PixelLayout::Nv12.sample_bytes(), 1);
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
