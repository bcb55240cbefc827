//! The stage: two layers, each a rectangle drawn with one material that
//! shows either a picture (RGBA) or a video frame (YUV planes, converted to
//! RGB by the GPU). The next item is put on the hidden layer ahead of its
//! turn; the switch brings that layer to the front, at once (`cut`) or
//! fading in over the old one (`crossfade`).
//!
//! A video frame is not copied on its way: the render world writes its
//! planes from the decoder's buffer straight into the layer's textures.

mod copy;
mod material;
mod upload;

use bevy::asset::{RenderAssetUsages, embedded_asset};
use bevy::camera::visibility::RenderLayers;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::render::renderer::{RenderAdapterInfo, RenderDevice};
use bevy::render::settings::WgpuFeatures;
use bevy::render::{ExtractSchedule, Render, RenderApp, RenderSystems};
use bevy::sprite_render::Material2dPlugin;

use super::PlayerSettings;
use super::fit::fit_picture;
use crate::config::Transition;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::media::{Frame, Transfer};
pub(super) use copy::{ScreenCover, camera};
use material::{Planes, StageKey, StageMaterial, change_material};
use upload::{ExtractedUploads, FrameUploads, Upload, extract_uploads, size_plane, write_frames};

/// Marks both stage layers.
#[derive(Component)]
pub struct Stage;

/// What a layer shows now: the item and its frame number (0 for pictures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSource {
    pub item: String,
    pub frame: u64,
}

struct Layer {
    entity: Entity,
    material: Handle<StageMaterial>,
    /// The layer's own plane textures for video frames, reused frame after
    /// frame (a new texture only when a plane's size changes).
    planes: [Handle<Image>; 3],
    /// Pixel size of what the layer shows.
    size: Vec2,
    source: Option<FrameSource>,
    /// 1 when opaque; below while fading in.
    alpha: f32,
}

struct Fade {
    since: f64,
    seconds: f64,
}

/// The two layers and which one is in front (changed through
/// [`StageLayers`]).
#[derive(Resource)]
pub struct Layers {
    layers: [Layer; 2],
    front: usize,
    /// The front layer is fading in over the other one.
    fade: Option<Fade>,
    /// The item whose picture or frame size last made a new GPU texture:
    /// the one to blame when the GPU refuses a texture.
    newest_texture: Option<String>,
}

impl Layers {
    /// A crossfade is under way.
    pub fn is_fading(&self) -> bool {
        self.fade.is_some()
    }

    /// The item that last made a new GPU texture (a picture, or a clip's
    /// first frame or a new frame size).
    pub fn newest_texture(&self) -> Option<&str> {
        self.newest_texture.as_deref()
    }

    /// The front layer's entity, what it shows and its opacity.
    pub fn front(&self) -> (Entity, Option<&FrameSource>, f32) {
        let layer = &self.layers[self.front];
        (layer.entity, layer.source.as_ref(), layer.alpha)
    }
}

/// Index of a layer.
pub type LayerId = usize;

/// Everything that changes the stage's layers: puts a picture or a video
/// frame on a layer, brings a layer to the front, hides both.
#[derive(SystemParam)]
pub struct StageLayers<'w, 's> {
    layers: ResMut<'w, Layers>,
    uploads: Res<'w, FrameUploads>,
    settings: Res<'w, PlayerSettings>,
    images: ResMut<'w, Assets<Image>>,
    materials: ResMut<'w, Assets<StageMaterial>>,
    /// For the largest texture the GPU takes (absent without a renderer).
    device: Option<Res<'w, RenderDevice>>,
    nodes: Query<'w, 's, (&'static mut Transform, &'static mut Visibility), With<Stage>>,
}

impl StageLayers<'_, '_> {
    /// The hidden layer, if it can take the next item now (not while the
    /// old item is still fading out on it).
    pub fn free_layer(&self) -> Option<LayerId> {
        self.layers.fade.is_none().then_some(1 - self.layers.front)
    }

    /// A decoded picture, uploaded ahead of its turn.
    pub fn add_picture(&mut self, image: Image) -> Handle<Image> {
        self.images.add(image)
    }

    /// Puts a picture on `layer`.
    pub fn put_picture(&mut self, layer: LayerId, picture: Handle<Image>, size: Vec2, item: &str) {
        self.layers.newest_texture = Some(item.to_owned());
        let state = &mut self.layers.layers[layer];
        state.size = size;
        state.source = Some(FrameSource {
            item: item.to_owned(),
            frame: 0,
        });
        change_material(&mut self.materials, &state.material, false, |material| {
            material.key = StageKey::default();
            material.plane0 = Some(picture);
            material.plane1 = None;
            material.plane2 = None;
        });
    }

