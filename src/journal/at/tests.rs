//! `on_screen_at` on small journals built as the journal writes them.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::*;
use crate::journal::{Ending, Event};
use crate::report::fixture::{Lines, heartbeat, opened};
use crate::test_support::{HCM, hcm};

const SHA: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

/// A heartbeat every minute from `from` to `to` (local), with `screen`.
fn beats(j: &mut Lines, from: &str, to: &str, screen: &str) {
    let (mut t, end) = (hcm(from), hcm(to));
    while t <= end {
        j.at(t, heartbeat(screen));
        t += Duration::minutes(1);
    }
}

/// A `play_started` line; built by hand so that it does not depend on the
/// fields `Event::PlayStarted` has.
fn started(j: &mut Lines, t: &str, item: &str, sha256: Option<&str>) {
    j.local(t, heartbeat("open"));
    let line = j.lines.last_mut().unwrap().as_object_mut().unwrap();
    line.remove("screen");
    line.insert("event".into(), "play_started".into());
    line.insert("item".into(), item.into());
    line.insert("kind".into(), "image".into());
    line.insert("language".into(), "km".into());
    if let Some(sha) = sha256 {
        line.insert("sha256".into(), sha.into());
    }
}

fn ended(j: &mut Lines, t: &str, item: &str) {
    j.local(
        t,
        Event::PlayEnded {
            item: item.into(),
            kind: "image".into(),
            language: "km".into(),
            shown_ms: 10_000,
            frames: None,
            pages: None,
            ended: Ending::Completed,
            reason: None,
        },
    );
}

fn closed(reason: &str) -> Event {
    Event::Closed {
        reason: reason.into(),
    }
}

/// Writes `j` (sorted by time) into month files of a fresh data folder.
fn write(j: &Lines) -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    let journal = data.path().join("journal");
    std::fs::create_dir_all(&journal).unwrap();
    let mut lines: Vec<&Value> = j.lines.iter().collect();
    lines.sort_by_key(|l| l["time"].as_str().unwrap().to_owned());
    for line in lines {
        let month = &line["local_time"].as_str().unwrap()[..7];
        let path = journal.join(format!("{month}.jsonl"));
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&line.to_string());
        text.push('\n');
        std::fs::write(path, text).unwrap();
    }
    data
}

fn ask(data: &tempfile::TempDir, at: &str) -> OnScreen {
    ask_at(data, hcm(at), hcm("2026-12-31 00:00"))
}

fn ask_at(data: &tempfile::TempDir, at: DateTime<Utc>, now: DateTime<Utc>) -> OnScreen {
    let d = data.path();
    on_screen_at(&d.join("journal"), &d.join("objects"), HCM, at, now)
}

/// A morning: open at 07:00, one item from 09:14, a heartbeat every minute.
fn morning(sha256: Option<&str>) -> Lines {
    let mut j = Lines::default();
    j.local(
        "2026-11-28 06:59",
        Event::AppStarted {
            version: "x".into(),
        },
    );
    j.local("2026-11-28 06:59", closed("outside operating hours"));
    j.local("2026-11-28 07:00", opened());
    beats(&mut j, "2026-11-28 07:01", "2026-11-28 10:59", "open");
    started(&mut j, "2026-11-28 09:14:00", "tin-tuc.km.png", sha256);
    ended(&mut j, "2026-11-28 09:16:00", "tin-tuc.km.png");
    started(&mut j, "2026-11-28 09:16:00", "clip.vi.mp4", None);
    j
}

#[test]
fn an_item_on_screen_with_its_file_hash_and_archived_copy() {
    let data = write(&morning(Some(SHA)));
    let object = data.path().join("objects/ab").join(SHA);
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    std::fs::write(&object, b"picture").unwrap();
    let answer = ask(&data, "2026-11-28 09:15");
    assert_eq!(answer.answer, Answer::Showing, "{}", answer.to_text());
    let item = answer.item.as_ref().unwrap();
    assert_eq!(item.item, "tin-tuc.km.png");
    assert_eq!(
        (item.kind.as_str(), item.language.as_str()),
        ("image", "km")
    );
    assert_eq!(item.sha256.as_deref(), Some(SHA));
    assert_eq!(item.archived.as_deref(), Some(object.as_path()));
    assert_eq!(answer.screen.as_ref().unwrap().state, "open");
    let text = answer.to_text();
    assert!(text.contains(&object.display().to_string()), "{text}");
    // The same instant without the object: said plainly.
    std::fs::remove_file(&object).unwrap();
    let answer = ask(&data, "2026-11-28 09:15");
    assert_eq!(answer.item.as_ref().unwrap().archived, None);
    assert!(answer.to_text().contains("not archived"));
    // After its end, the next item.
    let answer = ask(&data, "2026-11-28 09:17");
    assert_eq!(answer.item.unwrap().item, "clip.vi.mp4");
}

