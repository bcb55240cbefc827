//! The schedule plugin on a bare `App`: the screen follows the hours, the
//! override requests and `control.yaml`, across restarts.

use std::path::Path;

use bevy::state::app::StatesPlugin;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::*;
use crate::journal::plugin::Recorder;
use crate::journal::{Journal, month_files, read_file};
use crate::schedule::{OverrideSource, Power, ScheduleConfig};
use crate::test_support::{HCM, hcm};

/// The schedule plugin alone, on a kiosk clock that stands still at
/// `start` (Ho Chi Minh wall clock) until the test moves it. The legal
/// hours: 07:00-11:00 and 14:00-18:00.
fn app(dir: &Path, start: &str) -> App {
    app_with(dir, start, None, None)
}

/// [`app`] with the state files under `dir/state` (or none) and control keys.
fn app_with(dir: &Path, start: &str, state: Option<&Path>, keys: Option<ControlKeys>) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin))
        .insert_resource(Clock::starting_at(hcm(start), 0.0))
        .insert_resource(Recorder::synchronous(
            Journal::open(&dir.join("journal"), "test", HCM).unwrap(),
        ))
        .add_plugins(SchedulePlugin {
            schedule: OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap(),
            control_file: dir.join("control.yaml"),
            state_file: state.map(|s| s.join("override.json")),
            control_state: state.map(|s| s.join("control.json")),
            control_keys: keys,
        });
    app
}

/// The player with its state under `dir/state` as `app.rs` makes it, after one frame: each
/// call is a start, after a clean stop or a power cut alike (every state file is written
/// whole before anything it records is acted on).
fn started(dir: &Path, start: &str, keys: Option<ControlKeys>) -> App {
    let mut app = app_with(dir, start, Some(&dir.join("state")), keys);
    app.update();
    app
}

fn write_control(dir: &Path, text: &str) {
    std::fs::write(dir.join("control.yaml"), text).unwrap();
}

/// The journal lines of one event.
fn lines(dir: &Path, event: &str) -> Vec<Value> {
    month_files(&dir.join("journal"))
        .iter()
        .flat_map(|f| read_file(f).records)
        .filter(|r: &Value| r["event"] == event)
        .collect()
}

fn last_reason(dir: &Path, event: &str) -> String {
    let lines = lines(dir, event);
    let last = lines.last().unwrap_or_else(|| panic!("no {event}"));
    last["reason"].as_str().unwrap().to_owned()
}

fn set_clock(app: &mut App, at: &str) {
    app.insert_resource(Clock::starting_at(hcm(at), 0.0));
}

fn screen(app: &App) -> ScreenState {
    *app.world().resource::<State<ScreenState>>().get()
}

/// The journal's events, each as `event: reason`.
fn events(dir: &Path) -> Vec<String> {
    month_files(&dir.join("journal"))
        .iter()
        .flat_map(|f| read_file(f).records)
        .map(|r: Value| format!("{}: {}", r["event"].as_str().unwrap(), r["reason"]))
        .collect()
}

fn off_until(until: &str, now: DateTime<Utc>) -> Override {
    Override {
        action: Power::Off,
        until: Some(hcm(until)),
        reason: "drill".into(),
        by: "Border Guard".into(),
        set_at: now,
        source: OverrideSource::Overlay,
        requested_by: String::new(),
        issued: None,
        signer: None,
    }
}

#[test]
fn the_screen_opens_and_closes_on_the_hour() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), "2026-11-28 06:59:59");
    assert_eq!(screen(&app), ScreenState::Starting);
    app.update();
    assert_eq!(screen(&app), ScreenState::Closed, "the first frame decides");
    set_clock(&mut app, "2026-11-28 07:00");
    app.update();
    assert_eq!(screen(&app), ScreenState::Open);
    set_clock(&mut app, "2026-11-28 10:59:59.999");
    app.update();
    assert_eq!(screen(&app), ScreenState::Open);
    set_clock(&mut app, "2026-11-28 11:00");
    app.update();
    app.update();
    assert_eq!(screen(&app), ScreenState::Closed);
    assert_eq!(
        events(dir.path()),
        [
            r#"closed: "outside operating hours""#,
            r#"opened: "inside window 07:00-11:00""#,
            r#"closed: "outside operating hours""#,
        ],
        "each change journaled once"
    );
}

