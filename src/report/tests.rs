//! Reports from a synthetic month whose figures are worked out by hand, from
//! memory and from journal files, complete or not yet over, across month ends.

use super::fixture::{
    HCM, after, hcm, heartbeat, journal_text, november, november_report, opened, schedule,
};
use super::{Period, build_report, report_from_dir};
use crate::journal::{Event, Journal};

fn nov() -> Period {
    "2026-11".parse().unwrap()
}

/// The display's power-on failed at 07:00:01 on the 25th: dark until closing at 11:00.
const DARK_ON_THE_25TH: i64 = 4 * 3600 - 1;

#[test]
fn a_synthetic_month_gives_the_figures_worked_out_by_hand() {
    let report = november_report();
    let t = &report.total;
    assert_eq!(t.days, 30);
    // The law: 8 h on each of the 30 days, the 20th closed by the schedule included.
    assert_eq!(t.required_seconds, 30 * 8 * 3600);
    assert_eq!(t.scheduled_seconds, 29 * 8 * 3600);
    assert_eq!(t.closed_by_schedule_seconds, 8 * 3600);
    // Less 30 min of power cut on the 5th, 1 h of override off on the 10th,
    // and the morning of the 25th with the display dark.
    assert_eq!(
        t.shown_seconds,
        29 * 8 * 3600 - 1800 - 3600 - DARK_ON_THE_25TH
    );
    assert_eq!(t.display_dark_seconds, DARK_ON_THE_25TH);
    assert_eq!(t.fallback_seconds, 0);
    assert_eq!(
        t.shown_outside_hours_seconds, 3600,
        "override on, 19:00-20:00 on the 12th"
    );
    // The hour outside the schedule on the 12th does not count: that day had its 8 h.
    assert_eq!(t.counted_seconds, t.shown_seconds);
    assert_eq!(t.missing_seconds, t.required_seconds - t.counted_seconds);
    assert_eq!(t.downtime_seconds, 1800);
    assert_eq!(t.override_off_seconds, 3600);
    assert_eq!(
        t.compliance_percent,
        Some(94.4),
        "815 401 / 864 000 = 94.38 %"
    );
    assert_eq!(
        t.schedule_compliance_percent,
        Some(97.6),
        "815 401 / 835 200 = 97.63 %, against the schedule only"
    );
    assert_eq!((t.plays, t.incidents, t.overrides), (87, 1, 2));
    assert_eq!(t.closures, 2, "the 20th, and the drill on the 10th");

    let day = |n: usize| &report.days[n - 1];
    assert_eq!(
        (day(1).shown_seconds, day(1).compliance_percent),
        (28_800, Some(100.0))
    );
    assert_eq!(
        (day(5).shown_seconds, day(5).downtime_seconds),
        (27_000, 1800)
    );
    assert_eq!(
        day(5).compliance_percent,
        Some(93.8),
        "7.5 h of 8 = 93.75 %"
    );
    assert_eq!(
        (day(10).shown_seconds, day(10).override_off_seconds),
        (25_200, 3600)
    );
    assert_eq!(day(12).shown_outside_hours_seconds, 3600);
    assert_eq!(
        (day(20).required_seconds, day(20).scheduled_seconds),
        (28_800, 0)
    );
    assert_eq!(
        (day(20).missing_seconds, day(20).compliance_percent),
        (28_800, Some(0.0)),
        "a closure in the schedule is missing hours"
    );
    assert_eq!(day(20).schedule_compliance_percent, None);
    assert_eq!(day(20).plays, 0);
    assert_eq!(
        (day(25).shown_seconds, day(25).display_dark_seconds),
        (8 * 3600 - DARK_ON_THE_25TH, DARK_ON_THE_25TH)
    );

    let incident = &report.incidents[0];
    assert_eq!(
        (incident.from, incident.to),
        (hcm("2026-11-05 09:00"), hcm("2026-11-05 09:30"))
    );
    assert_eq!(
        (incident.minutes_lost, incident.cause.as_str()),
        (30, "power_loss_or_crash")
    );
    let drill = &report.overrides[0];
    assert_eq!(
        (drill.action.as_str(), drill.by.as_str()),
        ("off", "Bộ đội Biên phòng")
    );
    assert_eq!(
        (drill.minutes, drill.ended_how.as_deref()),
        (Some(60), Some("expired"))
    );
    assert_eq!(report.overrides[1].action, "on");

    let languages: Vec<(&str, u64, u64)> = report
        .languages
        .iter()
        .map(|l| (l.language.as_str(), l.plays, l.seconds))
        .collect();
    // 29 plays each: 10 s, 10 s and 95.5 s (2 769.5 s, rounded up).
    assert_eq!(
        languages,
        [("en", 29, 290), ("km", 29, 2770), ("vi", 29, 290)]
    );
    assert_eq!(report.items.len(), 3);
    assert_eq!(report.items[0].item, "clip.km.mp4");
    assert_eq!(report.items[0].kind, "video");

    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].count, 3);
    assert_eq!(report.content_changes.len(), 2);
    assert_eq!(report.content_changes[1].change, "removed");
    assert_eq!(report.display_failures.len(), 1);
    assert_eq!(
        (report.journal.starts, report.journal.unclean_starts),
        (2, 1)
    );
}

