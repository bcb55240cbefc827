//! The overlay's requests on a tiny App (no window, no egui): PIN attempts
//! and lockout with the kiosk clock (kept across a restart), what each role
//! may do, and the override the emergency switch sets, read back from the
//! journal.

use std::path::Path;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::actions::{CloseWhy, OverlayAction, apply_overlay_actions, restore_lockout};
use super::look_back::{LookBack, collect_look_back};
use super::pin::{Secret, hash_pin};
use super::{Overlay, OverlaySettings, Preset, View};
use crate::clock::Clock;
use crate::config::{KioskConfig, PinEntry, Role};
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

/// The border guard's PIN; the technician's is [`TECH_PIN`], the admin's [`ADMIN_PIN`].
const PIN: &str = "246810";
const TECH_PIN: &str = "135799";
const ADMIN_PIN: &str = "975311";

fn entry(role: &str, name: Option<&str>, pin: &str) -> PinEntry {
    PinEntry {
        role: role.into(),
        name: name.map(Into::into),
        hash: hash_pin(pin).unwrap(),
        min_length: Some(6),
    }
}

fn app(dir: &Path) -> App {
    app_at(dir, at(START))
}

/// The overlay on a kiosk clock standing at `start`, as the player starts:
/// the lockout kept in `data/state` is restored first.
fn app_at(dir: &Path, start: DateTime<Utc>) -> App {
    let mut config = KioskConfig {
        content_dir: dir.join("content"),
        data_dir: dir.join("data"),
        ..default()
    };
    config.overlay.pins = vec![
        entry("border-guard", None, PIN),
        entry("technician", Some("Trần Văn Bình"), TECH_PIN),
        entry("admin", Some("Lê Thị Hoa"), ADMIN_PIN),
    ];
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin))
        // A clock that stands still until the test moves it.
        .insert_resource(Clock::starting_at(start, 0.0))
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
            control_state: None,
            control_keys: None,
        })
        .insert_resource(OverlaySettings::from_config(&config))
        .init_resource::<Overlay>()
        .init_resource::<super::self_test::SelfTest>()
        .init_resource::<LookBack>()
        .add_message::<OverlayAction>()
        .add_systems(Startup, restore_lockout)
        .add_systems(Update, (apply_overlay_actions, collect_look_back).chain());
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
    send(&mut app, pin(PIN));
    assert_eq!(events(dir.path(), "admin_attempt").len(), 5);
    assert!(!app.world().resource::<Overlay>().is_unlocked());

    // Five minutes on (the kiosk clock, as --clock moves it), the right PIN opens.
    let later = at(START) + Duration::minutes(5);
    app.insert_resource(Clock::starting_at(later, 0.0));
    send(&mut app, pin(PIN));
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
    send(&mut app, pin(PIN));

    // A blank reason is refused.
    let off = |reason: &str| OverlayAction::Emergency {
        action: Power::Off,
        preset: Preset::OneHour,
        reason: reason.into(),
        requested_by: String::new(),
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
    send(&mut app, pin(ADMIN_PIN));
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
    assert!(actions.iter().all(|a| a["by"] == "Lê Thị Hoa (admin)"));
    assert_eq!(app.should_exit(), Some(AppExit::Success));
}

fn sent<M: Message>(app: &App) -> usize {
    app.world()
        .resource::<Messages<M>>()
        .iter_current_update_messages()
        .count()
}

/// Sends `action` and says whether it reached its plugin (a message, an
/// override or an exit) in the frame it was applied.
fn goes_through(app: &mut App, action: OverlayAction) -> bool {
    let before = app.world().resource::<Operating>().active.clone();
    app.world_mut().write_message(action);
    app.update();
    let out = sent::<PlaybackCommand>(app) + sent::<RescanNow>(app);
    app.update();
    let after = app.world().resource::<Operating>().active.clone();
    out > 0 || before != after || app.should_exit().is_some()
}