#[test]
fn an_override_request_closes_the_screen_until_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path(), "2026-11-28 08:00");
    app.update();
    assert_eq!(screen(&app), ScreenState::Open);
    let now = hcm("2026-11-28 08:00");
    app.world_mut()
        .write_message(OverrideRequest::Set(off_until("2026-11-28 09:30", now)));
    app.update();
    assert_eq!(screen(&app), ScreenState::Closed, "in the same frame");
    assert!(app.world().resource::<Operating>().active.is_some());
    set_clock(&mut app, "2026-11-28 09:30");
    app.update();
    assert_eq!(screen(&app), ScreenState::Open, "the schedule holds again");
    assert!(app.world().resource::<Operating>().active.is_none());
    assert_eq!(
        events(dir.path()),
        [
            r#"opened: "inside window 07:00-11:00""#,
            r#"override_set: "drill""#,
            r#"closed: "override off by Border Guard until 2026-11-28 09:30 (+07): drill""#,
            r#"override_ended: "drill""#,
            r#"opened: "inside window 07:00-11:00""#,
        ]
    );
}

#[test]
fn control_yaml_is_read_in_the_first_frame() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("control.yaml"),
        "override: off\nreason: drill\nby: office\n",
    )
    .unwrap();
    let mut app = app(dir.path(), "2026-11-28 08:00");
    app.update();
    assert_eq!(
        screen(&app),
        ScreenState::Closed,
        "never open while the office says off"
    );
}

#[test]
fn a_restart_acts_on_no_control_file_twice() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_control(d, "override: off\nreason: drill\n");
    let mut app = started(d, "2026-11-28 08:00", None);
    assert_eq!(screen(&app), ScreenState::Closed);
    // The Border Guard ends it at the kiosk; the file stays in the folder.
    app.world_mut().write_message(OverrideRequest::Clear {
        reason: "drill over".into(),
        by: "border-guard".into(),
    });
    app.update();
    assert_eq!(screen(&app), ScreenState::Open);
    drop(app);
    let app = started(d, "2026-11-28 08:05", None);
    assert_eq!(
        screen(&app),
        ScreenState::Open,
        "the file's OFF is not applied again"
    );
    assert_eq!(lines(d, "override_set").len(), 1, "journaled once");
    drop(app);

    // A `clear` acted on, left in the folder; then OFF from the overlay.
    write_control(d, "override: clear\n");
    let mut app = started(d, "2026-11-28 08:10", None);
    assert_eq!(screen(&app), ScreenState::Open);
    let now = hcm("2026-11-28 08:10");
    app.world_mut()
        .write_message(OverrideRequest::Set(off_until("2026-11-28 10:00", now)));
    app.update();
    assert_eq!(screen(&app), ScreenState::Closed);
    drop(app);
    let app = started(d, "2026-11-28 08:20", None);
    assert_eq!(
        screen(&app),
        ScreenState::Closed,
        "a stale clear does not undo the overlay's OFF"
    );
    assert_eq!(
        lines(d, "override_ended").len(),
        1,
        "only the Border Guard's clear"
    );
}

