//! A picture of the screen's own size, alone and opaque on the stage, is
//! copied into the frame, not drawn: a software renderer (llvmpipe) spends
//! about 20 ms of a core drawing a 1080p rectangle, and a few hundred
//! microseconds copying its texture. The layer stays `Visible` (what the
//! frame log and the service status read); only the camera stops seeing it
//! (another render layer) while its picture is copied, and the frame is not
//! cleared under it.
//!
//! For the same reason a text slide, which covers the whole screen above
//! the stage, has its background colour drawn by the camera's clear (a
//! pass the frame makes anyway), and the stage under it is not drawn.
use bevy::camera::visibility::RenderLayers;
use bevy::camera::{CameraMainTextureUsages, CameraOutputMode, ClearColorConfig};
use bevy::core_pipeline::{Core2d, Core2dSystems};
use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::{
    Extent3d, LoadOp, Operations, RenderPassColorAttachment, RenderPassDescriptor, StoreOp,
    TextureUsages,
};
use bevy::render::renderer::{RenderContext, ViewQuery};
use bevy::render::texture::GpuImage;
use bevy::render::view::ViewTarget;

use super::material::StageMaterial;
use super::{Layers, Stage};

/// The render layer of a stage layer the camera does not draw, its picture
/// copied or the screen covered (the camera sees layer 0 only).
const UNSEEN: usize = 1;

/// The colour of what covers the whole screen above the stage (a text
/// slide), if anything does: the frame is cleared to it.
#[derive(Resource, Clone, Copy, Default, PartialEq)]
pub struct ScreenCover(pub Option<Color>);

/// The picture copied into this frame in place of drawing the front layer.
#[derive(Resource, Clone, Default, PartialEq, ExtractResource)]
pub(super) struct ScreenCopy(Option<AssetId<Image>>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ScreenCopy>()
        .init_resource::<ScreenCover>()
        .add_plugins(ExtractResourcePlugin::<ScreenCopy>::default());
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app.add_systems(Core2d, copy_picture.before(Core2dSystems::MainPass));
    }
}

/// The camera as the stage wants it: a frame a picture can be copied into,
/// and, since the finished frame covers the whole window, a window never
/// cleared before it is written (a clear is a pass over every pixel).
pub fn camera() -> (Camera, CameraMainTextureUsages) {
    let camera = Camera {
        output_mode: CameraOutputMode::Write {
            blend_state: None,
            clear_color: ClearColorConfig::None,
        },
        ..default()
    };
    let usages = CameraMainTextureUsages::default().with(TextureUsages::COPY_DST);
    (camera, usages)
}

/// Main world, after the layers are fitted: copies the front layer's
/// picture if it fills the screen pixel for pixel and is alone on the
/// stage; draws no layer while the screen is covered. Without a crossfade
/// the front layer is opaque and the other one hidden (`StageLayers::show`,
/// `fade_layers`), so nothing is drawn over the copy.
pub(super) fn choose_copy(
    layers: Res<Layers>,
    materials: Res<Assets<StageMaterial>>,
    cover: Res<ScreenCover>,
    mut copy: ResMut<ScreenCopy>,
    mut nodes: Query<(&Visibility, &mut RenderLayers), With<Stage>>,
    mut camera: Single<&mut Camera>,
) {
    let front = &layers.layers[layers.front];
    let alone = layers.fade.is_none()
        && nodes
            .get(front.entity)
            .is_ok_and(|(visibility, _)| *visibility == Visibility::Visible);
    let picture = materials
        .get(&front.material)
        .filter(|material| cover.0.is_none() && alone && material.key.pixel_exact)
        .and_then(|material| material.plane0.as_ref())
        .map(Handle::id);
    copy.set_if_neq(ScreenCopy(picture));
    for layer in &layers.layers {
        if let Ok((_, mut seen_by)) = nodes.get_mut(layer.entity) {
            let copied = picture.is_some() && layer.entity == front.entity;
            let drawn = cover.0.is_none() && !copied;
            seen_by.set_if_neq(RenderLayers::layer(if drawn { 0 } else { UNSEEN }));
        }
    }
    // The camera is touched only when what it clears to may have changed.
    if cover.is_changed() || copy.is_changed() {
        camera.clear_color = match (cover.0, picture) {
            (Some(colour), _) => ClearColorConfig::Custom(colour),
            (None, Some(_)) => ClearColorConfig::None,
            (None, None) => ClearColorConfig::Default,
        };
    }
}

/// Render world, before the main pass: copies the chosen picture into the
/// frame. A picture the frame cannot take as it is (not on the GPU yet, or
/// not the frame's format) leaves the frame black, as a layer whose picture
/// is not on the GPU is not drawn; a size that changed under it (the window
/// resized) is copied as far as both reach, on black.
fn copy_picture(
    view: ViewQuery<&ViewTarget>,
    copy: Res<ScreenCopy>,
    images: Res<RenderAssets<GpuImage>>,
    mut ctx: RenderContext,
) {
    let Some(id) = copy.0 else {
        return;
    };
    let target = view.into_inner();
    let frame = target.main_texture();
    let picture = images.get(id).filter(|picture| {
        picture.texture.format().remove_srgb_suffix() == frame.format().remove_srgb_suffix()
            && picture.texture.usage().contains(TextureUsages::COPY_SRC)
            && frame.usage().contains(TextureUsages::COPY_DST)
    });
    let fits = picture.is_some_and(|picture| picture.texture.size() == frame.size());
    if !fits {
        ctx.command_encoder()
            .begin_render_pass(&RenderPassDescriptor {
                label: Some("stage_copy_clear"),
                color_attachments: &[Some(RenderPassColorAttachment {
                    view: target.main_texture_view(),
                    depth_slice: None,
                    resolve_target: None,
                    ops: Operations {
                        load: LoadOp::Clear(LinearRgba::BLACK.into()),
                        store: StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
    }
    let Some(picture) = picture else {
        return;
    };
    let (from, to) = (picture.texture.size(), frame.size());
    let size = Extent3d {
        width: from.width.min(to.width),
        height: from.height.min(to.height),
        depth_or_array_layers: 1,
    };
    ctx.command_encoder().copy_texture_to_texture(
        picture.texture.as_image_copy(),
        frame.as_image_copy(),
        size,
    );
}
