//! infokiosk: a kiosk player for outdoor information screens.
//!
//! `AppPlugin` composes the player from one plugin per concern; the pure
//! modules (config, content, journal) know nothing of Bevy or GStreamer.
//! Without the `player` feature only the pure modules are built: the
//! parsers and logic that fuzz/ exercises.

pub mod backup;
pub mod captions;
pub mod config;
pub mod content;
pub mod durable;
pub mod fleet;
pub mod guard;
pub mod journal;
pub mod outbox;
pub mod playlist;
pub mod report;
pub mod schedule;
pub mod text;

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(feature = "player")]
mod app;
#[cfg(feature = "player")]
pub mod bench;
#[cfg(feature = "player")]
pub mod clock;
#[cfg(feature = "player")]
pub mod command;
#[cfg(feature = "player")]
pub mod display;
#[cfg(feature = "player")]
pub mod fonts;
#[cfg(feature = "player")]
pub mod health;
#[cfg(feature = "player")]
pub mod hooks;
#[cfg(feature = "player")]
pub mod job;
#[cfg(feature = "player")]
mod logging;
#[cfg(feature = "player")]
pub mod media;
#[cfg(feature = "player")]
pub mod overlay;
#[cfg(feature = "player")]
pub mod pacing;
#[cfg(feature = "player")]
pub mod player;
#[cfg(feature = "player")]
pub mod screen_state;
#[cfg(feature = "player")]
pub mod wake;

#[cfg(feature = "player")]
pub use app::{AppPlugin, Outcome, RunOptions, run};
