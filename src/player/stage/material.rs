//! The stage's material: one shader for pictures (RGBA) and video frames
//! (Y, U, V or Y, UV planes with the stream's matrix and range).

use bevy::asset::{AssetPath, embedded_path};
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, ShaderType};
use bevy::shader::ShaderRef;
use bevy::sprite_render::{AlphaMode2d, Material2d};

/// The uniform of `stage.wgsl`; fields as named there.
#[derive(ShaderType, Debug, Clone, PartialEq)]
pub struct StageParams {
    pub(super) to_r: Vec4,
    pub(super) to_g: Vec4,
    pub(super) to_b: Vec4,
    pub(super) uv_min: Vec2,
    pub(super) uv_size: Vec2,
    pub(super) planes: u32,
    pub(super) alpha: f32,
    pub(super) transfer: u32,
    pub(super) wide_gamut: u32,
}

impl Default for StageParams {
    fn default() -> Self {
        Self {
            to_r: Vec4::X,
            to_g: Vec4::Y,
            to_b: Vec4::Z,
            uv_min: Vec2::ZERO,
            uv_size: Vec2::ONE,
            planes: 0,
            alpha: 1.0,
            transfer: 0,
            wide_gamut: 0,
        }
    }
}

/// The material of one layer. Planes a layout does not use are left empty
/// (Bevy binds a fallback texture).
#[derive(Asset, AsBindGroup, TypePath, Debug, Clone, Default, PartialEq)]
pub struct StageMaterial {
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
