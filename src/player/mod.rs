//! What is on screen now, and the move from item to item.
//!
//! The next item is prepared (a picture decoded, a clip prerolled to its
//! first frame) and put on the stage's hidden layer while the current item
//! plays, so a switch never shows black. A file that fails is journaled and
//! skipped before its turn.

mod captions;
mod controls;
mod ending;
mod fallback;
mod fit;
mod frame_log;
mod in_force;
mod picture;
mod playback;
mod render_faults;
mod spans;
mod stage;
mod status_strip;
mod text_slide;
mod ticker;

use std::path::PathBuf;

use bevy::prelude::*;

use crate::config::{Fit, Transition};
use crate::pacing::Pace;
use crate::screen_state::ScreenState;

pub use controls::PlaybackCommand;
/// Others that write at exit run after it (the outbox's last journal copy).
pub use ending::stop_on_exit;
pub use fit::fit_picture;
pub use picture::decode_picture;
pub use playback::Playback;
pub use stage::{FrameSource, Layers, Stage};

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
    pub transition: Transition,
    /// How long before its turn the next item is made ready.
    pub preroll_seconds: f64,
    /// The shown-content store (`data_dir/objects`); `None`: nothing kept,
    /// `play_started` lines without `sha256`.
    pub objects_dir: Option<PathBuf>,
    /// With `trust.require_signature`, the trust state file: the manifest
    /// and signature accepted are archived from it as in force.
    pub signed_manifest: Option<PathBuf>,
}

/// The systems that move playback along, in order.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum PlaybackSystems {
    Advance,
    Present,
}

pub struct PlayerPlugin {
    pub settings: PlayerSettings,
    pub ticker: crate::config::TickerConfig,
    pub captions: crate::config::CaptionsConfig,
    pub status_strip: crate::config::StatusStripConfig,
    pub text: crate::config::TextConfig,
}

impl Plugin for PlayerPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .insert_resource(ClearColor(Color::BLACK))
            .init_resource::<Pace>()
            .insert_resource(Playback::new(&self.settings))
            .insert_resource(text_slide::SlideTheme::new(&self.text))
            .configure_sets(
                Update,
                (PlaybackSystems::Advance, PlaybackSystems::Present).chain(),
            )
            .add_systems(Startup, |mut commands: Commands| {
                // No multisampling: the stage is axis-aligned rectangles and
                // text from a glyph atlas, and 4x MSAA made each frame cost
                // a software renderer several times over.
                commands.spawn((Camera2d, stage::camera(), Msaa::Off));
            })
            .add_systems(
                Update,
                (
                    playback::apply_content_changes.before(PlaybackSystems::Advance),
                    playback::advance_playback
                        .in_set(PlaybackSystems::Advance)
                        .run_if(in_state(ScreenState::Open)),
                    ask_for_frames
                        .after(PlaybackSystems::Present)
                        .run_if(in_state(ScreenState::Open)),
                ),
            )
            .add_systems(OnEnter(ScreenState::Closed), ending::stop_for_closing)
            .add_systems(Last, ending::stop_on_exit);
        app.add_plugins((
            stage::plugin,
            fallback::plugin,
            controls::plugin,
            text_slide::plugin,
            frame_log::plugin,
            render_faults::plugin,
        ));
        in_force::plugin(
            app,
            self.settings.objects_dir.clone(),
            self.settings.signed_manifest.clone(),
            self.settings.time_zone,
        );
        ticker::plugin(app, self.ticker.clone());
        captions::plugin(app, self.captions.clone());
        status_strip::plugin(app, self.status_strip.clone());
    }
}

/// Says what playback needs of the next frames (see `pacing`): every frame
/// while a crossfade runs or the next item is being readied, a wake-up when
/// the item on screen is due to end. A clip's frames wake the loop
/// themselves.
fn ask_for_frames(
    time: Res<Time<Real>>,
    settings: Res<PlayerSettings>,
    playback: Res<Playback>,
    layers: Res<Layers>,
    mut pace: ResMut<Pace>,
) {
    if layers.is_fading() || playback.is_readying() {
        pace.keep_drawing();
    }
    if let Some(due) = playback.next_due(time.elapsed_secs_f64(), settings.preroll_seconds) {
        pace.wake_at(due);
    }
}
