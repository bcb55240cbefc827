//! A journal file as the player and its reports read it back: `read_file`,
//! `Journal::open` (the sequence number to continue from), `last_alive` and
//! `LastAlive::downtime_until` at start-up, the status file's
//! `recent_errors`, and the monthly report (`report_from_dir`) in its JSON,
//! CSV and HTML forms.
#![no_main]

use infokiosk::journal::{Journal, MAX_DOWNTIME, last_alive, read_file};
use infokiosk::report::{Month, Period, recent_errors, report_from_dir};
use infokiosk_fuzz::{legal_hours, now, scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = scratch().join("journal");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let file = dir.join("2026-11.jsonl");
    std::fs::write(&file, data).expect("scratch file written");
    let schedule = legal_hours();
    let tz = schedule.timezone();

    let read = read_file(&file);
    let lines = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(
        read.records.len() + read.broken,
        lines,
        "every line is a record or broken"
    );
    assert!(recent_errors(&read.records, tz, 10).len() <= 10);

    Journal::open(&dir, "fuzz", tz).expect("the journal opens");
    if let Some(last) = last_alive(&dir, "2026-11")
        && let Some(gap) = last.downtime_until(now(), &schedule)
    {
        assert!(
            gap.from == last.time && gap.to == now() && gap.minutes_lost > 0,
            "{gap:?}"
        );
        assert!(gap.to - gap.from <= MAX_DOWNTIME, "{gap:?}");
    }

    let november = Period::Month(Month::new(2026, 11).expect("a month"));
    let report = report_from_dir(&dir, &schedule, november, "fuzz", now()).expect("report");
    let _ = (report.to_json(), report.to_csv(), report.to_html());
});
