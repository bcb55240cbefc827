//! How an item leaves the screen at closing time and at exit: at once,
//! journaled as `stopped`.

use bevy::prelude::*;

use super::playback::{Playback, write_events};
use super::stage::StageLayers;
use crate::journal::Event;
use crate::journal::plugin::Record;

/// Closing time: the item on screen stops at once and the stage goes dark.
pub fn stop_for_closing(
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut stage: StageLayers,
    mut commands: Commands,
) {
    let now = time.elapsed_secs_f64();
    write_events(&mut record, playback.close(now));
    for slide in playback.take_retired() {
        commands.entity(slide).despawn();
    }
    stage.hide();
}

/// On exit: the item on screen ends as `stopped`, then `app_stopped`.
pub fn stop_on_exit(
    mut exits: MessageReader<AppExit>,
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    restart: Option<Res<crate::config::plugin::RestartRequest>>,
) {
    if exits.read().next().is_none() {
        return;
    }
    let now = time.elapsed_secs_f64();
    write_events(&mut record, playback.stop_at_exit(now));
    // A restart the player asks for itself says so: it is no downtime.
    let restart = restart.and_then(|request| request.reason());
    record.event(Event::AppStopped {
        reason: match restart {
            Some(_) => "restart requested",
            None => "exit requested",
        }
        .into(),
        restart: restart.map(Into::into),
    });
}
