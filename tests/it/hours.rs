//! Operating hours: the schedule command in any machine time zone, the
//! screen closing and opening on the hour, and the override from the folder.

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

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

/// `infokiosk schedule --days 365 | head -1`, as a technician types it:
/// the command ends quietly when its reader has gone, killed by SIGPIPE
/// as `seq` or `cat` would be, with no panic on stderr.
#[test]
fn a_report_piped_into_head_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    let kiosk = Kiosk::new("");
    let mut child = Command::new(bin())
        .args(["schedule", "--config", kiosk.config().to_str().unwrap()])
        .args(["--at", "2026-11-28T12:00:00Z", "--days", "3650"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("plan for 3650 days"), "{first}");
    // The reader is gone (dropped above): the rest cannot be written.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        output.status.signal(),
        Some(13),
        "{:?} {stderr}",
        output.status
    );
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
    // Settled long ago: it plays from the first frame, not 2 s later.
    age_folder(&kiosk.content());
    (kiosk, calls)
}

/// How long one step of a running player may take on a loaded machine.
const STEP: Duration = Duration::from_secs(15);

/// Polls the journal until it has more than `count` lines of `event`, and
/// returns it; fails the test after [`STEP`].
fn wait_for_more(kiosk: &Kiosk, event: &str, count: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let journal = kiosk.journal();
        if events(&journal, event).len() > count {
            return journal;
        }
        assert!(
            started.elapsed() < STEP,
            "no new {event} within {STEP:?}: {journal:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn time_of(line: &Value) -> DateTime<Utc> {
    line["time"].as_str().unwrap().parse().unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The index of the first line of `event` at or after `from`.
fn next_of(journal: &[Value], event: &str, from: usize) -> Option<usize> {
    (from..journal.len()).find(|&i| journal[i]["event"] == event)
}

#[test]
fn screen_goes_black_and_powers_down_at_eleven() {
    let (kiosk, calls) = kiosk_with_stub();
    let shot = artifact("hours-11-00.png");
    // 10:59:40 local at twice real speed: 11:00 comes 10 s after the start,
    // well after the first frame, and the run ends at 11:00:08.
    kiosk.play(
        14.0,
        &shot,
        &["--clock", "2026-11-28T03:59:40Z", "--clock-speed", "2"],
    );
    let journal = kiosk.journal();
    let names: Vec<&str> = journal
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    let opened = next_of(&journal, "opened", 0).expect("opened first");
    let started = next_of(&journal, "play_started", 0).expect("content shown");
    let closed = next_of(&journal, "closed", 0).expect("closed at 11:00");
    assert!(opened < started && started < closed, "{names:?}");
    let eleven = utc("2026-11-28T04:00:00Z");
    let at_once = eleven + chrono::Duration::seconds(1);
    let closed_at = time_of(&journal[closed]);
    assert!(
        (eleven..=at_once).contains(&closed_at),
        "{}",
        journal[closed]
    );
    // The item on screen was stopped at once, not played to its end (nor
    // stopped only when the player left).
    let ended = next_of(&journal, "play_ended", closed).expect("the item on screen ended");
    assert_eq!(journal[ended]["ended"], "stopped", "{}", journal[ended]);
    assert!(time_of(&journal[ended]) <= at_once, "{}", journal[ended]);
    let reopened = next_of(&journal, "opened", closed).unwrap_or(journal.len());
    assert!(
        next_of(&journal[..reopened], "play_started", closed).is_none(),
        "nothing plays while closed: {names:?}"
    );
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
    // 13:59:40 local at twice real speed: 14:00 comes 10 s after the start.
    kiosk.play(
        16.0,
        &shot,
        &["--clock", "2026-11-28T06:59:40Z", "--clock-speed", "2"],
    );
    let journal = kiosk.journal();
    let names: Vec<&str> = journal
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    let closed = next_of(&journal, "closed", 0).expect("closed at 13:59:40");
    let opened = next_of(&journal, "opened", 0).expect("opened at 14:00");
    let started = next_of(&journal, "play_started", 0).expect("content again");
    assert!(closed < opened && opened < started, "{names:?}");
    let two = utc("2026-11-28T07:00:00Z");
    let opened_at = time_of(&journal[opened]);
    assert!(
        (two..=two + chrono::Duration::seconds(1)).contains(&opened_at),
        "{}",
        journal[opened]
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
    age_folder(&kiosk.content());
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

/// The Border Guard's switch-off, until noon local.
const DRILL: &str =
    "override: off\nuntil: 2026-11-28T12:00+07:00\nreason: drill\nby: Border Guard\n";

#[test]
fn override_from_the_folder_switches_off_and_a_bad_one_changes_nothing() {
    let (kiosk, _calls) = kiosk_with_stub();
    let content = kiosk.content();
    let running = kiosk.start(12.0, &artifact("override-off.png"), OPEN);
    wait_for_more(&kiosk, "opened", 0);
    std::fs::write(content.join("control.yaml"), "override: sideways\n").unwrap();
    wait_for_more(&kiosk, "control_rejected", 0);
    write_atomically(&content, DRILL);
    wait_for_more(&kiosk, "closed", 0);
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
    let running = kiosk.start(9.0, &artifact("override-inplace.png"), OPEN);
    wait_for_more(&kiosk, "opened", 0);
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

#[test]
fn override_is_kept_across_a_restart() {
    let (kiosk, calls) = kiosk_with_stub();
    let state = kiosk.data().join("state/override.json");
    write_atomically(&kiosk.content(), DRILL);
    // 08:00 local: open, but for the override.
    kiosk.play(5.0, &artifact("override-kept-1.png"), OPEN);
    let kept = std::fs::read(&state).expect("the override is kept in data/state/override.json");
    let kept: Value = serde_json::from_slice(&kept).unwrap();
    assert_eq!(
        (&kept["action"], &kept["by"], &kept["until"]),
        (
            &Value::from("off"),
            &Value::from("Border Guard"),
            &Value::from("2026-11-28T05:00:00Z")
        ),
        "{kept}"
    );
    // A power cut; the player comes back at 08:01 with control.yaml unchanged.
    let first_run = kiosk.journal().len();
    let shot = artifact("override-kept-2.png");
    kiosk.play(5.0, &shot, &["--clock", "2026-11-28T01:01:00Z"]);
    let journal = kiosk.journal();
    let second_run = &journal[first_run..];
    let names: Vec<&str> = second_run
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"app_started"), "{names:?}");
    // The override was restored, not read again from the file as a new one.
    assert_eq!(events(&journal, "override_set").len(), 1, "{names:?}");
    assert!(
        !names.contains(&"opened") && !names.contains(&"play_started"),
        "the screen stayed closed: {names:?}"
    );
    let closed = next_of(second_run, "closed", 0).expect("closed from the first frame");
    assert!(
        second_run[closed]["reason"]
            .as_str()
            .unwrap()
            .contains("drill"),
        "{}",
        second_run[closed]
    );
    let still: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(still, kept, "the same override, set at the same time");
    let recorded = std::fs::read_to_string(&calls).unwrap();
    assert!(
        !recorded.lines().any(|l| l.starts_with("dpms force on")),
        "{recorded}"
    );
    assert!(Shot::open(&shot).is_near(640, 360, BLACK, 3.0));
}

#[test]
fn override_ends_when_cleared_in_the_file_or_the_file_is_removed() {
    let (kiosk, _calls) = kiosk_with_stub();
    let content = kiosk.content();
    let shot = artifact("override-cleared.png");
    let running = kiosk.start(16.0, &shot, OPEN);
    wait_for_more(&kiosk, "play_started", 0);
    write_atomically(&content, DRILL);
    wait_for_more(&kiosk, "closed", 0);
    write_atomically(
        &content,
        "override: clear\nreason: drill over\nby: Border Guard\n",
    );
    wait_for_more(&kiosk, "opened", 1);
    write_atomically(&content, DRILL);
    wait_for_more(&kiosk, "closed", 1);
    std::fs::remove_file(content.join("control.yaml")).unwrap();
    let journal = wait_for_more(&kiosk, "opened", 2);
    let plays = events(&journal, "play_started").len();
    wait_for_more(&kiosk, "play_started", plays);
    running.finish();
    let journal = kiosk.journal();
    let screen: Vec<&str> = journal
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .filter(|e| ["opened", "closed", "override_set", "override_ended"].contains(e))
        .collect();
    let expected = [
        "opened",
        "override_set",
        "closed",
        "override_ended",
        "opened",
        "override_set",
        "closed",
        "override_ended",
        "opened",
    ];
    assert_eq!(screen, expected, "{journal:#?}");
    let ended = events(&journal, "override_ended");
    assert_eq!(
        (&ended[0]["how"], &ended[0]["reason"], &ended[0]["by"]),
        (
            &Value::from("cleared"),
            &Value::from("drill over"),
            &Value::from("Border Guard")
        )
    );
    assert_eq!(ended[1]["how"], "cleared", "{}", ended[1]);
    assert!(
        ended[1]["reason"].as_str().unwrap().contains("removed"),
        "{}",
        ended[1]
    );
    assert!(Shot::open(&shot).is_near(640, 360, RED, 30.0));
}

#[test]
fn override_ends_by_itself_at_its_until() {
    let (kiosk, _calls) = kiosk_with_stub();
    let shot = artifact("override-expired.png");
    // 08:00 local, a minute every real second.
    let running = kiosk.start(
        25.0,
        &shot,
        &["--clock", "2026-11-28T01:00:00Z", "--clock-speed", "60"],
    );
    let journal = wait_for_more(&kiosk, "opened", 0);
    // Ten minutes of the player's clock after it opened: about 10 s from now.
    let until = time_of(events(&journal, "opened")[0]) + chrono::Duration::minutes(10);
    let until_text = until.to_rfc3339_opts(SecondsFormat::Secs, true);
    let until = utc(&until_text);
    write_atomically(
        &kiosk.content(),
        &format!("override: off\nuntil: {until_text}\nreason: drill\nby: Border Guard\n"),
    );
    running.finish();
    let journal = kiosk.journal();
    let set = next_of(&journal, "override_set", 0).expect("the override is set");
    assert_eq!(journal[set]["until"], until_text.as_str());
    let closed = next_of(&journal, "closed", set).expect("closed by the override");
    let ended = next_of(&journal, "override_ended", closed).expect("the override ends");
    assert_eq!(journal[ended]["how"], "expired", "{}", journal[ended]);
    let ended_at = time_of(&journal[ended]);
    assert!(
        until <= ended_at && ended_at < until + chrono::Duration::minutes(1),
        "ended at {ended_at}, until {until}"
    );
    let opened = next_of(&journal, "opened", ended).expect("open again by the schedule");
    assert!(
        !journal[opened]["reason"]
            .as_str()
            .unwrap()
            .contains("drill"),
        "{}",
        journal[opened]
    );
    assert!(
        next_of(&journal, "play_started", opened).is_some(),
        "content again after the override"
    );
    assert!(Shot::open(&shot).is_near(640, 360, RED, 30.0));
}