#[test]
fn the_same_month_read_from_a_journal_file_with_a_cut_line() {
    let lines = november();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("2026-11.jsonl"), journal_text(&lines)).unwrap();
    let from_file = report_from_dir(dir.path(), &schedule(), nov(), "tb-1", after()).unwrap();
    assert_eq!(from_file.journal.broken_lines, 1);
    let in_memory = build_report(&lines.lines, &schedule(), nov(), "tb-1", after());
    assert_eq!(from_file.total, in_memory.total);
    assert_eq!(from_file.days, in_memory.days);
    assert_eq!(
        from_file.security.count, 0,
        "lines without `prev` are no chain to break"
    );
}

#[test]
fn a_month_not_over_yet_is_reported_up_to_now() {
    let now = hcm("2026-11-05 09:15");
    let report = build_report(&november().lines, &schedule(), nov(), "tb-1", now);
    assert!(!report.complete);
    assert_eq!(report.days.len(), 5, "1 to 5 November");
    // Four whole days, and 07:00-09:15 of the fifth.
    assert_eq!(report.total.required_seconds, 4 * 8 * 3600 + 2 * 3600 + 900);
    // The fifth: shown until the power cut at 09:00.
    assert_eq!(report.days[4].shown_seconds, 2 * 3600);
    assert!(
        report.incidents.is_empty(),
        "the restart at 09:30 is after now"
    );
}

#[test]
fn month_roll_over_is_at_local_midnight() {
    // An override on from 23:00 on 30 November to 01:00 on 1 December, local.
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(dir.path(), "tb-1", HCM).unwrap();
    let mut t = hcm("2026-11-30 23:00");
    journal
        .append(
            t,
            &Event::OverrideSet {
                action: "on".into(),
                until: Some("2026-11-30T18:00:00Z".into()),
                reason: "lễ hội".into(),
                by: "Sở TT&TT".into(),
                source: "control_file".into(),
                requested_by: Some("UBND tỉnh".into()),
                issued: Some("2026-11-30T15:55:00Z".into()),
                signer: Some("8C75A588FCC29F77".into()),
            },
        )
        .unwrap();
    journal.append(t, &opened()).unwrap();
    while t < hcm("2026-12-01 01:00") {
        t += chrono::Duration::minutes(1);
        journal.append(t, &heartbeat("open")).unwrap();
    }
    journal
        .append(
            t,
            &Event::Closed {
                reason: "override expired".into(),
            },
        )
        .unwrap();
    // 17:00 UTC is local midnight: the journal itself splits there.
    assert!(dir.path().join("2026-11.jsonl").exists() && dir.path().join("2026-12.jsonl").exists());

    let nov = report_from_dir(dir.path(), &schedule(), nov(), "tb-1", after()).unwrap();
    assert_eq!(nov.days[29].shown_outside_hours_seconds, 3600);
    let dec = report_from_dir(
        dir.path(),
        &schedule(),
        "2026-12".parse().unwrap(),
        "tb-1",
        after(),
    )
    .unwrap();
    assert_eq!(
        dec.days[0].shown_outside_hours_seconds, 3600,
        "state carried over from November"
    );
    assert_eq!(
        dec.overrides.len(),
        1,
        "an override set in November reaching into December"
    );
    assert_eq!(dec.overrides[0].minutes, Some(120));
    assert_eq!(
        (
            dec.overrides[0].requested_by.as_str(),
            dec.overrides[0].signer.as_str()
        ),
        ("UBND tỉnh", "8C75A588FCC29F77"),
        "who asked and who signed, for the annual review"
    );
    assert!(
        dec.to_html()
            .contains("theo yêu cầu / requested by: UBND tỉnh; ký / signed: 8C75A588FCC29F77")
    );
    let year =
        report_from_dir(dir.path(), &schedule(), Period::Year(2026), "tb-1", after()).unwrap();
    assert_eq!(year.total.shown_outside_hours_seconds, 7200);
}

mod law;
