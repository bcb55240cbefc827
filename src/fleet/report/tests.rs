//! Three kiosks' outboxes on disk (a healthy one, one with a month missing,
//! one whose journal was edited afterwards) and two folders that are no
//! kiosk's yet, reported over October and November 2026 as the office would.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Utc, Weekday};
use serde_json::{Value, json};

use super::*;
use crate::journal::chain::{ANCHOR, line_hash, write_seal};
use crate::report::Month;
use crate::test_support::{HCM, hcm};

/// The legal hours, 07:00-11:00 and 14:00-18:00.
fn legal() -> OperatingSchedule {
    crate::test_support::schedule("{}")
}

fn autumn() -> Period {
    Period::dates(date("2026-10-01"), date("2026-11-30")).unwrap()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// After the period: it is reported whole.
fn now() -> DateTime<Utc> {
    hcm("2026-12-05 12:00")
}

/// A kiosk's journal as its player would write it: events by time, then
/// numbered and chained (`seq`, `prev`) into month files.
#[derive(Default)]
pub(super) struct Kiosk {
    events: Vec<(DateTime<Utc>, Value)>,
}

impl Kiosk {
    pub(super) fn at(&mut self, t: DateTime<Utc>, fields: Value) {
        self.events.push((t, fields));
    }

    fn local(&mut self, text: &str, fields: Value) {
        self.at(hcm(text), fields);
    }

    /// The player running every day from `from` to `to`: open in the legal
    /// hours, a heartbeat every `step` minutes, one play each morning.
    pub(super) fn days(&mut self, from: NaiveDate, to: NaiveDate, step: usize) -> &mut Self {
        let first = hcm(&format!("{from} 00:00"));
        self.at(first, json!({"event": "app_started", "version": "0.1.0"}));
        let languages = ["vi", "en", "km"];
        for (n, day) in from.iter_days().take_while(|d| *d <= to).enumerate() {
            let mut open = false;
            for minute in (0..24 * 60).step_by(step) {
                let t = hcm(&format!("{day} 00:00")) + Duration::minutes(minute as i64);
                let hour = minute / 60;
                let should = (7..11).contains(&hour) || (14..18).contains(&hour);
                if should != open {
                    let event = if should { "opened" } else { "closed" };
                    self.at(t, json!({"event": event, "reason": "schedule"}));
                    open = should;
                }
                let screen = if open { "open" } else { "closed" };
                self.at(t, json!({"event": "heartbeat", "screen": screen}));
                if minute == 7 * 60 + 30 {
                    let language = languages[n % 3];
                    let item = json!({"item": format!("tin.{language}.jpg"), "kind": "image",
                        "language": language, "sha256": "a".repeat(64)});
                    let mut started = item.clone();
                    started["event"] = "play_started".into();
                    self.at(t, started);
                    let mut ended = item;
                    ended["event"] = "play_ended".into();
                    ended["shown_ms"] = 30_000.into();
                    ended["ended"] = "completed".into();
                    self.at(t + Duration::seconds(30), ended);
                }
            }
        }
        self
    }

    /// A new file every weekday at 08:00.
    fn weekday_updates(&mut self, from: NaiveDate, to: NaiveDate) -> &mut Self {
        for day in from.iter_days().take_while(|d| *d <= to) {
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                let item = format!("tin-{}.vi.jpg", day.format("%m%d"));
                self.local(
                    &format!("{day} 08:00"),
                    json!({"event": "content_added", "item": item}),
                );
            }
        }
        self
    }

    /// The player dead from `from` to `to` (local): no line, then the restart
    /// and its downtime incident.
    fn power_cut(&mut self, from: &str, to: &str) -> &mut Self {
        let (from, to) = (hcm(from), hcm(to));
        self.events.retain(|(t, _)| *t < from || *t > to);
        self.at(to, json!({"event": "app_started", "version": "0.1.0"}));
        let incident = json!({"event": "incident", "kind": "downtime",
            "from": from.to_rfc3339(), "to": to.to_rfc3339(),
            "minutes_lost": (to - from).num_minutes(), "cause": "power_loss_or_crash"});
        self.at(to, incident);
        self.at(to, json!({"event": "opened", "reason": "schedule"}));
        self
    }

    /// The month files in `outbox/journal/`, and a seal in `outbox/` for
    /// each month before `now`'s, as the player leaves them; months in
    /// `drop` are not there (never synced).
    pub(super) fn write(&mut self, outbox: &Path, drop: &[&str]) {
        self.events.sort_by_key(|(t, _)| *t);
        let (mut seq, mut prev) = (0, ANCHOR.to_owned());
        let mut months = BTreeMap::<String, String>::new();
        for (t, fields) in &self.events {
            seq += 1;
            let mut line = json!({"v": 1, "seq": seq, "prev": prev, "kiosk": "k",
                "time": t.to_rfc3339_opts(SecondsFormat::Millis, true)});
            line.as_object_mut()
                .unwrap()
                .extend(fields.as_object().unwrap().clone());
            let text = line.to_string();
            prev = line_hash(text.as_bytes());
            let month = Month::of(*t, HCM).to_string();
            let file = months.entry(month).or_default();
            file.push_str(&text);
            file.push('\n');
        }
        let dir = outbox.join("journal");
        std::fs::create_dir_all(&dir).unwrap();
        for (month, text) in &months {
            if !drop.contains(&month.as_str()) {
                std::fs::write(dir.join(format!("{month}.jsonl")), text).unwrap();
            }
        }
        let current = Month::of(now(), HCM).to_string();
        for month in months
            .keys()
            .filter(|m| **m < current && !drop.contains(&m.as_str()))
        {
            write_seal(&dir, month, outbox, "k", now()).unwrap();
        }
    }
}

