//! The player's app state: starting, open or closed. The schedule plugin
//! moves it; display power, playback, the ticker, the status strip, backups,
//! health and the journal react to it with `OnEnter`/`OnExit` systems or
//! `in_state` conditions of their own. This module knows none of them.

use bevy::prelude::*;

/// Whether the screen shows content. `Starting` until the first look at
/// the schedule (in the first frame).
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScreenState {
    #[default]
    Starting,
    Open,
    Closed,
}

impl ScreenState {
    /// `starting`, `open` or `closed`, as the journal's heartbeat says it.
    pub fn name(self) -> &'static str {
        match self {
            ScreenState::Starting => "starting",
            ScreenState::Open => "open",
            ScreenState::Closed => "closed",
        }
    }
}
