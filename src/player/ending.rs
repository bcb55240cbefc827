//! How an item leaves the screen: its end journaled with how it ended; at
//! closing time and at exit, at once.

use bevy::prelude::*;

use super::playback::{Playback, Showing, item_name};
use super::stage::Screen;
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};

/// Journals the end of the item on screen and frees the screen for the
/// next one (its last picture stays until then).
pub(super) fn end_showing(
    playback: &mut Playback,
    now: f64,
    ended: Ending,
    reason: Option<String>,
    record: &mut Record,
) {
    let (item, since, frames, pages) =
        match std::mem::replace(&mut playback.showing, Showing::Holding) {
            Showing::Picture { item, since, .. } => (item, since, None, None),
            Showing::Video {
                item,
                since,
                frames,
                ..
            } => (item, since, Some(frames), None),
            Showing::Text {
                item,
                since,
                slide,
                page,
                ..
            } => {
                // The slide stays up until the next item shows.
                if let Some(old) = playback.lingering.replace(slide) {
                    playback.retired.push(old);
                }
                (item, since, None, Some(page as u64 + 1))
            }
            other => {
                playback.showing = other;
                return;
            }
        };
    if let Some(reason) = &reason {
        warn!("{}: stopped with an error: {reason}", item.path.display());
    }
    record.event(Event::PlayEnded {
        item: item_name(&item),
        kind: item.kind.name().into(),
        language: item.language.code().into(),
        shown_ms: ((now - since).max(0.0) * 1000.0).round() as u64,
        frames,
        pages,
        ended,
        reason,
    });
}

/// Closing time: the item on screen stops at once and the stage goes dark.
pub fn stop_for_closing(
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut screen: Screen,
    mut commands: Commands,
) {
    let now = time.elapsed_secs_f64();
    end_showing(&mut playback, now, Ending::Stopped, None, &mut record);
    playback.showing = Showing::Holding;
    playback.drop_preparing();
    let lingering = playback.lingering.take();
    playback.retired.extend(lingering);
    for slide in playback.retired.drain(..) {
        commands.entity(slide).despawn();
    }
    screen.hide();
}

/// On exit: the item on screen ends as `stopped`, then `app_stopped`.
pub fn stop_on_exit(
    mut exits: MessageReader<AppExit>,
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
) {
    if exits.read().next().is_none() {
        return;
    }
    let now = time.elapsed_secs_f64();
    end_showing(&mut playback, now, Ending::Stopped, None, &mut record);
    playback.preparing = None;
    // A restart the player asks for itself says so: it is no downtime.
    let restart = crate::config::plugin::requested_restart();
    record.event(Event::AppStopped {
        reason: match restart {
            Some(_) => "restart requested",
            None => "exit requested",
        }
        .into(),
        restart: restart.map(Into::into),
    });
}
