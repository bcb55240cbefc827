//! Still pictures: decoded off the main thread (a `Job` started by
//! playback), bounded in size, handed to the stage as one GPU texture.

use std::io::Read;
use std::path::Path;

use bevy::asset::RenderAssetUsages;
use bevy::image::Image;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

/// The largest side a picture is drawn with: bigger pictures are scaled down
/// after decoding (a GPU texture cannot be arbitrarily large, and a screen is
/// at most 4K).
pub const MAX_SIDE: u32 = 4096;

/// Decodes a picture file into an sRGB RGBA texture, refusing decompression
/// bombs and scaling down pictures larger than [`MAX_SIDE`].
pub fn decode_picture(path: &Path) -> Result<Image, String> {
    // Opened like every folder file: a FIFO swapped in since the scan is
    // refused here instead of blocking the decoder thread.
    let file = crate::guard::open_regular_target(path).map_err(|e| e.to_string())?;
    decode_file(file)
}

/// A text slide's background picture, with the bytes it was decoded from
/// (for the shown-content store): refused over `max_bytes` (the size of the
/// file opened, so one grown since the scan is not read), else decoded as
/// any picture.
pub fn decode_background(path: &Path, max_bytes: u64) -> Result<(Image, Vec<u8>), String> {
    let file = crate::guard::open_regular_target(path).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > max_bytes {
        return Err(format!(
            "{size} bytes, larger than {max_bytes}: save it smaller"
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!("grew past {max_bytes} bytes while being read"));
    }
    let image = decode_from(std::io::Cursor::new(&bytes))?;
    Ok((image, bytes))
}

fn decode_file(file: std::fs::File) -> Result<Image, String> {
    decode_from(std::io::BufReader::new(file))
}

/// Lays a picture with transparent parts on the black of the screen, so
/// that it looks the same drawn by the stage's shader and copied into the
/// frame, and a transparent pixel never shows the colour its maker left
/// under it.
fn on_black(rgba: &mut image::RgbaImage) {
    for pixel in rgba.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        let cover = |channel: u8| ((u16::from(channel) * u16::from(a) + 127) / 255) as u8;
        pixel.0 = [cover(r), cover(g), cover(b), u8::MAX];
    }
}

fn decode_from(source: impl std::io::BufRead + std::io::Seek) -> Result<Image, String> {
    let mut reader = image::ImageReader::new(source)
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut picture = reader
        .decode()
        .map_err(|e| format!("cannot decode picture: {e}"))?;
    if picture.width() > MAX_SIDE || picture.height() > MAX_SIDE {
        picture = picture.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle);
    }
    let has_alpha = picture.color().has_alpha();
    let mut rgba = picture.to_rgba8();
    if has_alpha {
        on_black(&mut rgba);
    }
    let (width, height) = rgba.dimensions();
    Ok(Image::new(
        Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        rgba.into_raw(),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transparent_part_is_laid_on_black() {
        let mut picture = image::RgbaImage::from_vec(
            3,
            1,
            vec![255, 255, 255, 0, 200, 100, 50, 128, 10, 20, 30, 255],
        )
        .unwrap();
        on_black(&mut picture);
        assert_eq!(
            picture.into_raw(),
            vec![0, 0, 0, 255, 100, 50, 25, 255, 10, 20, 30, 255]
        );
    }
}