#[test]
fn each_role_may_do_its_own_part_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let off = |reason: &str| OverlayAction::Emergency {
        action: Power::Off,
        preset: Preset::UntilCleared,
        reason: reason.into(),
        requested_by: "Sở TT&TT, công văn 12".into(),
    };
    let clear = OverlayAction::ClearOverride {
        reason: "all clear".into(),
    };
    let next = || OverlayAction::Playback(PlaybackCommand::Next);

    // The Border Guard: the switch, and not the player's controls nor Quit.
    let mut app = app(dir.path());
    show_pin_prompt(&mut app);
    send(&mut app, pin(PIN));
    assert!(!goes_through(&mut app, next()));
    assert!(!goes_through(&mut app, OverlayAction::Rescan));
    assert!(!goes_through(&mut app, OverlayAction::SelfTest));
    assert!(
        !app.world()
            .resource::<super::self_test::SelfTest>()
            .is_running()
    );
    assert!(!goes_through(&mut app, OverlayAction::Quit));
    assert!(goes_through(&mut app, off("diễn tập")));
    let active = app.world().resource::<Operating>().active.clone().unwrap();
    assert_eq!(active.requested_by, "Sở TT&TT, công văn 12");
    assert!(goes_through(&mut app, clear.clone()));

    // The technician: the controls, and neither the switch nor Quit.
    send(&mut app, OverlayAction::Close(CloseWhy::Button));
    show_pin_prompt(&mut app);
    send(&mut app, pin(TECH_PIN));
    assert!(!goes_through(&mut app, off("thử")));
    assert!(app.world().resource::<Operating>().active.is_none());
    assert!(!goes_through(&mut app, OverlayAction::Quit));
    assert!(goes_through(&mut app, next()));
    assert!(goes_through(&mut app, OverlayAction::Rescan));

    let journal = journal(dir.path());
    let actions: Vec<(String, String, String)> = journal
        .iter()
        .filter(|r| r["event"] == "admin_action")
        .map(|a| {
            let text = |k: &str| a[k].as_str().unwrap_or("").to_owned();
            (text("action"), text("detail"), text("by"))
        })
        .collect();
    let row = |a: &str, d: &str, by: &str| (a.to_owned(), d.to_owned(), by.to_owned());
    let guard = "border-guard";
    let tech = "Trần Văn Bình (technician)";
    assert_eq!(
        actions,
        [
            row("refused", "next", guard),
            row("refused", "reload_content", guard),
            row("refused", "self_test", guard),
            row("refused", "quit", guard),
            row("screen_off", "until cleared", guard),
            row("clear_override", "", guard),
            row("overlay_closed", "", guard),
            row("refused", "screen_off", tech),
            row("refused", "quit", tech),
            row("next", "", tech),
            row("reload_content", "", tech),
        ]
    );
    let refused = events(dir.path(), "admin_action");
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("border-guard")
    );
    let switch = &refused[4];
    assert_eq!(switch["requested_by"], "Sở TT&TT, công văn 12");
    let unlocked = events(dir.path(), "admin_unlocked");
    assert_eq!(
        (&unlocked[1]["role"], &unlocked[1]["name"]),
        (&"technician".into(), &"Trần Văn Bình".into())
    );
    assert!(unlocked[0].get("name").is_none());
}

#[test]
fn the_lockout_holds_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    show_pin_prompt(&mut app);
    for _ in 0..5 {
        send(&mut app, pin("111111"));
    }
    assert_eq!(events(dir.path(), "admin_locked").len(), 1);
    // Pull the plug: no exit systems run, the next start reads the state.
    drop(app);
    let mut app = app_at(dir.path(), at(START) + Duration::minutes(2));
    show_pin_prompt(&mut app);
    send(&mut app, pin(PIN));
    assert!(!app.world().resource::<Overlay>().is_unlocked());
    assert_eq!(events(dir.path(), "admin_attempt").len(), 5);

    // The next start after the lockout's end takes the right PIN.
    drop(app);
    let mut app = app_at(dir.path(), at(START) + Duration::minutes(5));
    show_pin_prompt(&mut app);
    send(&mut app, pin(PIN));
    assert!(app.world().resource::<Overlay>().is_unlocked());
    // And a right PIN forgives: the file says so.
    let kept = std::fs::read_to_string(dir.path().join("data/state/pin-lockout.json")).unwrap();
    let kept: Value = serde_json::from_str(&kept).unwrap();
    assert_eq!(
        (&kept["failures"], &kept["until"]),
        (&0.into(), &Value::Null)
    );
}