#[test]
fn between_two_items_names_the_one_ended_and_the_next() {
    let mut j = morning(None);
    ended(&mut j, "2026-11-28 09:30:00", "clip.vi.mp4");
    started(&mut j, "2026-11-28 09:31:00", "bao.en.md", None);
    let data = write(&j);
    let answer = ask(&data, "2026-11-28 09:30:30");
    assert_eq!(answer.answer, Answer::BetweenItems, "{}", answer.to_text());
    assert_eq!(answer.item, None);
    assert_eq!(answer.last_ended.unwrap().event, "play_ended");
    let next = answer.next_started.unwrap();
    assert_eq!(next.local_time, "2026-11-28T09:31:00.000+07:00");
}

#[test]
fn closed_outside_hours_with_its_reason() {
    let mut j = morning(None);
    j.local("2026-11-28 11:00", closed("outside operating hours"));
    beats(&mut j, "2026-11-28 11:01", "2026-11-28 13:00", "closed");
    let data = write(&j);
    let answer = ask(&data, "2026-11-28 12:30");
    assert_eq!(answer.answer, Answer::Closed, "{}", answer.to_text());
    let screen = answer.screen.unwrap();
    assert_eq!(screen.reason, "outside operating hours");
    assert_eq!(screen.line.local_time, "2026-11-28T11:00:00.000+07:00");
    assert_eq!(answer.item, None, "a closing ends the item");
}

#[test]
fn an_override_in_force_is_the_reason() {
    let mut j = morning(None);
    j.local(
        "2026-11-28 10:00",
        Event::OverrideSet {
            action: "off".into(),
            until: Some("2026-11-28T04:00:00Z".into()),
            reason: "diễn tập".into(),
            by: "Bộ đội Biên phòng".into(),
            source: "control_file".into(),
            requested_by: None,
            issued: None,
            signer: None,
        },
    );
    j.local("2026-11-28 10:00", closed("override off"));
    let data = write(&j);
    let answer = ask(&data, "2026-11-28 10:15");
    assert_eq!(answer.answer, Answer::Closed, "{}", answer.to_text());
    let o = answer.override_in_force.unwrap();
    assert_eq!(
        (o.action.as_str(), o.by.as_str()),
        ("off", "Bộ đội Biên phòng")
    );
    assert_eq!(answer.screen.unwrap().reason, "override off");
    // Before it, no override.
    assert_eq!(ask(&data, "2026-11-28 09:50").override_in_force, None);
}

#[test]
fn a_power_cut_is_downtime_not_the_last_item() {
    let mut j = Lines::default();
    j.local("2026-11-28 07:00", opened());
    beats(&mut j, "2026-11-28 07:01", "2026-11-28 09:00", "open");
    started(&mut j, "2026-11-28 08:59", "tin-tuc.km.png", None);
    j.local(
        "2026-11-28 09:30",
        Event::Incident {
            kind: "downtime".into(),
            from: "2026-11-28T02:00:00Z".into(),
            to: "2026-11-28T02:30:00Z".into(),
            minutes_lost: 30,
            cause: "power_loss_or_crash".into(),
        },
    );
    j.local(
        "2026-11-28 09:30",
        Event::AppStarted {
            version: "x".into(),
        },
    );
    j.local("2026-11-28 09:30", opened());
    beats(&mut j, "2026-11-28 09:31", "2026-11-28 09:40", "open");
    let data = write(&j);
    let answer = ask(&data, "2026-11-28 09:15");
    assert_eq!(answer.answer, Answer::NotRunning, "{}", answer.to_text());
    assert_eq!(answer.item, None);
    let down = answer.downtime.unwrap();
    assert!(down.why.contains("downtime incident"), "{}", down.why);
    assert_eq!(down.next_after.unwrap().event, "incident");
    // After the restart: open, and nothing started since.
    let answer = ask(&data, "2026-11-28 09:35");
    assert_eq!(answer.answer, Answer::BetweenItems, "{}", answer.to_text());
    // After the journal's end (the player gone without a line): silence.
    let answer = ask_at(&data, hcm("2026-11-28 10:30"), hcm("2026-11-28 11:00"));
    assert_eq!(answer.answer, Answer::NotRunning);
    assert!(answer.downtime.unwrap().why.contains("no journal line"));
}