    /// Puts a video frame on `layer`: sizes the layer's plane textures for
    /// it and hands the frame to the render world to write into them. A
    /// frame larger than the GPU's largest texture is refused (the catalog
    /// refuses such clips from their probed size; this catches a clip whose
    /// frames grow mid-stream): a texture the GPU rejects would end the app.
    pub fn put_frame(&mut self, layer: LayerId, frame: Frame, item: &str) -> Result<(), String> {
        if let Some(device) = &self.device {
            let max = device.limits().max_texture_dimension_2d;
            if frame.width > max || frame.height > max {
                return Err(format!(
                    "a frame of {}x{} is larger than this GPU's largest texture ({max}x{max})",
                    frame.width, frame.height
                ));
            }
        }
        let state = &mut self.layers.layers[layer];
        state.size = Vec2::new(frame.width as f32, frame.height as f32);
        match &mut state.source {
            Some(source) if source.item == item => source.frame = frame.number,
            source => {
                let light = match frame.colour.transfer {
                    Transfer::Sdr => "",
                    Transfer::Hlg => " HLG, tone-mapped to SDR",
                    Transfer::Pq => " PQ, tone-mapped to SDR",
                };
                info!(
                    "{item}: frames {}x{} {:?}{light}, converted to RGB on the GPU",
                    frame.width, frame.height, frame.layout
                );
                *source = Some(FrameSource {
                    item: item.to_owned(),
                    frame: frame.number,
                });
            }
        }
        let planes = frame.planes();
        let mut resized = false;
        for (plane, handle) in planes.iter().zip(&state.planes) {
            resized |= size_plane(&mut self.images, handle, plane);
        }

        let targets = state.planes[..planes.len()]
            .iter()
            .map(|h| h.id())
            .collect();
        let upload = Upload {
            planes: targets,
            frame,
        };
        let (layout, colour) = (upload.frame.layout, upload.frame.colour);
        self.uploads.0.lock().unwrap_or_else(|e| e.into_inner())[layer] = Some(upload);
        let [to_r, to_g, to_b] = colour.to_rgb_rows(layout).map(Vec4::from_array);
        // The shader samples each plane at the same place: the chroma
        // planes' own sizes (4:2:0, 4:2:2 or 4:4:4) are the textures' sizes.
        let planes = if layout.semi_planar() {
            Planes::SemiPlanar
        } else {
            Planes::Yuv
        };
        let handles = &state.planes;
        change_material(&mut self.materials, &state.material, resized, |material| {
            material.key = StageKey {
                planes,
                transfer: colour.transfer,
                wide_gamut: colour.wide_gamut,
                pixel_exact: false,
            };
            (
                material.params.to_r,
                material.params.to_g,
                material.params.to_b,
            ) = (to_r, to_g, to_b);
            material.plane0 = Some(handles[0].clone());
            material.plane1 = Some(handles[1].clone());
            material.plane2 = (planes == Planes::Yuv).then(|| handles[2].clone());
        });
        if resized {
            self.layers.newest_texture = Some(item.to_owned());
        }
        Ok(())
    }

    /// Brings `layer` to the front with the configured transition.
    pub fn show(&mut self, layer: LayerId, now: f64) {
        let old = self.layers.front;
        self.layers.front = layer;
        self.layers.fade = None;
        let fade_seconds = match self.settings.transition {
            Transition::Crossfade { seconds } if old != layer && seconds > 0.0 => Some(seconds),
            _ => None,
        };
        if let Some(seconds) = fade_seconds
            && self.layer_visible(old)
        {
            self.layers.fade = Some(Fade {
                since: now,
                seconds,
            });
            self.set_alpha(layer, 0.0);
        } else {
            self.set_alpha(layer, 1.0);
            self.set_visible(old, false);
        }
        self.set_visible(layer, true);
        self.place_in_front(layer);
    }

    /// Both layers hidden (closing time, the fallback slide, a text slide
    /// that covers the screen).
    pub fn hide(&mut self) {
        self.layers.fade = None;
        for layer in 0..2 {
            self.set_visible(layer, false);
            self.layers.layers[layer].source = None;
        }
    }

    fn layer_visible(&self, layer: LayerId) -> bool {
        self.nodes
            .get(self.layers.layers[layer].entity)
            .is_ok_and(|(_, v)| *v == Visibility::Visible)
    }

    fn set_visible(&mut self, layer: LayerId, visible: bool) {
        let entity = self.layers.layers[layer].entity;
        if let Ok((_, mut visibility)) = self.nodes.get_mut(entity) {
            visibility.set_if_neq(if visible {
                Visibility::Visible
            } else {
                Visibility::Hidden
            });
        }
    }

    fn place_in_front(&mut self, layer: LayerId) {
        for (index, state) in self.layers.layers.iter().enumerate() {
            if let Ok((mut transform, _)) = self.nodes.get_mut(state.entity) {
                transform.translation.z = if index == layer { 0.2 } else { 0.1 };
            }
        }
    }

    fn set_alpha(&mut self, layer: LayerId, alpha: f32) {
        self.layers.layers[layer].alpha = alpha;
        let handle = &self.layers.layers[layer].material;
        change_material(&mut self.materials, handle, false, |material| {
            material.params.alpha = alpha;
        });
    }
}

