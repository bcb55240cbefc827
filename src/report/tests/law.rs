//! The report measured against the law: the legal 8 h whatever the schedule
//! says, closures with their note and who ordered them, time that is not
//! shown (the "no content" slide, a dark display), security events, and
//! dates across month files.

use super::super::fixture::{
    HCM, Lines, after, hcm, heartbeat, november, open_status, opened, schedule,
};
use super::super::{
    ClosureSource, KioskStatus, Period, RecentErrors, build_report, report_from_dir, status_json_of,
};
use super::nov;
use crate::journal::{Event, Journal};

/// Journal lines of `date` opening at the legal hours with a heartbeat a
/// minute, closing at 11:00 and 18:00.
fn legal_day(j: &mut Lines, date: &str) {
    let d = |hm: &str| format!("{date} {hm}");
    j.open_window(&d("07:00"), Some(&d("11:00")), &d("10:59"));
    j.open_window(&d("14:00"), Some(&d("18:00")), &d("17:59"));
}

fn dates(from: &str, to: &str) -> Period {
    Period::dates(from.parse().unwrap(), to.parse().unwrap()).unwrap()
}

#[test]
fn a_tet_closure_in_the_schedule_is_missing_hours_listed_with_its_note() {
    let schedule = crate::test_support::schedule(crate::test_support::KIOSK);
    let mut j = Lines::default();
    legal_day(&mut j, "2027-02-15");
    j.local("2027-02-16 09:00", heartbeat("closed")); // Tết: closed all day
    legal_day(&mut j, "2027-02-17");
    let period = dates("2027-02-15", "2027-02-17");
    let report = build_report(&j.lines, &schedule, period, "tb-1", after());
    let tet = &report.days[1];
    assert_eq!(
        (
            tet.required_seconds,
            tet.scheduled_seconds,
            tet.shown_seconds
        ),
        (28_800, 0, 0)
    );
    assert_eq!(
        (tet.missing_seconds, tet.compliance_percent),
        (28_800, Some(0.0))
    );
    assert_eq!(report.total.required_seconds, 3 * 28_800);
    assert_eq!(report.total.compliance_percent, Some(66.7), "2 days of 3");
    assert_eq!(
        report.total.schedule_compliance_percent,
        Some(100.0),
        "the schedule alone would say all is well"
    );
    let [closure] = &report.closures[..] else {
        panic!("{:?}", report.closures)
    };
    assert_eq!(closure.source, ClosureSource::Schedule);
    assert_eq!(
        (closure.note.as_str(), closure.lost_seconds, closure.ordered),
        ("Tết", 28_800, false)
    );
    assert_eq!(
        (closure.from, closure.to),
        (hcm("2027-02-16 00:00"), hcm("2027-02-17 00:00"))
    );
    let html = report.to_html();
    assert!(html.contains("<td>2027-02-16 00:00</td><td>2027-02-17 00:00</td><td>lịch / schedule</td><td>8.00</td><td>Tết</td><td></td><td>không / no</td>"), "{html}");
    assert!(html.contains("từ 2027-02-15 đến 2027-02-17"));
    let csv = report.to_csv();
    assert!(
        csv.contains("\r\n2027-02-16 00:00,2027-02-17 00:00,schedule,8.00,Tết,,\r\n"),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["period"], "2027-02-15..2027-02-17");
    assert_eq!(json["closures"][0]["note"], "Tết");
    assert_eq!(json["days"][1]["missing_seconds"], 28_800);
}

#[test]
fn an_override_off_by_the_border_guard_is_an_ordered_closure() {
    let mut j = november();
    // An admin switches the screens off for half an hour, asked by nobody.
    j.local(
        "2026-11-16 08:00",
        Event::OverrideSet {
            action: "off".into(),
            until: Some("2026-11-16T01:30:00Z".into()),
            reason: "thay cáp / cable work".into(),
            by: "Lan (admin)".into(),
            source: "overlay".into(),
            requested_by: None,
            issued: None,
            signer: None,
        },
    );
    j.lines
        .sort_by_key(|l| l["time"].as_str().unwrap().to_owned());
    let report = build_report(&j.lines, &schedule(), nov(), "tb-1", after());
    let overrides: Vec<_> = (report.closures.iter())
        .filter(|c| c.source == ClosureSource::Override)
        .collect();
    let [drill, cable] = overrides[..] else {
        panic!("{overrides:?}")
    };
    assert_eq!(
        (drill.note.as_str(), drill.by.as_str()),
        ("diễn tập", "Bộ đội Biên phòng")
    );
    assert!(drill.ordered);
    assert_eq!(drill.ordered_by.as_deref(), Some("border_guard"));
    assert_eq!(
        (drill.from, drill.to),
        (hcm("2026-11-10 08:00"), hcm("2026-11-10 09:00"))
    );
    assert_eq!(drill.lost_seconds, 3600);
    assert!(
        !cable.ordered,
        "an admin's own decision is no ordered emergency"
    );
    assert_eq!(cable.lost_seconds, 1800);
    let html = report.to_html();
    assert!(html.contains(
        "diễn tập</td><td>Bộ đội Biên phòng</td><td>có: Bộ đội Biên phòng / yes: Border Guard</td>"
    ));
    assert!(
        report
            .to_csv()
            .contains(",diễn tập,Bộ đội Biên phòng,border_guard\r\n")
    );
}

