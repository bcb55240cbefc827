//! The keys around the overlay: the hotkey opens it, Esc and the idle
//! timeout close it. Read from the key events in order (not the pressed-key
//! set), so a chord typed faster than a frame is still seen.

use bevy::input::ButtonState;
use bevy::input::keyboard::{KeyboardFocusLost, KeyboardInput};
use bevy::input::mouse::MouseButtonInput;
use bevy::prelude::*;
use bevy::window::{CursorOptions, PrimaryWindow};

use super::actions::{CloseWhy, OverlayAction};
use super::{Overlay, OverlaySettings, UnlockForm, View};
use crate::config::{Hotkey, HotkeyKey};

/// The modifier keys held now, as the key events told.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Held {
    ctrl: [bool; 2],
    alt: [bool; 2],
    shift: [bool; 2],
}

impl Held {
    fn update(&mut self, key: KeyCode, down: bool) {
        let slot = match key {
            KeyCode::ControlLeft => &mut self.ctrl[0],
            KeyCode::ControlRight => &mut self.ctrl[1],
            KeyCode::AltLeft => &mut self.alt[0],
            KeyCode::AltRight => &mut self.alt[1],
            KeyCode::ShiftLeft => &mut self.shift[0],
            KeyCode::ShiftRight => &mut self.shift[1],
            _ => return,
        };
        *slot = down;
    }

    /// Whether `key` pressed now, with these modifiers held, is the hotkey.
    fn is_hotkey(&self, hotkey: &Hotkey, key: KeyCode) -> bool {
        let any = |pair: [bool; 2]| pair[0] || pair[1];
        key == key_code(hotkey.key)
            && any(self.ctrl) == hotkey.ctrl
            && any(self.alt) == hotkey.alt
            && any(self.shift) == hotkey.shift
    }
}

/// The physical key of a configured hotkey key.
#[rustfmt::skip]
pub(super) fn key_code(key: HotkeyKey) -> KeyCode {
    const LETTERS: [KeyCode; 26] = [
        KeyCode::KeyA, KeyCode::KeyB, KeyCode::KeyC, KeyCode::KeyD, KeyCode::KeyE,
        KeyCode::KeyF, KeyCode::KeyG, KeyCode::KeyH, KeyCode::KeyI, KeyCode::KeyJ,
        KeyCode::KeyK, KeyCode::KeyL, KeyCode::KeyM, KeyCode::KeyN, KeyCode::KeyO,
        KeyCode::KeyP, KeyCode::KeyQ, KeyCode::KeyR, KeyCode::KeyS, KeyCode::KeyT,
        KeyCode::KeyU, KeyCode::KeyV, KeyCode::KeyW, KeyCode::KeyX, KeyCode::KeyY,
        KeyCode::KeyZ,
    ];
    const DIGITS: [KeyCode; 10] = [
        KeyCode::Digit0, KeyCode::Digit1, KeyCode::Digit2, KeyCode::Digit3, KeyCode::Digit4,
        KeyCode::Digit5, KeyCode::Digit6, KeyCode::Digit7, KeyCode::Digit8, KeyCode::Digit9,
    ];
    const FUNCTIONS: [KeyCode; 12] = [
        KeyCode::F1, KeyCode::F2, KeyCode::F3, KeyCode::F4, KeyCode::F5, KeyCode::F6,
        KeyCode::F7, KeyCode::F8, KeyCode::F9, KeyCode::F10, KeyCode::F11, KeyCode::F12,
    ];
    match key {
        HotkeyKey::Letter(c) => LETTERS[(c as u8 - b'A') as usize],
        HotkeyKey::Digit(d) => DIGITS[d as usize],
        HotkeyKey::Function(n) => FUNCTIONS[(n - 1) as usize],
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one system reads every input that counts as activity"
)]
pub(super) fn watch_keys(
    mut keys: MessageReader<KeyboardInput>,
    mut clicks: MessageReader<MouseButtonInput>,
    mut focus_lost: MessageReader<KeyboardFocusLost>,
    mut held: Local<Held>,
    settings: Res<OverlaySettings>,
    time: Res<Time<Real>>,
    mut overlay: ResMut<Overlay>,
    mut actions: MessageWriter<OverlayAction>,
) {
    let now = time.elapsed_secs_f64();
    if focus_lost.read().count() > 0 {
        *held = Held::default();
    }
    if clicks.read().any(|c| c.state == ButtonState::Pressed) {
        overlay.last_input = now;
    }
    for key in keys.read() {
        let down = key.state == ButtonState::Pressed;
        held.update(key.key_code, down);
        if !down {
            continue;
        }
        overlay.last_input = now;
        if key.repeat {
            continue;
        }
        if overlay.is_closed() && held.is_hotkey(&settings.hotkey, key.key_code) {
            overlay.view = if settings.config.pins.is_empty() {
                warn!("admin overlay asked for, but no PIN is set (infokiosk pin)");
                View::NoPin
            } else {
                View::Unlock(UnlockForm {
                    focus: true,
                    ..default()
                })
            };
        } else if !overlay.is_closed() && key.key_code == KeyCode::Escape {
            actions.write(OverlayAction::Close(CloseWhy::Escape));
        }
    }
    let idle = now - overlay.last_input;
    if !overlay.is_closed() && idle > settings.config.idle_seconds as f64 {
        overlay.last_input = now;
        actions.write(OverlayAction::Close(CloseWhy::Idle));
    }
}

/// A mouse may be plugged in for the overlay: show the cursor while it is
/// up, and put it back as it was (hidden on a fullscreen kiosk) after.
pub(super) fn show_cursor_while_open(
    overlay: Res<Overlay>,
    mut cursor: Query<&mut CursorOptions, With<PrimaryWindow>>,
    mut usual: Local<Option<bool>>,
) {
    let Ok(mut cursor) = cursor.single_mut() else {
        return;
    };
    let usual = *usual.get_or_insert(cursor.visible);
    let wanted = usual || !overlay.is_closed();
    if cursor.visible != wanted {
        cursor.visible = wanted;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_need_exactly_their_modifiers() {
        let hotkey = Hotkey::parse("Ctrl+Alt+A").unwrap();
        let mut held = Held::default();
        assert!(!held.is_hotkey(&hotkey, KeyCode::KeyA));
        held.update(KeyCode::ControlLeft, true);
        held.update(KeyCode::AltRight, true);
        assert!(held.is_hotkey(&hotkey, KeyCode::KeyA));
        assert!(!held.is_hotkey(&hotkey, KeyCode::KeyB));
        held.update(KeyCode::ShiftLeft, true);
        assert!(
            !held.is_hotkey(&hotkey, KeyCode::KeyA),
            "Shift was not asked for"
        );
        held.update(KeyCode::ShiftLeft, false);
        held.update(KeyCode::ControlLeft, false);
        assert!(!held.is_hotkey(&hotkey, KeyCode::KeyA));
    }

    #[test]
    fn every_configurable_key_has_its_key_code() {
        assert_eq!(key_code(HotkeyKey::Letter('A')), KeyCode::KeyA);
        assert_eq!(key_code(HotkeyKey::Letter('Z')), KeyCode::KeyZ);
        assert_eq!(key_code(HotkeyKey::Digit(7)), KeyCode::Digit7);
        assert_eq!(key_code(HotkeyKey::Function(12)), KeyCode::F12);
    }
}
