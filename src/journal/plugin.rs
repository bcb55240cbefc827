//! Bevy glue for the journal: the `Recorder` resource and the `Record`
//! system parameter that stamps events with the kiosk clock.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::{Event, Journal};
use crate::clock::Clock;

/// The open journal. `None` when it could not be opened (the error was
/// logged; the kiosk keeps playing rather than going dark over a full disk).
#[derive(Resource, Default)]
pub struct Recorder(pub Option<Journal>);

/// Writes journal events stamped with the kiosk [`Clock`].
#[derive(SystemParam)]
pub struct Record<'w> {
    recorder: ResMut<'w, Recorder>,
    clock: Res<'w, Clock>,
}

impl Record<'_> {
    pub fn event(&mut self, event: Event) {
        let now = self.clock.now();
        let Some(journal) = self.recorder.0.as_mut() else {
            return;
        };
        if let Err(e) = journal.append(now, &event) {
            error!("{e}");
        }
    }
}