/// Healthy `tb-1`; `tb-2` with November never synced and a power cut;
/// `tb-3` with an override, an integrity event and a line edited at the
/// office, a damaged line and a copy still arriving; `old-laptop` with no
/// journal; `tb-4` whose first copy is still arriving; `tb-5` a symlink.
fn office(dir: &Path) {
    let (oct, nov, dec) = (date("2026-10-01"), date("2026-11-30"), date("2026-12-05"));
    let mut healthy = Kiosk::default();
    healthy.days(oct, dec, 5).weekday_updates(oct, nov);
    healthy.local(
        "2026-11-01 18:05",
        json!({"event": "backup_written", "month": "2026-10",
            "archive": "infokiosk-2026-10.tar.zst", "files": 40, "bytes": 1, "missing": 0}),
    );
    healthy.local(
        "2026-11-02 19:00",
        json!({"event": "inspection", "by": "daily", "verdict": "PASS",
            "checks": {"config": "PASS"}, "ran": "2026-11-02T12:00:00Z"}),
    );
    healthy.write(&dir.join("tb-1"), &[]);

    let mut gap = Kiosk::default();
    gap.days(oct, dec, 5)
        .power_cut("2026-10-14 09:00", "2026-10-14 09:30");
    gap.write(&dir.join("tb-2"), &["2026-11"]);

    let mut tampered = Kiosk::default();
    tampered.days(oct, dec, 5);
    tampered.local(
        "2026-10-20 08:00",
        json!({"event": "override_set", "action": "off", "until": hcm("2026-10-20 09:00").to_rfc3339(),
            "reason": "diễn tập", "by": "Bộ đội Biên phòng", "source": "control_file"}),
    );
    tampered.local(
        "2026-10-20 09:00",
        json!({"event": "override_ended", "how": "expired", "reason": "", "by": "Bộ đội Biên phòng"}),
    );
    tampered.local(
        "2026-11-03 10:00",
        json!({"event": "integrity", "detail": "tin.vi.jpg: SHA-256 differs from the signed manifest"}),
    );
    let folder = dir.join("tb-3");
    tampered.write(&folder, &[]);
    let october = folder.join("journal/2026-10.jsonl");
    let text = std::fs::read_to_string(&october).unwrap();
    let edited = text.replacen("\"screen\":\"closed\"", "\"screen\":\"open\"", 1);
    assert_ne!(text, edited);
    std::fs::write(&october, edited).unwrap();
    let november = folder.join("journal/2026-11.jsonl");
    let mut text = std::fs::read_to_string(&november).unwrap();
    let middle = text[text.len() / 2..].find('\n').unwrap() + text.len() / 2 + 1;
    text.insert_str(middle, "{\"v\":1,\"seq\":\n");
    std::fs::write(&november, text).unwrap();
    std::fs::write(folder.join("journal/.syncthing.2026-11.jsonl.tmp"), "{").unwrap();

    std::fs::create_dir_all(dir.join("old-laptop")).unwrap();
    std::fs::create_dir_all(dir.join("tb-4/journal")).unwrap();
    std::fs::write(dir.join("tb-4/journal/~syncthing~2026-10.jsonl.tmp"), "{").unwrap();

    let elsewhere = dir.join(".elsewhere");
    std::fs::create_dir_all(elsewhere.join("journal")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("tb-5")).unwrap();
}

