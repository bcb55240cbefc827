//! Looking inside a media file, cheaply and once: the image header (never decoded) and the video probe, cached.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::SystemTime;

use imagesize::{ImageError, ImageType};

use super::cache::ProbeCache;
use super::naming::extension;
use super::{Kind, MediaInfo, Probe};

/// A file whose content the scanner needs to judge.
pub(crate) struct Subject<'a> {
    pub path: &'a Path,
    pub rel: &'a str,
    pub kind: Kind,
    pub size: u64,
    pub modified: SystemTime,
}

/// What a picture or clip may be, from the scan options and the GPU.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MediaLimits {
    pub max_image_pixels: u64,
    /// The render device's largest texture side: a clip with a wider or
    /// taller picture cannot be drawn (`None`: no GPU known, not checked).
    pub max_texture_side: Option<u32>,
}

/// The media info of an image or video (`None` for text), or why it cannot be played.
/// Cached by path, size and mtime, so an unchanged file is neither opened nor probed again.
pub(crate) fn inspect(
    subject: &Subject,
    cache: &mut ProbeCache,
    probe: &mut dyn Probe,
    limits: MediaLimits,
) -> Result<Option<MediaInfo>, String> {
    if subject.kind == Kind::Text {
        return Ok(None);
    }
    let result = match cache.get(subject.rel, subject.size, subject.modified) {
        Some(result) => result,
        None => {
            let result = match subject.kind {
                Kind::Image => read_image_header(subject.path, subject.rel),
                _ => probe.probe_video(subject.path),
            };
            cache.put(subject.rel, subject.size, subject.modified, &result);
            result
        }
    };
    let info = result?;
    // Checked after the cache so a new limit (or another GPU) applies to cached results too.
    match subject.kind {
        Kind::Image => check_pixels(&info, limits.max_image_pixels)?,
        _ => check_texture_side(&info, limits.max_texture_side)?,
    }
    Ok(Some(info))
}

/// A clip is drawn from textures its own size: one the GPU cannot hold is
/// refused here rather than failing on screen. (Pictures are scaled down
/// after decoding, so only clips are checked.)
fn check_texture_side(info: &MediaInfo, max: Option<u32>) -> Result<(), String> {
    match max {
        Some(max) if info.width > max || info.height > max => Err(format!(
            "video is {}x{}, larger than this GPU's largest texture ({max}x{max}): re-encode it at most {max} pixels wide and high",
            info.width, info.height
        )),
        _ => Ok(()),
    }
}

fn check_pixels(info: &MediaInfo, max: u64) -> Result<(), String> {
    let pixels = u64::from(info.width) * u64::from(info.height);
    if pixels == 0 {
        return Err(format!(
            "not a valid image: the header says {}x{} pixels",
            info.width, info.height
        ));
    }
    if pixels > max {
        return Err(format!(
            "image is {}x{} = {:.1} megapixels, over the limit of {:.1} (refused before decoding)",
            info.width,
            info.height,
            pixels as f64 / 1e6,
            max as f64 / 1e6
        ));
    }
    Ok(())
}

/// Width and height from the header only: the decoder never sees a file the limits refuse.
fn read_image_header(path: &Path, rel: &str) -> Result<MediaInfo, String> {
    let invalid = |why: String| format!("not a valid image: {why}");
    // A FIFO or device swapped in since the walk is refused here, without blocking.
    let file =
        crate::guard::open_regular_target(path).map_err(|e| format!("cannot be read: {e}"))?;
    let mut reader = BufReader::new(file);
    let header = reader
        .fill_buf()
        .map_err(|e| format!("cannot be read: {e}"))?;
    let found = imagesize::image_type(header).map_err(|e| invalid(describe(e)))?;
    let ext = extension(rel).map(|(_, ext)| ext).unwrap_or_default();
    let expected = match ext.as_str() {
        "png" => ImageType::Png,
        "webp" => ImageType::Webp,
        _ => ImageType::Jpeg,
    };
    if found != expected {
        let found_name = format!("{found:?}").to_uppercase();
        return Err(match found {
            ImageType::Jpeg | ImageType::Png | ImageType::Webp => invalid(format!(
                "the content is {found_name} but the name ends in .{ext}: rename it"
            )),
            _ => invalid(format!(
                "the content is {found_name}; only JPEG, PNG and WebP are shown"
            )),
        });
    }
    let size = imagesize::reader_size(reader).map_err(|e| invalid(describe(e)))?;
    let dimension = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(MediaInfo {
        duration: None,
        width: dimension(size.width),
        height: dimension(size.height),
    })
}

fn describe(err: ImageError) -> String {
    match err {
        ImageError::NotSupported => "the content is not a JPEG, PNG or WebP image".into(),
        ImageError::CorruptedImage => "the header is truncated or damaged".into(),
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the header is truncated".into()
        }
        ImageError::IoError(e) => format!("read error: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::tests::fixtures::*;

    fn check(dir: &Path, rel: &str, bytes: &[u8], kind: Kind) -> Result<Option<MediaInfo>, String> {
        let path = dir.join(rel);
        std::fs::write(&path, bytes).unwrap();
        let subject = Subject {
            path: &path,
            rel,
            kind,
            size: bytes.len() as u64,
            modified: SystemTime::UNIX_EPOCH,
        };
        let limits = MediaLimits {
            max_image_pixels: 40_000_000,
            max_texture_side: Some(16384),
        };
        inspect(
            &subject,
            &mut ProbeCache::new(None),
            &mut FakeProbe::default(),
            limits,
        )
    }

    #[test]
    fn header_gives_dimensions() {
        let dir = tempfile::tempdir().unwrap();
        let info = check(dir.path(), "a.png", &png_header(1920, 1080), Kind::Image)
            .unwrap()
            .unwrap();
        assert_eq!((info.width, info.height, info.duration), (1920, 1080, None));
        let info = check(dir.path(), "b.JPEG", &jpeg_header(1280, 720), Kind::Image)
            .unwrap()
            .unwrap();
        assert_eq!((info.width, info.height), (1280, 720));
    }

    #[test]
    fn rejects_png_named_jpg_and_truncated_jpeg() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(dir.path(), "a.jpg", &png_header(10, 10), Kind::Image).unwrap_err();
        assert!(
            err.contains("content is PNG but the name ends in .jpg"),
            "{err}"
        );
        let err = check(
            dir.path(),
            "b.jpg",
            b"\xff\xd8\xff\xe0\x00\x10JFIF",
            Kind::Image,
        )
        .unwrap_err();
        assert!(err.starts_with("not a valid image: "), "{err}");
        let err = check(
            dir.path(),
            "c.png",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00",
            Kind::Image,
        )
        .unwrap_err();
        assert!(err.contains("GIF"), "{err}");
    }

    #[test]
    fn a_clip_larger_than_the_gpu_can_hold_is_refused_naming_both_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let err = check(dir.path(), "strip.mp4", b"any", Kind::Video).unwrap_err();
        assert_eq!(
            err,
            "video is 16416x64, larger than this GPU's largest texture (16384x16384): \
             re-encode it at most 16384 pixels wide and high"
        );
        let info = check(dir.path(), "news.mp4", b"any", Kind::Video)
            .unwrap()
            .unwrap();
        assert_eq!((info.width, info.height), (1920, 1080));
    }
}