#[test]
fn a_damaged_lockout_file_is_journaled_and_locks_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data/state/pin-lockout.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{\"failures\": 4, \"lockouts").unwrap();
    let mut app = app(dir.path());
    let locked = events(dir.path(), "admin_locked");
    assert_eq!(locked.len(), 1);
    assert_eq!(locked[0]["until"], "2026-11-28T01:05:00Z");
    let reason = locked[0]["reason"].as_str().unwrap();
    assert!(reason.contains(&file.display().to_string()), "{reason}");
    show_pin_prompt(&mut app);
    send(&mut app, pin(PIN));
    assert!(!app.world().resource::<Overlay>().is_unlocked());
    // Replaced by a good file: the next start, after the lockout, opens.
    drop(app);
    let mut app = app_at(dir.path(), at(START) + Duration::minutes(5));
    assert_eq!(events(dir.path(), "admin_locked").len(), 1);
    show_pin_prompt(&mut app);
    send(&mut app, pin(PIN));
    assert!(app.world().resource::<Overlay>().is_unlocked());
}

#[test]
fn quit_is_for_admins_and_the_switch_for_guards_and_admins() {
    let off = OverlayAction::Emergency {
        action: Power::Off,
        preset: Preset::OneHour,
        reason: "x".into(),
        requested_by: String::new(),
    };
    let next = OverlayAction::Playback(PlaybackCommand::Next);
    let who = |action: &OverlayAction| -> Vec<Option<Role>> {
        [
            Some(Role::Admin),
            Some(Role::BorderGuard),
            Some(Role::Technician),
            None,
        ]
        .into_iter()
        .filter(|&r| action.allowed_for(r))
        .collect()
    };
    assert_eq!(who(&OverlayAction::Quit), [Some(Role::Admin)]);
    assert_eq!(who(&off), [Some(Role::Admin), Some(Role::BorderGuard)]);
    assert_eq!(who(&next), [Some(Role::Admin), Some(Role::Technician)]);
    assert_eq!(
        who(&OverlayAction::SelfTest),
        [Some(Role::Admin), Some(Role::Technician)]
    );
    assert_eq!(who(&OverlayAction::Close(CloseWhy::Button)).len(), 4);
}

#[test]
fn the_now_page_looks_back_with_the_answer_of_infokiosk_at() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    show_pin_prompt(&mut app);
    send(&mut app, pin(PIN));
    // Three minutes later the guard asks what was on screen at 08:02.
    let now = at("2026-11-28T01:03:00Z");
    app.insert_resource(Clock::starting_at(now, 0.0));
    let ask = |app: &mut App, time: &str| {
        let time = time.into();
        send(app, OverlayAction::LookBack { time });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while app.world().resource::<LookBack>().is_running() {
            assert!(std::time::Instant::now() < deadline, "no answer");
            std::thread::sleep(std::time::Duration::from_millis(5));
            app.update();
        }
        app.world_mut().resource_mut::<LookBack>().last.take()
    };
    let answer = ask(&mut app, "08:02").expect("answered").unwrap();
    let data = dir.path().join("data");
    let expected = crate::journal::at::on_screen_at(
        &data.join("journal"),
        &data.join("objects"),
        chrono_tz::Asia::Ho_Chi_Minh,
        at("2026-11-28T01:02:00Z"),
        now,
    );
    assert_eq!(answer, expected, "the answer of `infokiosk at`");
    assert_eq!(
        answer.screen.as_ref().map(|s| s.state.as_str()),
        Some("open")
    );
    let asked = events(dir.path(), "admin_action");
    let asked = asked.iter().find(|a| a["action"] == "look_back").unwrap();
    assert_eq!(
        (&asked["detail"], &asked["by"]),
        (&"08:02".into(), &"border-guard".into())
    );

    let why = ask(&mut app, "8h02").expect("answered").unwrap_err();
    assert!(why.contains("expected a local time like 09:15"), "{why}");
}
