//! Operating hours: the schedule command in any machine time zone, the
//! screen closing and opening on the hour, and the override from the folder.

use std::time::Duration;

use crate::support::*;

const ZONES: [&str; 3] = ["UTC", "America/New_York", "Asia/Ho_Chi_Minh"];

#[test]
fn schedule_command_answers_the_same_in_every_machine_time_zone() {
    let kiosk = Kiosk::new("");
    let config = kiosk.config();
    let config = config.to_str().unwrap();
    // (instant, state, next change) — local time is UTC+7.
    let table = [
        (
            "2026-11-27T23:59:59Z",
            "closed",
            "2026-11-28T07:00:00+07:00",
        ), // 06:59:59
        ("2026-11-28T00:00:00Z", "open", "2026-11-28T11:00:00+07:00"), // 07:00:00
        ("2026-11-28T03:59:59Z", "open", "2026-11-28T11:00:00+07:00"), // 10:59:59
        (
            "2026-11-28T04:00:00Z",
            "closed",
            "2026-11-28T14:00:00+07:00",
        ), // 11:00:00
        (
            "2026-11-28T06:59:59.999Z",
            "closed",
            "2026-11-28T14:00:00+07:00",
        ),
        ("2026-11-28T07:00:00Z", "open", "2026-11-28T18:00:00+07:00"), // 14:00
        ("2026-11-28T10:59:59Z", "open", "2026-11-28T18:00:00+07:00"), // 17:59:59
        (
            "2026-11-28T11:00:00Z",
            "closed",
            "2026-11-29T07:00:00+07:00",
        ), // 18:00
        (
            "2026-12-31T17:00:00Z",
            "closed",
            "2027-01-01T07:00:00+07:00",
        ), // New Year midnight
    ];
    for (at, state, next) in table {
        let answers: Vec<String> = ZONES
            .iter()
            .map(|tz| {
                let out = cli(&["schedule", "--config", config, "--at", at, "--json"], tz);
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).unwrap()
            })
            .collect();
        assert!(
            answers.iter().all(|a| a == &answers[0]),
            "{at}: {answers:?}"
        );
        let json: serde_json::Value = serde_json::from_str(&answers[0]).unwrap();
        assert_eq!(json["state"], state, "{at}");
        assert_eq!(json["next_change"], next, "{at}");
        assert!(!json["reason"].as_str().unwrap().is_empty());
    }
}