#[test]
fn the_no_content_slide_and_a_dark_display_are_not_shown_time() {
    let mut j = Lines::default();
    j.open_window(
        "2026-11-02 07:00",
        Some("2026-11-02 11:00"),
        "2026-11-02 10:59",
    );
    // Nothing playable from 08:00 until an item plays at 08:30.
    j.local("2026-11-02 08:00", Event::FallbackShown);
    j.local(
        "2026-11-02 08:30",
        Event::PlayStarted {
            item: "tin-tuc.vi.jpg".into(),
            kind: "image".into(),
            language: "vi".into(),
            sha256: None,
        },
    );
    j.open_window(
        "2026-11-02 14:00",
        Some("2026-11-02 18:00"),
        "2026-11-02 17:59",
    );
    // The afternoon's power-on failed half a minute after opening.
    j.local(
        "2026-11-02 14:00:30",
        Event::DisplayCommand {
            action: "on".into(),
            command: "cec-ctl --to 0 --image-view-on".into(),
            ok: false,
            error: Some("no CEC adapter".into()),
        },
    );
    // The next day opens normally: the failure ended at closing.
    legal_day(&mut j, "2026-11-03");
    j.lines
        .sort_by_key(|l| l["time"].as_str().unwrap().to_owned());
    let period = dates("2026-11-02", "2026-11-03");
    let report = build_report(&j.lines, &schedule(), period, "tb-1", after());
    let day = &report.days[0];
    assert_eq!(day.fallback_seconds, 1800);
    assert_eq!(day.display_dark_seconds, 4 * 3600 - 30);
    assert_eq!(day.shown_seconds, 3600 + 9000 + 30);
    assert_eq!(day.missing_seconds, 1800 + 4 * 3600 - 30);
    assert_eq!(report.days[1].shown_seconds, 28_800);
    let csv = report.to_csv();
    assert!(
        csv.contains(
            "\r\n2026-11-02,8.00,3.51,43.9,0.00,0.00,0.00,0,8.00,3.51,4.49,0.00,0.50,3.99,43.9\r\n"
        ),
        "{csv}"
    );
    let html = report.to_html();
    assert!(html.contains("<td class=\"n\">0.50</td><td class=\"n\">3.99</td>"));
}

