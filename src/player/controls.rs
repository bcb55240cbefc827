//! Playback controls for the admin overlay: next, previous, pause, volume.

use bevy::prelude::*;

use super::Playback;
use super::playback::write_events;
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
            PlaybackCommand::Next => write_events(&mut record, playback.skip(now)),
            PlaybackCommand::Previous => write_events(&mut record, playback.go_back(now)),
            PlaybackCommand::Pause => playback.set_paused(true, now),
            PlaybackCommand::Resume => playback.set_paused(false, now),
            PlaybackCommand::SetVolume(v) => playback.set_volume(v),
        }
    }
}