pub(super) fn plugin(app: &mut App) {
    embedded_asset!(app, "stage.wgsl");
    let uploads = FrameUploads::default();
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app
            .insert_resource(uploads.clone())
            .init_resource::<ExtractedUploads>()
            .add_systems(ExtractSchedule, extract_uploads)
            .add_systems(
                Render,
                write_frames
                    .after(RenderSystems::PrepareAssets)
                    .before(RenderSystems::Render),
            );
    }
    app.add_plugins((Material2dPlugin::<StageMaterial>::default(), copy::plugin))
        .insert_resource(uploads)
        .add_systems(Startup, spawn_layers)
        // After `app_started` is journaled, which it qualifies.
        .add_systems(PostStartup, check_sixteen_bit_planes)
        .add_systems(
            Update,
            (fade_layers, fit_layers, copy::choose_copy)
                .chain()
                .in_set(super::PlaybackSystems::Present),
        );
}

fn spawn_layers(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StageMaterial>>,
    mut images: ResMut<Assets<Image>>,
) {
    let mesh = meshes.add(Rectangle::new(1.0, 1.0));
    let mut layer = |z: f32| {
        let material = materials.add(StageMaterial::default());
        let planes = [(); 3].map(|_| images.add(blank_plane()));
        let entity = commands
            .spawn((
                Stage,
                Mesh2d(mesh.clone()),
                MeshMaterial2d(material.clone()),
                Transform::from_xyz(0.0, 0.0, z),
                Visibility::Hidden,
                RenderLayers::layer(0),
            ))
            .id();
        Layer {
            entity,
            material,
            planes,
            size: Vec2::ZERO,
            source: None,
            alpha: 1.0,
        }
    };
    let layers = [layer(0.2), layer(0.1)];
    commands.insert_resource(Layers {
        layers,
        front: 0,
        fade: None,
        newest_texture: None,
    });
}

/// 10-bit frames reach the GPU as decoded only if it samples 16-bit
/// textures (Vulkan's R16/R16G16 UNORM, wgpu's `TEXTURE_FORMAT_16BIT_NORM`);
/// without, GStreamer converts them to 8 bits on the CPU, journaled once.
fn check_sixteen_bit_planes(
    device: Option<Res<RenderDevice>>,
    adapter: Option<Res<RenderAdapterInfo>>,
    mut record: Record,
) {
    let Some(device) = device else {
        return;
    };
    let supported = device
        .features()
        .contains(WgpuFeatures::TEXTURE_FORMAT_16BIT_NORM);
    crate::media::set_sixteen_bit_planes(supported);
    if !supported {
        let adapter = adapter.map(|a| a.name.clone()).unwrap_or_default();
        warn!(
            "the GPU ({adapter}) cannot sample 16-bit textures: 10-bit clips are converted to 8 bits on the CPU"
        );
        record.event(Event::GpuLacksSixteenBit { adapter });
    }
}

fn blank_plane() -> Image {
    Image::new_fill(
        Extent3d {
            width: 1,
            height: 1,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[0],
        TextureFormat::R8Unorm,
        RenderAssetUsages::RENDER_WORLD,
    )
}

/// Advances a crossfade; at its end the old layer is hidden.
fn fade_layers(time: Res<Time<Real>>, mut stage: StageLayers) {
    let Some(fade) = &stage.layers.fade else {
        return;
    };
    let progress = ((time.elapsed_secs_f64() - fade.since) / fade.seconds).clamp(0.0, 1.0);
    let front = stage.layers.front;
    // Quantised, so the material is rebuilt at most 256 times per fade.
    let alpha = (progress * 255.0).round() as f32 / 255.0;
    stage.set_alpha(front, alpha);
    if progress >= 1.0 {
        stage.layers.fade = None;
        stage.set_visible(1 - front, false);
    }
}

/// Sizes and crops each layer for the window every frame (the window may be
/// resized, or the picture change size).
fn fit_layers(
    settings: Res<PlayerSettings>,
    window: Single<&Window>,
    layers: Res<Layers>,
    mut materials: ResMut<Assets<StageMaterial>>,
    mut nodes: Query<&mut Transform, With<Stage>>,
) {
    let screen = Vec2::new(window.resolution.width(), window.resolution.height());
    let physical = Vec2::new(
        window.resolution.physical_width() as f32,
        window.resolution.physical_height() as f32,
    );
    for layer in &layers.layers {
        let (size, crop) = fit_picture(layer.size, screen, settings.fit);
        if let Ok(mut transform) = nodes.get_mut(layer.entity) {
            let scale = size.extend(1.0);
            if transform.scale != scale {
                transform.scale = scale;
            }
        }
        let (uv_min, uv_size) = match crop {
            Some(rect) if layer.size.x > 0.0 && layer.size.y > 0.0 => {
                (rect.min / layer.size, rect.size() / layer.size)
            }
            _ => (Vec2::ZERO, Vec2::ONE),
        };
        // A picture filling the screen at its own size: a pixel is a texel.
        // (Never set for video frames: `put_frame` writes the whole key at
        // each frame, and the two would rebuild the material every frame.)
        let fills = crop.is_none() && size == screen && layer.size == physical;
        change_material(&mut materials, &layer.material, false, |material| {
            material.params.uv_min = uv_min;
            material.params.uv_size = uv_size;
            material.key.pixel_exact = fills && material.key.planes == Planes::Rgba;
        });
    }
}