fn kiosk<'a>(report: &'a FleetReport, id: &str) -> &'a KioskReport {
    report.kiosks.iter().find(|k| k.kiosk_id == id).unwrap()
}

fn weekdays(from: &str, to: &str) -> usize {
    (date(from).iter_days())
        .take_while(|d| *d <= date(to))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count()
}

#[test]
fn totals_add_up_and_every_journal_problem_is_stated() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let report = report_fleet(dir.path(), &legal(), autumn(), now()).unwrap();
    let ids: Vec<_> = report.kiosks.iter().map(|k| k.kiosk_id.as_str()).collect();
    assert_eq!(ids, ["old-laptop", "tb-1", "tb-2", "tb-3", "tb-4", "tb-5"]);

    // The healthy kiosk: 61 days of 8 legal hours, all shown; a new file
    // every weekday; its journal whole and verified.
    let healthy = kiosk(&report, "tb-1");
    assert!(healthy.problems.is_empty(), "{:?}", healthy.problems);
    let figures = healthy.figures();
    assert_eq!(figures.required_seconds, 61 * 8 * 3600);
    assert_eq!(figures.shown_seconds, 61 * 8 * 3600);
    assert_eq!(figures.compliance_percent, Some(100.0));
    assert_eq!(figures.update_days, weekdays("2026-10-01", "2026-11-30"));
    assert!(healthy.weekdays_without_update.is_empty());
    assert_eq!((figures.backups_verified, figures.inspections), (1, 1));
    assert_eq!(figures.languages.values().sum::<u64>(), 61 * 30);

    // November never synced: said, and its hours counted as not shown.
    let gap = kiosk(&report, "tb-2");
    assert_eq!(gap.missing_months, ["2026-11"]);
    assert!(!gap.verification_failed);
    assert!(
        gap.problems.contains(
            &"no journal for 2026-11: hours shown there are unknown, counted as not shown".into()
        ),
        "{:?}",
        gap.problems
    );
    assert_eq!(
        gap.seq_gaps.len(),
        1,
        "the lines of November, seen from December's"
    );
    assert!(
        gap.problems
            .iter()
            .any(|p| p.starts_with("journal lines seq "))
    );
    let figures = gap.figures();
    assert_eq!(figures.required_seconds, 61 * 8 * 3600);
    // October less the 35 minutes from the last heartbeat before the cut.
    assert_eq!(figures.shown_seconds, (31 * 8 * 60 - 35) * 60);
    assert_eq!((figures.incidents, figures.incident_minutes), (1, 30));
    assert_eq!(
        gap.weekdays_without_update.len(),
        weekdays("2026-10-01", "2026-10-31"),
        "only the months with a journal are judged"
    );

    // Edited at the office: it fails verification, plainly.
    let tampered = kiosk(&report, "tb-3");
    assert!(tampered.verification_failed);
    assert!(
        tampered
            .problems
            .iter()
            .any(|p| p.starts_with("journal FAILS VERIFICATION: ")
                && p.contains("2026-10.jsonl line 2 (seq 2): was edited")
                && p.ends_with("its figures cannot be relied on")),
        "{:?}",
        tampered.problems
    );
    assert!(tampered.problems.contains(
        &"journal/2026-11.jsonl: a newer copy is still arriving (half-synced: .syncthing.2026-11.jsonl.tmp); figures are from the copy already here".into()
    ));
    assert!(tampered.problems.contains(
        &"1 journal lines unreadable (cut off by a power failure, or damaged): skipped".into()
    ));
    let security = &tampered.report.as_ref().unwrap().security;
    let kinds: Vec<_> = security.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["integrity", "journal_verify"]);
    let figures = tampered.figures();
    assert_eq!((figures.overrides, figures.override_minutes), (1, 60));
    assert_eq!(figures.security_events, 2);

    // No journal, or one still arriving: a row saying so, not a crash.
    let laptop = kiosk(&report, "old-laptop");
    assert!(laptop.report.is_none());
    assert_eq!(
        laptop.problems,
        [
            "no journal folder: nothing to report from (a kiosk not synced yet, or not a kiosk's folder)"
        ]
    );
    assert_eq!(
        kiosk(&report, "tb-5").problems,
        ["a symbolic link, not a kiosk folder: refused"]
    );
    let arriving = kiosk(&report, "tb-4");
    assert!(
        arriving
            .problems
            .contains(&"journal/2026-10.jsonl still arriving (half-synced: ~syncthing~2026-10.jsonl.tmp): not counted".into()),
        "{:?}",
        arriving.problems
    );

    // The total is the sum of the rows, field by field.
    let mut sum = FleetTotals::default();
    for k in &report.kiosks {
        sum.add(&k.figures());
    }
    assert_eq!(report.total, sum);
    let t = &report.total;
    assert_eq!(t.kiosks, 6);
    assert_eq!(
        (t.kiosks_with_problems, t.kiosks_failing_verification),
        (5, 1)
    );
    // Four kiosks with a journal folder, 61 legal days each.
    assert_eq!(t.required_seconds, 4 * 61 * 8 * 3600);
    let shown: i64 = (report.kiosks.iter())
        .filter_map(|k| k.report.as_ref())
        .map(|r| r.total.counted_seconds)
        .sum();
    assert_eq!(t.shown_seconds, shown);
    assert_eq!(t.incidents, 1);
    assert_eq!(t.overrides, 1);
    assert_eq!(
        t.weekdays_without_update,
        weekdays("2026-10-01", "2026-10-31") + weekdays("2026-10-01", "2026-11-30"),
        "tb-2 in October, tb-3 in both months; tb-4 has no month to judge"
    );
}

