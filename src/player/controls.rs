//! Playback controls for the admin overlay: next, previous, pause, volume.

use bevy::prelude::*;

use super::Playback;
use super::ending::end_showing;
use super::playback::{Prep, Preparing, Showing};
use crate::journal::Ending;
use crate::journal::plugin::Record;

/// A person at the kiosk asks playback to do something.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub enum PlaybackCommand {
    Next,
    Previous,
    Pause,
    Resume,
    /// 0.0 (silent) to 1.0.
    SetVolume(f64),
}

pub(super) fn plugin(app: &mut App) {
    app.add_message::<PlaybackCommand>().add_systems(
        Update,
        apply_playback_commands.before(super::PlaybackSystems::Advance),
    );
}

fn apply_playback_commands(
    mut commands: MessageReader<PlaybackCommand>,
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
) {
    let now = time.elapsed_secs_f64();
    for command in commands.read() {
        match *command {
            PlaybackCommand::Next => playback.skip(now, &mut record),
            PlaybackCommand::Previous => playback.go_back(now, &mut record),
            PlaybackCommand::Pause => playback.set_paused(true, now),
            PlaybackCommand::Resume => playback.set_paused(false, now),
            PlaybackCommand::SetVolume(v) => playback.set_volume(v),
        }
    }
}

/// The controls, on the playback state.
impl Playback {
    /// Ends the item on screen now; the next one follows.
    pub(super) fn skip(&mut self, now: f64, record: &mut Record) {
        self.set_paused(false, now);
        end_showing(self, now, Ending::Skipped, None, record);
    }

    /// Shows the item before the one on screen again.
    pub(super) fn go_back(&mut self, now: f64, record: &mut Record) {
        let Some(previous) = self.history.iter().rev().nth(1).cloned() else {
            return;
        };
        self.queued = Some(previous);
        self.drop_preparing();
        self.skip(now, record);
    }

    /// Forgets the item being prepared (its slide, if any, is despawned).
    pub(super) fn drop_preparing(&mut self) {
        if let Some(Preparing {
            prep: Prep::Text(slide),
            ..
        }) = self.preparing.take()
        {
            self.retired.push(slide);
        }
    }

    pub(super) fn set_paused(&mut self, paused: bool, now: f64) {
        match (self.paused_at, paused) {
            (None, true) => {
                self.paused_at = Some(now);
                if let Showing::Video { pipeline, .. } = &self.showing {
                    pipeline.pause();
                }
            }
            (Some(at), false) => {
                self.paused_at = None;
                match &mut self.showing {
                    Showing::Picture { until, .. } => *until += now - at,
                    Showing::Text { page_until, .. } => *page_until += now - at,
                    Showing::Video { pipeline, .. } => pipeline.play(),
                    Showing::Holding | Showing::Fallback => {}
                }
            }
            _ => {}
        }
    }

    pub(super) fn set_volume(&mut self, volume: f64) {
        self.volume = volume.clamp(0.0, 1.0);
        if let Showing::Video { pipeline, .. } = &self.showing {
            pipeline.set_volume(self.volume);
        }
    }
}
