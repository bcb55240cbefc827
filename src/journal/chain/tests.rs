//! The chain on journals written by `Journal`, then edited, cut, removed
//! from or sealed as a test needs.

use std::io::Write;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::journal::{Event, Journal, files_by_month, last_alive, read_file};
use crate::test_support::HCM;

fn at(month: u32, minute: i64) -> DateTime<Utc> {
    // 09:00 local on the 10th of the month.
    Utc.with_ymd_and_hms(2026, month, 10, 2, 0, 0).unwrap() + Duration::minutes(minute)
}

fn beat(n: usize) -> Event {
    Event::Heartbeat {
        screen: format!("open {n}"),
    }
}

/// `lines` heartbeats into November 2026, in a new journal.
fn november(lines: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
    for n in 1..=lines {
        journal.append(at(11, n as i64), &beat(n)).unwrap();
    }
    let file = dir.path().join("2026-11.jsonl");
    (dir, file)
}

fn lines_of(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(file: &Path, lines: &[String]) {
    std::fs::write(
        file,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
}

fn verify(dir: &Path, month: &str) -> MonthCheck {
    verify_month(dir, month, None).unwrap()
}

#[test]
fn every_line_carries_the_hash_of_the_line_before_across_restarts() {
    let (dir, file) = november(3);
    // A restart: the chain goes on from the last line on disk.
    let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
    journal.append(at(11, 10), &beat(4)).unwrap();
    let lines = lines_of(&file);
    let records = read_file(&file).records;
    assert_eq!(records[0]["prev"], ANCHOR, "the first line ever");
    for i in 1..4 {
        assert_eq!(records[i]["prev"], line_hash(lines[i - 1].as_bytes()));
        assert_eq!(records[i]["seq"], i as u64 + 1);
    }
    let check = verify(dir.path(), "2026-11");
    assert!(check.is_intact(), "{check}");
    assert_eq!((check.lines, check.start), (4, Start::Anchor));
}

#[test]
fn an_edited_line_is_named() {
    let (dir, file) = november(6);
    let mut lines = lines_of(&file);
    lines[2] = lines[2].replace("open 3", "open 9");
    write_lines(&file, &lines);
    let t = verify(dir.path(), "2026-11")
        .tampered
        .expect("tampering found");
    assert_eq!((t.line, t.seq), (3, Some(3)), "{t}");
    assert!(t.what.contains("edited"), "{t}");
}

#[test]
fn a_removed_line_is_named() {
    let (dir, file) = november(6);
    let mut lines = lines_of(&file);
    lines.remove(3);
    write_lines(&file, &lines);
    let t = verify(dir.path(), "2026-11")
        .tampered
        .expect("tampering found");
    assert_eq!((t.line, t.seq), (4, Some(5)), "{t}");
    assert!(
        t.what.contains("removed") && t.what.contains("seq 4"),
        "{t}"
    );
}

#[test]
fn an_inserted_line_is_named_whether_or_not_its_prev_was_forged() {
    for forged in [true, false] {
        let (dir, file) = november(6);
        let mut lines = lines_of(&file);
        let prev = if forged {
            line_hash(lines[2].as_bytes())
        } else {
            "1".repeat(64)
        };
        let fake = format!(
            r#"{{"v":1,"seq":4,"prev":"{prev}","kiosk":"k","time":"2026-11-10T02:03:30.000Z","event":"closed","reason":"x"}}"#
        );
        lines.insert(3, fake);
        write_lines(&file, &lines);
        let t = verify(dir.path(), "2026-11")
            .tampered
            .expect("tampering found");
        assert_eq!(t.line, 4, "forged prev {forged}: {t}");
        assert!(t.what.contains("inserted"), "{t}");
    }
}

#[test]
fn a_last_line_cut_by_a_power_failure_is_torn_not_tampering() {
    let (dir, file) = november(3);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap();
    f.write_all(br#"{"v":1,"seq":4,"prev":"ab"#).unwrap();
    drop(f);
    let check = verify(dir.path(), "2026-11");
    assert!(check.is_intact(), "{check}");
    assert_eq!(check.torn_end, Some(4));
    assert!(check.to_string().contains("cut off by a power failure"));
    // The next run ends the cut line and links to the last whole one.
    let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
    journal.append(at(11, 10), &beat(4)).unwrap();
    let check = verify(dir.path(), "2026-11");
    assert!(check.is_intact(), "{check}");
    assert_eq!(
        (check.cut.clone(), check.torn_end, check.lines),
        (vec![4], None, 4)
    );
}

#[test]
fn the_chain_runs_across_month_files_and_a_seal_anchors_the_month() {
    let (dir, nov) = november(3);
    let outbox = dir.path().join("outbox");
    // The next run, in December, seals November at its first line.
    let mut journal = Journal::open(dir.path(), "k", HCM)
        .unwrap()
        .sealing_into(&outbox);
    journal.append(at(12, 0), &beat(4)).unwrap();
    journal.append(at(12, 1), &beat(5)).unwrap();
    let dec = verify_month(dir.path(), "2026-12", Some(&outbox)).unwrap();
    assert!(dec.is_intact(), "{dec}");
    assert_eq!(dec.start, Start::Previous(nov.clone()));
    let seal: Seal =
        serde_json::from_str(&std::fs::read_to_string(seal_path(&outbox, "2026-11")).unwrap())
            .unwrap();
    assert_eq!((seal.last_seq, seal.lines), (3, 3));
    let check = verify_month(dir.path(), "2026-11", Some(&outbox)).unwrap();
    assert!(matches!(check.seal, SealCheck::Matches(_)), "{check}");

    // November's last line removed: December's first line no longer
    // follows, and November no longer matches its seal.
    let mut lines = lines_of(&nov);
    lines.pop();
    write_lines(&nov, &lines);
    let t = verify(dir.path(), "2026-12")
        .tampered
        .expect("broken at the month's start");
    assert_eq!((t.line, t.seq), (1, Some(4)), "{t}");
    let check = verify_month(dir.path(), "2026-11", Some(&outbox)).unwrap();
    assert!(!check.is_intact(), "{check}");
    assert!(check.to_string().contains("removed at the end"), "{check}");
}

#[test]
fn a_clock_that_jumps_months_while_running_leaves_each_file_chained() {
    let (dir, nov) = november(0);
    let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
    let may = Utc.with_ymd_and_hms(2027, 5, 3, 2, 0, 0).unwrap();
    for (n, time) in [at(11, 1), at(11, 2), may, at(11, 3), at(11, 4)]
        .into_iter()
        .enumerate()
    {
        journal.append(time, &beat(n)).unwrap();
    }
    let check = verify(dir.path(), "2026-11");
    assert!(check.is_intact() && check.lines == 4, "{check}");
    let check = verify(dir.path(), "2027-05");
    assert!(check.is_intact(), "{check}");
    assert_eq!(check.start, Start::Branch(nov, 2));
    let seqs: Vec<_> = read_file(&dir.path().join("2027-05.jsonl")).records;
    assert_eq!(seqs[0]["seq"], 3, "seq goes on in the order written");
}

#[test]
fn a_month_file_dated_after_the_clock_does_not_pin_seq_downtime_or_the_chain() {
    let (dir, nov) = november(3);
    // A clock glitch wrote a line into May 2027.
    let may = Utc.with_ymd_and_hms(2027, 5, 3, 2, 0, 0).unwrap();
    let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
    journal.append(may, &beat(4)).unwrap();
    // The clock is right again, for two runs.
    for run in 0..2 {
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        journal.append(at(11, 20 + run), &beat(5)).unwrap();
    }
    let records = read_file(&nov).records;
    let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 5, 6, 7, 8], "no number used twice");
    let ahead: Vec<_> = records
        .iter()
        .filter(|r| r["event"] == "journal_ahead")
        .collect();
    assert_eq!(ahead.len(), 2, "journaled at each start");
    assert_eq!(ahead[0]["files"][0], "2027-05.jsonl");
    let check = verify(dir.path(), "2026-11");
    assert!(check.is_intact(), "{check}");
    // Downtime is measured from the last line of the clock's month.
    let alive = last_alive(dir.path(), "2026-11").unwrap();
    assert_eq!(alive.time, at(11, 21));
    assert_eq!(files_by_month(dir.path(), "2026-11").1.len(), 1);
}
