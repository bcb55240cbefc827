//! The stage: what is on screen now, and the move from item to item.
//!
//! The next item is prepared (a picture decoded, a clip prerolled to its
//! first frame) while the last picture stays on screen, so a switch never
//! shows black. A file that fails is journaled and skipped.

mod captions;
mod controls;
mod ending;
mod fallback;
mod fit;
mod picture;
mod playback;
mod prepare;
mod spans;
mod status_strip;
mod text_slide;
mod ticker;

use std::path::PathBuf;

use bevy::prelude::*;

use crate::config::Fit;
use crate::schedule::plugin::ScreenState;

pub use controls::PlaybackCommand;
pub use fit::fit_picture;
pub use picture::decode_picture;
pub use playback::Playback;

/// What the player needs from the configuration.
#[derive(Resource, Debug, Clone)]
pub struct PlayerSettings {
    pub content_dir: PathBuf,
    pub image_seconds: f64,
    pub fit: Fit,
    pub volume: f64,
    /// Item date ranges are local times in this zone.
    pub time_zone: chrono_tz::Tz,
    pub playlist: crate::playlist::PlaylistPolicy,
}

/// The sprite that shows pictures and video frames.
#[derive(Component)]
pub struct Stage;

/// The systems that move playback along, in order.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum PlaybackSystems {
    Advance,
    Present,
}

pub struct PlayerPlugin {
    pub settings: PlayerSettings,
    pub ticker: crate::config::TickerConfig,
    pub captions: Vec<crate::content::Language>,
    pub status_strip: crate::config::StatusStripConfig,
}

impl Plugin for PlayerPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .insert_resource(ClearColor(Color::BLACK))
            .insert_resource(Playback::new(&self.settings))
            .configure_sets(
                Update,
                (PlaybackSystems::Advance, PlaybackSystems::Present).chain(),
            )
            .add_systems(Startup, spawn_stage)
            .add_systems(
                Update,
                (
                    playback::apply_content_changes.before(PlaybackSystems::Advance),
                    playback::advance_playback
                        .in_set(PlaybackSystems::Advance)
                        .run_if(in_state(ScreenState::Open)),
                    fit_stage.in_set(PlaybackSystems::Present),
                ),
            )
            .add_systems(OnEnter(ScreenState::Closed), ending::stop_for_closing)
            .add_systems(Last, ending::stop_on_exit);
        app.add_plugins((fallback::plugin, controls::plugin, text_slide::plugin));
        ticker::plugin(app, self.ticker.clone());
        captions::plugin(app, self.captions.clone());
        status_strip::plugin(app, self.status_strip.clone());
    }
}

fn spawn_stage(mut commands: Commands) {
    commands.spawn(Camera2d);
    commands.spawn((Stage, Sprite::default(), Visibility::Hidden));
}

/// Sizes the stage sprite for the window every frame (the window may be
/// resized, or the picture changed size).
fn fit_stage(
    settings: Res<PlayerSettings>,
    playback: Res<Playback>,
    window: Single<&Window>,
    mut stage: Single<&mut Sprite, With<Stage>>,
) {
    let screen = Vec2::new(window.resolution.width(), window.resolution.height());
    let (size, rect) = fit_picture(playback.picture_size(), screen, settings.fit);
    if stage.custom_size != Some(size) || stage.rect != rect {
        stage.custom_size = Some(size);
        stage.rect = rect;
    }
}
