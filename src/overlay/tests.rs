//! The overlay's requests on a tiny App (no window, no egui): PIN attempts
//! and lockout with the kiosk clock, and the override the emergency switch
//! sets, read back from the journal.

use std::path::Path;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::actions::{CloseWhy, OverlayAction, apply_overlay_actions};
use super::pin::{Secret, hash_pin};
use super::{Overlay, OverlaySettings, Preset, View};
use crate::clock::Clock;
use crate::config::{KioskConfig, PinEntry};
use crate::content::plugin::RescanNow;
use crate::display::SetDisplayPower;
use crate::journal::plugin::Recorder;
use crate::journal::{Journal, month_files, read_file};
use crate::player::PlaybackCommand;
use crate::schedule::plugin::{Operating, SchedulePlugin};
use crate::schedule::{OverrideSource, Power};

/// 08:00 in Ho Chi Minh City: inside operating hours.
const START: &str = "2026-11-28T01:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn app(dir: &Path) -> App {
    let mut config = KioskConfig {
        content_dir: dir.join("content"),
        data_dir: dir.join("data"),
        ..default()
    };
    config.overlay.pins = vec![PinEntry {
        role: "border-guard".into(),
        hash: hash_pin("2468").unwrap(),
    }];
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin))
        // A clock that stands still until the test moves it.
        .insert_resource(Clock::starting_at(at(START), 0.0))
        .insert_resource(Recorder::synchronous(
            Journal::open(&config.journal_dir(), "test", chrono_tz::Asia::Ho_Chi_Minh).unwrap(),
        ))
        .add_message::<SetDisplayPower>()
        .add_message::<PlaybackCommand>()
        .add_message::<RescanNow>()
        .add_plugins(SchedulePlugin {
            schedule: config.operating_schedule(),
            control_file: dir.join("content/control.yaml"),
            state_file: None,
        })
        .insert_resource(OverlaySettings::from_config(&config))
        .init_resource::<Overlay>()
        .init_resource::<super::self_test::SelfTest>()
        .add_message::<OverlayAction>()
        .add_systems(Update, apply_overlay_actions);
    app.update();
    app
}

fn send(app: &mut App, action: OverlayAction) {
    app.world_mut().write_message(action);
    // The action, then the override request it made.
    app.update();
    app.update();
}

fn journal(dir: &Path) -> Vec<Value> {
    month_files(&dir.join("data/journal"))
        .iter()
        .flat_map(|f| read_file(f).records)
        .collect()
}

fn events(dir: &Path, name: &str) -> Vec<Value> {
    journal(dir)
        .into_iter()
        .filter(|r| r["event"] == name)
        .collect()
}

fn show_pin_prompt(app: &mut App) {
    app.world_mut().resource_mut::<Overlay>().view = View::Unlock(default());
}

fn pin(text: &str) -> OverlayAction {
    OverlayAction::TryPin(Secret(text.into()))
}

#[test]
fn five_wrong_pins_lock_until_the_clock_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    show_pin_prompt(&mut app);
    for _ in 0..5 {
        send(&mut app, pin("1111"));
    }
    let attempts = events(dir.path(), "admin_attempt");
    assert_eq!(attempts.len(), 5);
    assert!(
        attempts
            .iter()
            .all(|a| a["ok"] == false && a.get("role").is_none())
    );
    let locked = events(dir.path(), "admin_locked");
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0]["until"], "2026-11-28T01:05:00Z");
    assert_eq!(locked[0]["minutes"], 5);
    assert!(
        !journal(dir.path())
            .iter()
            .any(|r| r.to_string().contains("1111"))
    );

    // Locked: even the right PIN is not taken, nor journaled.
    send(&mut app, pin("2468"));
    assert_eq!(events(dir.path(), "admin_attempt").len(), 5);
    assert!(!app.world().resource::<Overlay>().is_unlocked());

    // Five minutes on (the kiosk clock, as --clock moves it), the right PIN opens.
    let later = at(START) + Duration::minutes(5);
    app.insert_resource(Clock::starting_at(later, 0.0));
    send(&mut app, pin("2468"));
    assert!(app.world().resource::<Overlay>().is_unlocked());
    let attempts = events(dir.path(), "admin_attempt");
    assert_eq!(attempts.len(), 6);
    assert_eq!(
        (&attempts[5]["ok"], &attempts[5]["role"]),
        (&true.into(), &"border-guard".into())
    );
    assert_eq!(
        events(dir.path(), "admin_unlocked")[0]["role"],
        "border-guard"
    );
}

#[test]
fn screen_off_for_an_hour_sets_the_override_with_who_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    show_pin_prompt(&mut app);
    // Before unlocking, nothing but a PIN is taken.
    send(&mut app, OverlayAction::Quit);
    assert!(events(dir.path(), "admin_action").is_empty());
    send(&mut app, pin("2468"));

    // A blank reason is refused.
    let off = |reason: &str| OverlayAction::Emergency {
        action: Power::Off,
        preset: Preset::OneHour,
        reason: reason.into(),
    };
    send(&mut app, off("  "));
    assert!(app.world().resource::<Operating>().active.is_none());

    send(&mut app, off("Diễn tập biên phòng"));
    let active = app.world().resource::<Operating>().active.clone().unwrap();
    assert_eq!(active.action, Power::Off);
    assert_eq!(active.until, Some(at("2026-11-28T02:00:00Z")));
    assert_eq!(active.by, "border-guard");
    assert_eq!(active.source, OverrideSource::Overlay);
    let set = events(dir.path(), "override_set");
    assert_eq!(set.len(), 1);
    assert_eq!(set[0]["reason"], "Diễn tập biên phòng");
    assert_eq!(set[0]["by"], "border-guard");
    assert_eq!(set[0]["source"], "overlay");
    assert_eq!(set[0]["until"], "2026-11-28T02:00:00Z");
    let action = &events(dir.path(), "admin_action")[0];
    assert_eq!(action["action"], "screen_off");
    assert_eq!(action["by"], "border-guard");
    assert!(
        events(dir.path(), "closed")[0]["reason"]
            .as_str()
            .unwrap()
            .contains("Diễn tập biên phòng")
    );

    send(
        &mut app,
        OverlayAction::ClearOverride {
            reason: String::new(),
        },
    );
    assert!(app.world().resource::<Operating>().active.is_none());
    assert_eq!(
        events(dir.path(), "override_ended")[0]["by"],
        "border-guard"
    );

    send(&mut app, OverlayAction::Close(CloseWhy::Escape));
    assert!(app.world().resource::<Overlay>().is_closed());
    let actions = events(dir.path(), "admin_action");
    let names: Vec<_> = actions
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["screen_off", "clear_override", "overlay_closed"]);
    assert_eq!(actions[2]["reason"], "esc");
}

#[test]
fn playback_and_quit_are_sent_and_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    show_pin_prompt(&mut app);
    send(&mut app, pin("2468"));
    send(
        &mut app,
        OverlayAction::Playback(PlaybackCommand::SetVolume(0.0)),
    );
    send(&mut app, OverlayAction::Rescan);
    send(&mut app, OverlayAction::Quit);
    let actions = events(dir.path(), "admin_action");
    let names: Vec<_> = actions
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["volume", "reload_content", "quit"]);
    assert_eq!(actions[0]["detail"], "0%");
    assert_eq!(app.should_exit(), Some(AppExit::Success));
}