#[test]
fn a_control_file_removed_while_stopped_ends_only_its_own_override() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_control(
        d,
        "override: off\nreason: drill\nrequested_by: Sở TT&TT\nissued: 2026-11-28T07:50+07:00\n",
    );
    let app = started(d, "2026-11-28 08:00", None);
    assert_eq!(screen(&app), ScreenState::Closed);
    let set = &lines(d, "override_set")[0];
    assert_eq!(
        (&set["requested_by"], &set["issued"], &set["signer"]),
        (
            &Value::from("Sở TT&TT"),
            &Value::from("2026-11-28T00:50:00Z"),
            &Value::Null
        ),
        "unsigned: the request is on record, no signer"
    );
    drop(app);
    std::fs::remove_file(d.join("control.yaml")).unwrap();
    let app = started(d, "2026-11-28 08:05", None);
    assert_eq!(screen(&app), ScreenState::Open);
    assert!(
        last_reason(d, "override_ended")
            .ends_with("control.yaml removed while the player was stopped"),
        "{}",
        last_reason(d, "override_ended")
    );
    drop(app);

    // The overlay's override outlives a file acted on before it.
    write_control(d, "override: clear\n");
    let mut app = started(d, "2026-11-28 08:10", None);
    let now = hcm("2026-11-28 08:10");
    app.world_mut()
        .write_message(OverrideRequest::Set(off_until("2026-11-28 10:00", now)));
    app.update();
    drop(app);
    std::fs::remove_file(d.join("control.yaml")).unwrap();
    let app = started(d, "2026-11-28 08:20", None);
    assert_eq!(screen(&app), ScreenState::Closed);
    assert_eq!(lines(d, "override_ended").len(), 1);
}

#[test]
fn with_signing_only_a_control_key_may_switch_the_screen_and_old_orders_are_refused() {
    use crate::content::TrustConfig;
    use crate::content::tests::fixtures::Office;

    let (border_guard, office) = (Office::new(), Office::new());
    let trust = TrustConfig {
        public_keys: office.trust().public_keys,
        control_keys: border_guard.trust().public_keys,
        require_signature: true,
    };
    let keys = || ControlKeys::required(&trust);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let order = |text: &str, by: &Office| {
        write_control(d, text);
        by.sign_file(&d.join("control.yaml"));
    };
    let refused = |start: &str, why: &str| {
        let app = started(d, start, keys());
        assert_eq!(screen(&app), ScreenState::Open, "{why}");
        let reason = last_reason(d, "control_rejected");
        assert!(reason.contains(why), "{why}: {reason}");
    };
    write_control(d, "override: off\nissued: 2026-11-28T07:50+07:00\n");
    refused("2026-11-28 08:00", "control.yaml.minisig is missing");
    let off =
        "override: off\nissued: 2026-11-28T07:55+07:00\nreason: drill\nrequested_by: Sở TT&TT\n";
    order(off, &office);
    refused(
        "2026-11-28 08:00",
        "which is not in trust.control_keys (unknown key)",
    );
    order("override: off\n", &border_guard);
    refused("2026-11-28 08:00", "must say when it was issued");

    order(off, &border_guard);
    let kept = [
        ("control.yaml", off.as_bytes().to_vec()),
        (
            "control.yaml.minisig",
            std::fs::read(d.join("control.yaml.minisig")).unwrap(),
        ),
    ];
    let app = started(d, "2026-11-28 08:00", keys());
    assert_eq!(screen(&app), ScreenState::Closed);
    let set = lines(d, "override_set");
    let signer = set[0]["signer"].as_str().unwrap();
    assert!(
        signer.len() == 16 && signer.chars().all(|c| c.is_ascii_hexdigit()),
        "{signer}"
    );
    assert_eq!(set[0]["requested_by"], "Sở TT&TT");
    drop(app);

    order(
        "override: on\nissued: 2026-11-28T07:00+07:00\n",
        &border_guard,
    );
    let app = started(d, "2026-11-28 08:05", keys());
    assert_eq!(screen(&app), ScreenState::Closed);
    assert!(
        last_reason(d, "control_rejected")
            .contains("issued 2026-11-28 07:00 (+07) is not after 2026-11-28 07:55 (+07)"),
        "{}",
        last_reason(d, "control_rejected")
    );
    drop(app);
    order(
        "override: clear\nissued: 2026-11-28T08:30+07:00\n",
        &border_guard,
    );
    let app = started(d, "2026-11-28 08:40", keys());
    assert_eq!(screen(&app), ScreenState::Open);
    drop(app);
    // The signed OFF put back: a replay.
    for (name, bytes) in &kept {
        std::fs::write(d.join(name), bytes).unwrap();
    }
    refused("2026-11-28 08:50", "is not after 2026-11-28 08:30 (+07)");
    assert_eq!(lines(d, "override_set").len(), 1);
}