#[test]
fn the_page_and_the_spreadsheet_say_which_journal_fails() {
    let dir = tempfile::tempdir().unwrap();
    office(dir.path());
    let report = report_fleet(dir.path(), &legal(), autumn(), now()).unwrap();
    let html = report.to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@page { size: A4 landscape;"));
    assert!(!html.contains("<script"), "no JavaScript");
    assert_eq!(html.matches("http").count(), 0, "nothing from the network");
    assert!(html.contains(
        "<tr><td>tb-3</td><td class=\"bad\">KHÔNG XÁC MINH ĐƯỢC / FAILS VERIFICATION</td>"
    ));
    assert!(html.contains(
        "<tr><td>tb-1</td><td class=\"ok\">đầy đủ, xác minh được / whole, verified</td>"
    ));
    assert!(html.contains("<td>Tổng / Total</td><td class=\"n\">1952.00</td>"));
    assert!(html.contains("Bộ đội Biên phòng"));

    let csv = report.to_csv();
    assert!(csv.starts_with("\u{feff}Báo cáo hoạt động các màn hình thông tin cơ sở"));
    assert!(
        csv.contains("\r\ntb-1,\"whole, verified\",488.00,488.00,100.0,"),
        "{csv}"
    );
    assert!(csv.contains("\r\ntb-3,FAILS VERIFICATION,488.00,"));
    assert!(csv.contains("\r\nTOTAL,,1952.00,"));
    assert!(csv.contains(
        "\r\ntb-2,\"no journal for 2026-11: hours shown there are unknown, counted as not shown\"\r\n"
    ));
}

/// `cargo test --lib fleet_report_of_50 -- --ignored --nocapture`: how long
/// `fleet report --year` takes for 50 kiosks with a month of journal each
/// (a heartbeat a minute day and night, a play a day). It prints; it never fails.
#[test]
#[ignore = "a measurement, run by hand"]
fn fleet_report_of_50_kiosks_with_a_month_of_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Kiosk::default();
    journal.days(date("2026-11-01"), date("2026-11-30"), 1);
    journal.write(&dir.path().join("k00"), &[]);
    let text = std::fs::read(dir.path().join("k00/journal/2026-11.jsonl")).unwrap();
    let seal = std::fs::read(dir.path().join("k00/journal-seal-2026-11.json")).unwrap();
    for i in 1..50 {
        let folder = dir.path().join(format!("k{i:02}"));
        std::fs::create_dir_all(folder.join("journal")).unwrap();
        std::fs::write(folder.join("journal/2026-11.jsonl"), &text).unwrap();
        std::fs::write(folder.join("journal-seal-2026-11.json"), &seal).unwrap();
    }
    let started = std::time::Instant::now();
    let report = report_fleet(dir.path(), &legal(), Period::Year(2026), now()).unwrap();
    let took = started.elapsed();
    let (html, csv) = (report.to_html(), report.to_csv());
    println!(
        "fleet report --year: 50 kiosks, {} journal lines ({:.1} MB) each: {:.2} s \
         (page {} KB, csv {} KB)",
        journal.events.len(),
        text.len() as f64 / 1e6,
        took.as_secs_f64(),
        html.len() / 1024,
        csv.len() / 1024
    );
}
