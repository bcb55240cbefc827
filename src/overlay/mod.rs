//! The admin overlay (bevy_egui): a hotkey opens it over the playing
//! content, a PIN unlocks it, and it shows why the kiosk shows what it shows
//! and lets a technician or the Border Guard act: playback, emergency screen
//! off/on, reload, quit. Every attempt and action goes to the journal.
//!
//! - `keys.rs`: hotkey, Esc and the idle timeout; `actions.rs`: what a
//!   request from the UI does; `ui/`: the egui pages; `self_test.rs`: the
//!   checks of `infokiosk check`, on a thread; `look_back.rs`: `infokiosk
//!   at` for a time of the last 24 hours, on a thread.
//! - Pure parts: `lockout.rs` (kept in `data_dir/state/pin-lockout.json`),
//!   `pin.rs`, `roles.rs` (what each role may do), `emergency.rs`,
//!   `config_edit.rs`.

mod actions;
pub mod config_edit;
mod emergency;
mod figures;
mod keys;
mod labels;
mod lockout;
pub mod log_tail;
mod look_back;
pub mod pin;
mod roles;
mod self_test;
#[cfg(test)]
mod tests;
mod ui;

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::EguiPrimaryContextPass;
use chrono_tz::Tz;

use crate::config::{DisplayBackend, Hotkey, KioskConfig, OverlayConfig, PinEntry, Role};
use crate::pacing::Pace;

pub use actions::{CloseWhy, OverlayAction};
pub use emergency::{Preset, emergency_override};
pub use lockout::{Lockout, LockoutFileError};

/// What the overlay needs from the configuration.
#[derive(Resource, Debug, Clone)]
pub struct OverlaySettings {
    /// The whole config, for the self-test.
    pub kiosk: KioskConfig,
    pub config: OverlayConfig,
    pub hotkey: Hotkey,
    pub content_dir: PathBuf,
    pub data_dir: PathBuf,
    pub journal_dir: PathBuf,
    pub display_backend: DisplayBackend,
    pub time_zone: Tz,
}

impl OverlaySettings {
    pub fn from_config(config: &KioskConfig) -> Self {
        Self {
            kiosk: config.clone(),
            config: config.overlay.clone(),
            hotkey: config.hotkey(),
            content_dir: config.content_dir.clone(),
            data_dir: config.data_dir.clone(),
            journal_dir: config.journal_dir(),
            display_backend: config.display.backend,
            time_zone: config.operating_schedule().timezone(),
        }
    }

    /// Where the PIN lockout is kept across restarts.
    pub fn lockout_file(&self) -> PathBuf {
        self.data_dir.join("state/pin-lockout.json")
    }
}

/// The overlay's state: what is up, the lockout, the last key press.
#[derive(Resource, Default)]
pub struct Overlay {
    view: View,
    lockout: Lockout,
    /// Real seconds at the last key press or click (the idle timeout).
    last_input: f64,
}

impl Overlay {
    pub fn is_closed(&self) -> bool {
        matches!(self.view, View::Closed)
    }

    /// Unlocked with a PIN: the pages and controls are up.
    pub fn is_unlocked(&self) -> bool {
        matches!(self.view, View::Open(_))
    }
}

#[derive(Default)]
enum View {
    #[default]
    Closed,
    /// No PIN configured: a note on how to set one.
    NoPin,
    Unlock(UnlockForm),
    Open(Session),
}

#[derive(Default)]
struct UnlockForm {
    pin: String,
    /// Tries left after the last wrong PIN, to say so.
    tries_left: Option<u32>,
    /// Put the keyboard focus on the PIN field next frame.
    focus: bool,
}

/// An unlocked overlay: who unlocked it, the page, the forms.
struct Session {
    /// The person and role, as the journal says it: `Name (role)`.
    who: String,
    /// What the PIN may do; `None` for a role name that is no known role.
    role: Option<Role>,
    page: Page,
    /// Put the keyboard focus on the page's first control next frame.
    focus: bool,
    reason: String,
    /// Who asked for the emergency switch (the Department's request).
    requested_by: String,
    preset: Preset,
    /// The result of the last action, shown under the controls.
    notice: Option<String>,
    /// Quit asks twice: the first press arms it until then (real seconds).
    quit_armed_until: Option<f64>,
    /// The volume to go back to on "unmute".
    volume_before_mute: Option<f64>,
    /// The Now page's look-back: a local time, `HH:MM`.
    look_back: String,
}

impl Session {
    fn new(entry: &PinEntry) -> Self {
        Self {
            who: entry.who(),
            role: entry.known_role(),
            page: Page::Now,
            focus: true,
            reason: String::new(),
            requested_by: String::new(),
            preset: Preset::OneHour,
            notice: None,
            quit_armed_until: None,
            volume_before_mute: None,
            look_back: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Page {
    #[default]
    Now,
    Content,
    Health,
    Controls,
    Emergency,
}

/// The overlay answers keys and clicks at the display rate while it is up.
fn keep_drawing_while_open(overlay: Res<Overlay>, mut pace: ResMut<Pace>) {
    if !overlay.is_closed() {
        pace.keep_drawing();
    }
}

/// The admin overlay. Needs `bevy_egui::EguiPlugin`, the schedule, player,
/// content watch and display plugins.
pub struct OverlayPlugin {
    pub settings: OverlaySettings,
}

impl OverlayPlugin {
    pub fn new(config: &KioskConfig) -> Self {
        Self {
            settings: OverlaySettings::from_config(config),
        }
    }
}

impl Plugin for OverlayPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .init_resource::<Overlay>()
            .init_resource::<Pace>()
            .init_resource::<figures::HealthFigures>()
            .init_resource::<log_tail::LogTail>()
            .init_resource::<self_test::SelfTest>()
            .init_resource::<look_back::LookBack>()
            .add_message::<OverlayAction>()
            .add_systems(Startup, actions::restore_lockout)
            .add_systems(
                Update,
                (
                    keys::watch_keys,
                    actions::apply_overlay_actions,
                    figures::refresh_health_figures,
                    self_test::collect_self_test,
                    look_back::collect_look_back,
                    keys::show_cursor_while_open,
                    keep_drawing_while_open,
                )
                    .chain(),
            )
            .add_systems(EguiPrimaryContextPass, ui::draw_overlay);
    }
}