#[test]
fn the_future_and_before_the_journal_are_said_plainly() {
    let data = write(&morning(None));
    let now = hcm("2026-11-28 09:20");
    let answer = ask_at(&data, hcm("2026-11-28 09:30"), now);
    assert_eq!(answer.answer, Answer::Future);
    assert!(answer.to_text().contains("future"));
    let answer = ask(&data, "2026-11-20 09:00");
    assert_eq!(answer.answer, Answer::NoRecord);
    assert!(answer.to_text().contains("no line"));
}

#[test]
fn the_state_comes_from_the_month_before() {
    let mut j = Lines::default();
    j.local("2026-10-31 18:00", closed("outside operating hours"));
    beats(&mut j, "2026-10-31 23:50", "2026-11-01 00:30", "closed");
    let data = write(&j);
    assert!(data.path().join("journal/2026-10.jsonl").exists());
    let answer = ask(&data, "2026-11-01 00:15");
    assert_eq!(answer.answer, Answer::Closed, "{}", answer.to_text());
    assert_eq!(answer.screen.unwrap().line.file, "2026-10.jsonl");
    let value = serde_json::to_value(ask(&data, "2026-11-01 00:15")).unwrap();
    assert_eq!(value["answer"], json!("closed"));
}

#[test]
fn a_local_time_of_the_last_24_hours_is_today_or_yesterday() {
    let now = hcm("2026-11-28 10:30");
    let at = |text: &str| recent_instant(text, HCM, now);
    assert_eq!(at("09:15"), Ok(hcm("2026-11-28 09:15")));
    assert_eq!(at(" 10:30 "), Ok(now), "now itself is today");
    assert_eq!(at("10:31"), Ok(hcm("2026-11-27 10:31")));
    assert_eq!(at("23:59:59"), Ok(hcm("2026-11-27 23:59:59")));
    assert_eq!(at("00:00"), Ok(hcm("2026-11-28 00:00")));
    for bad in ["9h15", "25:00", "", "2026-11-28 09:15"] {
        let why = at(bad).unwrap_err();
        assert!(why.contains("expected a local time like 09:15"), "{why}");
    }
    // In a zone whose clocks go back, the later of a repeated hour.
    let berlin = chrono_tz::Europe::Berlin;
    let after = "2026-10-25T02:00:00Z".parse().unwrap(); // 03:00 CET
    let repeated = recent_instant("02:30", berlin, after).unwrap();
    assert_eq!(
        repeated,
        "2026-10-25T01:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[test]
fn the_overlay_look_back_is_the_answer_of_infokiosk_at() {
    let data = write(&morning(Some(SHA)));
    let d = data.path();
    let now = hcm("2026-11-28 10:30");
    let (journal, objects) = (d.join("journal"), d.join("objects"));
    let looked = look_back(&journal, &objects, HCM, "09:15", now).unwrap();
    assert_eq!(looked, ask_at(&data, hcm("2026-11-28 09:15"), now));
    assert_eq!(looked.item.as_ref().unwrap().item, "tin-tuc.km.png");
    let text = looked.to_text();
    assert!(text.contains(SHA) && text.contains("language km"), "{text}");
    // 10:45 is still to come today: yesterday's, before the journal began.
    let yesterday = look_back(&journal, &objects, HCM, "10:45", now).unwrap();
    assert_eq!(
        yesterday.answer,
        Answer::NoRecord,
        "{}",
        yesterday.to_text()
    );
    assert!(look_back(&journal, &objects, HCM, "9.15", now).is_err());
}