#[test]
fn schedule_plan_lists_both_windows_every_day_and_exceptions() {
    let kiosk = Kiosk::new(
        "schedule:\n  exceptions:\n    - date: 2026-12-01\n      windows: []\n      note: drill\n",
    );
    let config = kiosk.config();
    for tz in ZONES {
        let out = cli(
            &[
                "schedule",
                "--config",
                config.to_str().unwrap(),
                "--at",
                "2026-11-28T12:00:00Z",
                "--days",
                "7",
            ],
            tz,
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // 7 days from Saturday 2026-11-28 (local 19:00): the 28th to 4 Dec.
        for day in [
            "2026-11-28",
            "2026-11-29",
            "2026-11-30",
            "2026-12-02",
            "2026-12-04",
        ] {
            assert!(text.contains(day), "{tz}: {day} missing\n{text}");
        }
        assert!(text.contains("drill"), "{text}");
        let open_days = text
            .lines()
            .filter(|l| l.contains("07:00-11:00 14:00-18:00"))
            .count();
        assert_eq!(open_days, 6, "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("2026-12-01") && l.contains("closed")),
            "{text}"
        );
    }
}

#[test]
fn bad_schedule_config_names_the_entry() {
    let kiosk = Kiosk::new("schedule:\n  windows: [\"07:00-11:00\", \"10:00-12:00\"]\n");
    let out = cli(
        &["schedule", "--config", kiosk.config().to_str().unwrap()],
        "UTC",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("10:00-12:00") && err.contains("schedule"),
        "{err}"
    );
}

/// A kiosk whose display "power" is a recording stub.
fn kiosk_with_stub() -> (Kiosk, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap().keep();
    let calls = dir.join("calls.txt");
    let stub = recording_stub(&dir, &calls);
    let kiosk = Kiosk::new(&format!(
        "display:\n  backend: xset\n  program: {}\n",
        stub.display()
    ));
    make_png(&kiosk.content().join("red.png"), "red", 1280, 720);
    (kiosk, calls)
}

#[test]
fn screen_goes_black_and_powers_down_at_eleven() {
    let (kiosk, calls) = kiosk_with_stub();
    let shot = artifact("hours-11-00.png");
    // 10:59:58 local; the app takes a moment to start, 11:00 passes inside 6 s.
    kiosk.play(6.0, &shot, &["--clock", "2026-11-28T03:59:58Z"]);
    let journal = kiosk.journal();
    let names: Vec<&str> = journal
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    let opened = names
        .iter()
        .position(|n| *n == "opened")
        .expect("opened first");
    let started = names
        .iter()
        .position(|n| *n == "play_started")
        .expect("content shown");
    let closed = names
        .iter()
        .position(|n| *n == "closed")
        .expect("closed at 11:00");
    assert!(opened < started && started < closed, "{names:?}");
    let closed_line = &journal[closed];
    assert!(
        closed_line["local_time"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-28T11:00:00"),
        "{closed_line}"
    );
    // The item on screen was stopped at once, not played to its end.
    let ended = events(&journal, "play_ended");
    assert_eq!(ended.last().unwrap()["ended"], "stopped");
    let recorded = std::fs::read_to_string(&calls).unwrap();
    assert!(
        recorded.lines().any(|l| l == "+dpms dpms force off"),
        "{recorded}"
    );
    assert!(
        events(&journal, "display_command")
            .iter()
            .any(|r| r["action"] == "off" && r["ok"] == true)
    );
    let shot = Shot::open(&shot);
    for (x, y) in [(640, 360), (100, 100), (1200, 650)] {
        assert!(
            shot.is_near(x, y, BLACK, 3.0),
            "black at ({x},{y}): {:?}",
            shot.mean(x, y, 16)
        );
    }
}

#[test]
fn content_comes_back_at_two() {
    let (kiosk, calls) = kiosk_with_stub();
    let shot = artifact("hours-14-00.png");
    kiosk.play(7.0, &shot, &["--clock", "2026-11-28T06:59:58Z"]);
    let journal = kiosk.journal();
    let names: Vec<&str> = journal
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    let closed = names
        .iter()
        .position(|n| *n == "closed")
        .expect("closed at 13:59:58");
    let opened = names
        .iter()
        .position(|n| *n == "opened")
        .expect("opened at 14:00");
    let started = names
        .iter()
        .position(|n| *n == "play_started")
        .expect("content again");
    assert!(closed < opened && opened < started, "{names:?}");
    assert!(
        journal[opened]["local_time"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-28T14:00:0")
    );
    let recorded = std::fs::read_to_string(&calls).unwrap();
    assert!(
        recorded.lines().any(|l| l.starts_with("dpms force on")),
        "{recorded}"
    );
    assert!(Shot::open(&shot).is_near(640, 360, RED, 30.0));
}

#[test]
fn failing_power_command_is_journaled_and_the_screen_still_goes_black() {
    let kiosk = Kiosk::new("display:\n  program: /nonexistent/xset\n");
    make_png(&kiosk.content().join("red.png"), "red", 1280, 720);
    let shot = artifact("hours-power-fails.png");
    kiosk.play(3.0, &shot, &["--clock", "2026-11-28T12:00:00Z"]);
    let journal = kiosk.journal();
    let failed = events(&journal, "display_command");
    assert!(
        failed
            .iter()
            .any(|r| r["ok"] == false && r["error"].as_str().unwrap().contains("cannot start")),
        "{failed:?}"
    );
    assert!(Shot::open(&shot).is_near(640, 360, BLACK, 3.0));
}

/// Writes `control.yaml` into place by rename, as Syncthing does.
fn write_atomically(dir: &std::path::Path, text: &str) {
    let temp = dir.join(".syncthing.control.yaml.tmp");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(temp, dir.join("control.yaml")).unwrap();
}

#[test]
fn override_from_the_folder_switches_off_and_a_bad_one_changes_nothing() {
    let (kiosk, _calls) = kiosk_with_stub();
    let content = kiosk.content();
    // 08:00 local: open.
    let running = kiosk.start(
        9.0,
        &artifact("override-off.png"),
        &["--clock", "2026-11-28T01:00:00Z"],
    );
    std::thread::sleep(Duration::from_secs(3));
    std::fs::write(content.join("control.yaml"), "override: sideways\n").unwrap();
    std::thread::sleep(Duration::from_secs(2));
    write_atomically(
        &content,
        "override: off\nuntil: 2026-11-28T12:00+07:00\nreason: drill\nby: Border Guard\n",
    );
    running.finish();
    let journal = kiosk.journal();
    let rejected = events(&journal, "control_rejected");
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(
        rejected[0]["reason"].as_str().unwrap().contains("sideways"),
        "{rejected:?}"
    );
    let set = events(&journal, "override_set");
    assert_eq!(set.len(), 1);
    assert_eq!(set[0]["action"], "off");
    assert_eq!(set[0]["by"], "Border Guard");
    assert_eq!(set[0]["reason"], "drill");
    let closed = events(&journal, "closed");
    assert_eq!(
        closed.len(),
        1,
        "only the override closed the screen: {closed:?}"
    );
    assert!(
        closed[0]["reason"].as_str().unwrap().contains("drill"),
        "{closed:?}"
    );
    assert!(Shot::open(&artifact("override-off.png")).is_near(640, 360, BLACK, 3.0));
}

#[test]
fn override_written_in_place_in_pieces_is_picked_up_when_complete() {
    let (kiosk, _calls) = kiosk_with_stub();
    let content = kiosk.content();
    let running = kiosk.start(
        9.0,
        &artifact("override-inplace.png"),
        &["--clock", "2026-11-28T01:00:00Z"],
    );
    std::thread::sleep(Duration::from_secs(3));
    // A non-atomic writer: the first half, a pause, then the rest.
    use std::io::Write;
    let mut file = std::fs::File::create(content.join("control.yaml")).unwrap();
    file.write_all(b"override: off\nuntil: 2026-11-").unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    file.write_all(b"28T12:00+07:00\nreason: in pieces\n")
        .unwrap();
    drop(file);
    running.finish();
    let journal = kiosk.journal();
    assert_eq!(events(&journal, "override_set").len(), 1);
    assert!(Shot::open(&artifact("override-inplace.png")).is_near(640, 360, BLACK, 3.0));
}
