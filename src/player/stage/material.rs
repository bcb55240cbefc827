//! The stage's material: one shader for pictures (RGBA) and video frames
//! (Y, U, V or Y, UV planes with the stream's matrix and range), compiled
//! once for each kind of source it is given.

use bevy::asset::{AssetPath, embedded_path};
use bevy::mesh::MeshVertexBufferLayoutRef;
use bevy::prelude::*;
use bevy::render::render_resource::{
    AsBindGroup, RenderPipelineDescriptor, ShaderType, SpecializedMeshPipelineError,
};
use bevy::shader::ShaderRef;
use bevy::sprite_render::{AlphaMode2d, Material2d, Material2dKey};

use crate::media::Transfer;

/// The uniform of `stage.wgsl`; fields as named there.
#[derive(ShaderType, Debug, Clone, PartialEq)]
pub struct StageParams {
    pub(super) to_r: Vec4,
    pub(super) to_g: Vec4,
    pub(super) to_b: Vec4,
    pub(super) uv_min: Vec2,
    pub(super) uv_size: Vec2,
    pub(super) alpha: f32,
}

impl Default for StageParams {
    fn default() -> Self {
        Self {
            to_r: Vec4::X,
            to_g: Vec4::Y,
            to_b: Vec4::Z,
            uv_min: Vec2::ZERO,
            uv_size: Vec2::ONE,
            alpha: 1.0,
        }
    }
}

/// What the shader is compiled for. A software renderer (llvmpipe) runs
/// every branch of a shader for every pixel, whatever the uniforms say: one
/// shader for all sources made a still picture pay for the YUV conversion
/// and both HDR transfer functions at each frame (12 % of a core for a
/// 1080p picture drawn once a second, against 8.6 % compiled for RGBA
/// alone: `infokiosk bench idle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StageKey {
    pub(super) planes: Planes,
    pub(super) transfer: Transfer,
    /// BT.2020 primaries, mapped to BT.709.
    pub(super) wide_gamut: bool,
    /// A picture (never a video frame) drawn pixel for pixel (its size the
    /// screen's): each pixel its texel, read without filtering (7.8 %
    /// against 8.6 % of a core for a 1080p picture under llvmpipe). Alone
    /// and opaque on the stage, it is copied instead (`copy.rs`: 3.4 %).
    pub(super) pixel_exact: bool,
}

/// How the planes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Planes {
    /// A picture, RGBA in plane 0.
    #[default]
    Rgba,
    /// Y, U, V (I420, Y42B or Y444: each plane's texture is its own size).
    Yuv,
    /// Y, then U and V interleaved (NV12, P010).
    SemiPlanar,
}

impl From<&StageMaterial> for StageKey {
    fn from(material: &StageMaterial) -> Self {
        material.key
    }
}

/// The material of one layer. Planes a layout does not use are left empty
/// (Bevy binds a fallback texture).
#[derive(Asset, AsBindGroup, TypePath, Debug, Clone, Default, PartialEq)]
#[bind_group_data(StageKey)]
pub struct StageMaterial {
    pub(super) key: StageKey,
    #[uniform(0)]
    pub(super) params: StageParams,
    #[texture(1)]
    #[sampler(2)]
    pub(super) plane0: Option<Handle<Image>>,
    #[texture(3)]
    pub(super) plane1: Option<Handle<Image>>,
    #[texture(4)]
    pub(super) plane2: Option<Handle<Image>>,
}

impl Material2d for StageMaterial {
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Path(
            AssetPath::from_path_buf(embedded_path!("stage.wgsl")).with_source("embedded"),
        )
    }

    fn alpha_mode(&self) -> AlphaMode2d {
        if self.params.alpha < 1.0 {
            AlphaMode2d::Blend
        } else {
            AlphaMode2d::Opaque
        }
    }

    fn specialize(
        descriptor: &mut RenderPipelineDescriptor,
        _layout: &MeshVertexBufferLayoutRef,
        key: Material2dKey<Self>,
    ) -> Result<(), SpecializedMeshPipelineError> {
        let StageKey {
            planes,
            transfer,
            wide_gamut,
            pixel_exact,
        } = key.bind_group_data;
        let defs = [
            (planes == Planes::Yuv, "PLANES_YUV"),
            (planes == Planes::SemiPlanar, "PLANES_SEMI_PLANAR"),
            (transfer == Transfer::Hlg, "TRANSFER_HLG"),
            (transfer == Transfer::Pq, "TRANSFER_PQ"),
            (wide_gamut, "WIDE_GAMUT"),
            (pixel_exact, "PIXEL_EXACT"),
        ];
        if let Some(fragment) = descriptor.fragment.as_mut() {
            fragment.shader_defs.extend(
                defs.into_iter()
                    .filter(|(wanted, _)| *wanted)
                    .map(|(_, def)| def.into()),
            );
        }
        Ok(())
    }
}

/// Applies `change` to a material, writing it back only if it changed
/// something (or `touch`): a mutable borrow alone makes Bevy rebuild the
/// material's bind group, which must happen when a plane texture was
/// replaced by one of a new size, and should not happen every frame.
pub(super) fn change_material(
    materials: &mut Assets<StageMaterial>,
    handle: &Handle<StageMaterial>,
    touch: bool,
    change: impl FnOnce(&mut StageMaterial),
) {
    let Some(current) = materials.get(handle) else {
        return;
    };
    let mut changed = current.clone();
    change(&mut changed);
    if (touch || changed != *current)
        && let Some(mut material) = materials.get_mut(handle)
    {
        *material = changed;
    }
}
