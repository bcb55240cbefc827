//! Video frames on their way to the GPU: the main world sizes a layer's plane
//! textures and leaves the frame here; the render world writes the planes
//! from the decoder's buffer straight into the textures.

use std::sync::{Arc, Mutex};

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::{
    Extent3d, TexelCopyBufferLayout, TextureDimension, TextureFormat,
};
use bevy::render::renderer::RenderQueue;
use bevy::render::texture::GpuImage;

use crate::media::{Frame, PlaneRef};

/// A frame waiting to be written into a layer's plane textures.
pub(super) struct Upload {
    pub(super) planes: Vec<AssetId<Image>>,
    pub(super) frame: Frame,
}

/// Frames for the render world, one slot per layer (a newer frame replaces
/// one not yet written). Shared by the main and the render world.
#[derive(Resource, Clone, Default)]
pub(super) struct FrameUploads(pub(super) Arc<Mutex<[Option<Upload>; 2]>>);

/// Makes a plane's texture the plane's size and format; `true` when the
/// texture was replaced, which the material must be told about.
pub(super) fn size_plane(
    images: &mut Assets<Image>,
    handle: &Handle<Image>,
    plane: &PlaneRef,
) -> bool {
    let format = match (plane.samples_per_pixel, plane.sample_bytes) {
        (2, 2) => TextureFormat::Rg16Unorm,
        (2, _) => TextureFormat::Rg8Unorm,
        (_, 2) => TextureFormat::R16Unorm,
        _ => TextureFormat::R8Unorm,
    };
    let fits = images.get(handle).is_some_and(|image| {
        let size = image.texture_descriptor.size;
        (size.width, size.height, image.texture_descriptor.format)
            == (plane.width, plane.height, format)
    });
    if fits {
        return false;
    }
    if let Some(mut image) = images.get_mut(handle) {
        *image = Image::new_uninit(
            Extent3d {
                width: plane.width,
                height: plane.height,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            format,
            RenderAssetUsages::RENDER_WORLD,
        );
    }
    true
}

/// The render world's own frames to write: those the main world left before
/// this frame's extraction. With pipelined rendering the main world runs the
/// next frame while this one renders: a frame it puts then must wait for the
/// next extraction, or the screen would run a frame ahead of what the main
/// world (and `--frame-log`) says is shown.
#[derive(Resource, Default)]
pub(super) struct ExtractedUploads(Mutex<[Option<Upload>; 2]>);

/// Render world, at extraction: takes the frames put since the last one (a
/// newer frame replaces one not yet written).
pub(super) fn extract_uploads(uploads: Res<FrameUploads>, extracted: Res<ExtractedUploads>) {
    let mut shared = uploads.0.lock().unwrap_or_else(|e| e.into_inner());
    let mut own = extracted.0.lock().unwrap_or_else(|e| e.into_inner());
    for (slot, put) in own.iter_mut().zip(shared.iter_mut()) {
        if let Some(upload) = put.take() {
            *slot = Some(upload);
        }
    }
}

/// Render world: writes waiting frames into their plane textures, straight
/// from the decoder's buffers (rows as far apart as the decoder put them).
/// A frame whose textures are not on the GPU yet waits for the next frame.
pub(super) fn write_frames(
    uploads: Res<ExtractedUploads>,
    textures: Res<RenderAssets<GpuImage>>,
    queue: Res<RenderQueue>,
) {
    let mut waiting = uploads.0.lock().unwrap_or_else(|e| e.into_inner());
    for slot in waiting.iter_mut() {
        let Some(upload) = slot else {
            continue;
        };
        let planes = upload.frame.planes();
        let targets: Option<Vec<&GpuImage>> =
            upload.planes.iter().map(|id| textures.get(*id)).collect();
        let Some(targets) = targets else {
            continue;
        };
        let sized = planes.iter().zip(&targets).all(|(plane, target)| {
            let size = target.texture_descriptor.size;
            (size.width, size.height) == (plane.width, plane.height)
        });
        if sized {
            for (plane, target) in planes.iter().zip(&targets) {
                queue.write_texture(
                    target.texture.as_image_copy(),
                    plane.data,
                    TexelCopyBufferLayout {
                        offset: 0,
                        bytes_per_row: Some(plane.stride),
                        rows_per_image: Some(plane.height),
                    },
                    target.texture_descriptor.size,
                );
            }
            *slot = None;
        }
    }
}