#[test]
fn security_events_are_counted_and_listed_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(dir.path(), "tb-1", HCM).unwrap();
    let refused = |by_reason: &[(&str, u64)]| Event::ContentRefused {
        count: by_reason.iter().map(|(_, n)| n).sum(),
        by_reason: (by_reason.iter())
            .map(|(r, n)| ((*r).to_owned(), *n))
            .collect(),
        first: vec!["a.png".into()],
    };
    let events = [
        ("2026-11-03 08:00", Event::Integrity {
            detail: "b.png: hash mismatch: the SHA-256 differs from the signed manifest (changed after signing)".into(),
        }),
        ("2026-11-03 08:01", refused(&[("not listed in the signed manifest", 40), ("not a picture, video or text slide", 2)])),
        ("2026-11-03 08:02", refused(&[("not a picture, video or text slide", 30)])),
        ("2026-11-04 09:00", Event::AdminLocked { until: "2026-11-04T02:15:00Z".into(), minutes: 15, reason: None }),
        ("2026-11-04 09:30", Event::ControlRejected { file: "control.yaml".into(), reason: "control.yaml.minisig: signature does not verify".into() }),
        ("2026-11-05 10:00", Event::ConfigRejected { file: "/etc/infokiosk/infokiosk.yaml".into(), reason: "unknown field `windws`".into() }),
        ("2026-11-05 19:00", crate::report::tables::tests::inspection("daily", &[("journal", "FAIL"), ("disk", "PASS")])),
        ("2026-11-05 19:05", heartbeat("closed")),
    ];
    for (t, event) in &events {
        journal.append(hcm(t), event).unwrap();
    }
    let path = dir.path().join("2026-11.jsonl");
    let clean = report_from_dir(dir.path(), &schedule(), nov(), "tb-1", after()).unwrap();
    let s = &clean.security;
    assert_eq!(s.count, 6, "{s:#?}");
    assert_eq!(clean.total.security_events, 6);
    let kinds: Vec<&str> = s.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "integrity",
            "content_refused",
            "admin_locked",
            "control_rejected",
            "config_rejected",
            "journal_check"
        ]
    );
    assert_eq!(s.events[1].reason, "40 × not listed in the signed manifest");
    assert_eq!(s.events[2].time, hcm("2026-11-04 09:00"));
    assert!(s.events[2].reason.contains("15 min"));
    assert!(s.events[5].reason.contains("inspection by daily"));

    // Someone edits a line afterwards: the report walks the chain and says so.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("windws", "window")).unwrap();
    let edited = report_from_dir(dir.path(), &schedule(), nov(), "tb-1", after()).unwrap();
    assert_eq!(edited.security.count, 7);
    let last = edited.security.events.last().unwrap();
    assert_eq!(last.kind, "journal_verify");
    assert!(
        last.reason.contains("2026-11.jsonl") && last.reason.contains("line 6"),
        "{last:?}"
    );
    assert_eq!(edited.security.by_kind["journal_verify"], 1);
    assert!(edited.to_html().contains("Security events"));
    assert!(edited.to_csv().contains(
        ",control_rejected,control.yaml: control.yaml.minisig: signature does not verify\r\n"
    ));

    // status.json: the month's count and the newest few.
    let mut recent = RecentErrors::new(5);
    recent.update(dir.path(), HCM).unwrap();
    let status = KioskStatus {
        screen: crate::schedule::OperatingState::Closed,
        screen_reason: "outside operating hours".into(),
        ..open_status(hcm("2026-11-05 19:06"))
    };
    let json: serde_json::Value =
        serde_json::from_str(&status_json_of(&status, &recent, HCM)).unwrap();
    assert_eq!(json["security"]["month"], "2026-11");
    assert_eq!(json["security"]["count"], 6);
    assert_eq!(json["security"]["last"].as_array().unwrap().len(), 5);
    assert_eq!(json["security"]["last"][4]["kind"], "journal_check");
}

/// `date` at the legal hours into `journal`, or only its morning (a power
/// cut takes the afternoon: no line at all).
fn journal_day(journal: &mut Journal, date: &str, afternoon: bool) {
    let d = |hm: &str| hcm(&format!("{date} {hm}"));
    let closed = Event::Closed {
        reason: "outside operating hours".into(),
    };
    let windows: &[(&str, &str)] = match afternoon {
        true => &[("07:00", "11:00"), ("14:00", "18:00")],
        false => &[("07:00", "11:00")],
    };
    for (from, to) in windows {
        journal.append(d(from), &opened()).unwrap();
        let mut t = d(from);
        while t + chrono::Duration::minutes(1) < d(to) {
            t += chrono::Duration::minutes(1);
            journal.append(t, &heartbeat("open")).unwrap();
        }
        journal.append(d(to), &closed).unwrap();
    }
}

#[test]
fn dates_across_two_months_read_both_journal_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(dir.path(), "tb-1", HCM).unwrap();
    journal_day(&mut journal, "2026-11-29", true);
    journal_day(&mut journal, "2026-11-30", true);
    journal_day(&mut journal, "2026-12-01", false);
    journal_day(&mut journal, "2026-12-02", true);
    assert!(dir.path().join("2026-11.jsonl").exists() && dir.path().join("2026-12.jsonl").exists());
    let period = dates("2026-11-30", "2026-12-01");
    let report = report_from_dir(dir.path(), &schedule(), period, "tb-1", after()).unwrap();
    let shown: Vec<(String, i64)> = (report.days.iter())
        .map(|d| (d.date.to_string(), d.shown_seconds))
        .collect();
    assert_eq!(
        shown,
        [
            ("2026-11-30".into(), 28_800),
            ("2026-12-01".into(), 4 * 3600)
        ]
    );
    assert_eq!(report.total.required_seconds, 2 * 28_800);
    assert_eq!(report.total.compliance_percent, Some(75.0));
    assert_eq!(
        report.journal.lines,
        482 + 241,
        "the lines of the two dates only: 30 November, the morning of 1 December"
    );
    assert_eq!(
        report.security.count, 0,
        "the chain runs on across the month files"
    );
}
