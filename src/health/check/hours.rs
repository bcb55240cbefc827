//! The hours the configured schedule gives against the law: Decision
//! 17/2021/QĐ-UBND asks for 8 hours a day, holidays, Tết and weekends
//! included. A day of the coming year with fewer (an exception closing Tết,
//! shortened daily windows) is a WARN naming the dates, not a FAIL: an
//! ordered closure is lawful, but whoever checks the kiosk should know it is
//! configured.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::{Check, plural};
use crate::schedule::{DayPlan, ExceptionSpan, OperatingSchedule};

/// The legal hours of one day.
const LEGAL_SECONDS: i64 = 8 * 3600;

/// How many days ahead, from today on the kiosk's wall clock.
const DAYS_AHEAD: u32 = 365;

/// Consecutive short days with the same hours and the same exception, e.g.
/// `2027-02-16..2027-02-20 (Tết): 0 h`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ShortRun {
    from: NaiveDate,
    until: NaiveDate,
    open_seconds: i64,
    exception: Option<ExceptionSpan>,
}

impl ShortRun {
    fn days(&self) -> u64 {
        (self.until - self.from).num_days().unsigned_abs() + 1
    }

    fn continues_with(&self, day: &DayPlan) -> bool {
        self.until.checked_add_days(Days::new(1)) == Some(day.date)
            && self.open_seconds == day.open_seconds()
            && self.exception == day.exception
    }
}

impl std::fmt::Display for ShortRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.until {
            write!(f, "{}", self.from)?;
        } else {
            write!(f, "{}..{}", self.from, self.until)?;
        }
        let note = self
            .exception
            .as_ref()
            .and_then(|e| e.note.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if let Some(note) = note {
            write!(f, " ({note})")?;
        }
        write!(f, ": {}", hours_text(self.open_seconds))
    }
}

/// `0 h`, `8 h`, `3 h 30 min`.
fn hours_text(seconds: i64) -> String {
    let (h, m) = (seconds / 3600, seconds % 3600 / 60);
    if m == 0 {
        format!("{h} h")
    } else {
        format!("{h} h {m} min")
    }
}

/// The days from `now`'s local date on that the schedule (with its
/// exceptions, without any override) keeps open for less than the legal
/// hours, runs of alike days compressed.
fn short_runs(schedule: &OperatingSchedule, now: DateTime<Utc>) -> Vec<ShortRun> {
    let mut runs: Vec<ShortRun> = Vec::new();
    for day in schedule.plan(now, DAYS_AHEAD) {
        if day.open_seconds() >= LEGAL_SECONDS {
            continue;
        }
        match runs.last_mut() {
            Some(run) if run.continues_with(&day) => run.until = day.date,
            _ => runs.push(ShortRun {
                from: day.date,
                until: day.date,
                open_seconds: day.open_seconds(),
                exception: day.exception,
            }),
        }
    }
    runs
}

pub(super) fn hours_check(schedule: &OperatingSchedule, now: DateTime<Utc>) -> Check {
    let runs = short_runs(schedule, now);
    if runs.is_empty() {
        return Check::pass(
            "hours",
            format!("the schedule gives the legal 8 h on each of the next {DAYS_AHEAD} days"),
        );
    }
    let days: u64 = runs.iter().map(ShortRun::days).sum();
    let details: Vec<String> = runs.iter().map(ToString::to_string).collect();
    let mut reason = format!(
        "{days} {} of the next {DAYS_AHEAD} below the legal 8 h: {}",
        plural(days as usize, "day"),
        details[..details.len().min(3)].join(", ")
    );
    if details.len() > 3 {
        reason += &format!(" and {} more", details.len() - 3);
    }
    Check::warn("hours", reason).with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::check::Verdict;
    use crate::test_support::{KIOSK, hcm, schedule};

    #[test]
    fn the_legal_hours_every_day_pass() {
        let check = hours_check(&schedule("{}"), hcm("2026-11-28 10:00"));
        assert_eq!(check.verdict, Verdict::Pass, "{}", check.reason);
        assert!(check.details.is_empty());
    }

    #[test]
    fn short_days_are_named_as_ranges_with_their_note() {
        let kiosk = schedule(
            r#"
exceptions:
  - {from: 2027-02-16, until: 2027-02-20, windows: [], note: Tết}
  - {date: 2027-02-21, windows: []}
  - {from: 2027-04-30, until: 2027-05-01, windows: ["07:00-10:30"], note: " "}
  - {from: 2027-09-02, until: 2027-09-03, windows: ["07:00-11:00", "13:00-18:00"], note: long day}
"#,
        );
        let check = hours_check(&kiosk, hcm("2026-11-28 10:00"));
        assert_eq!(check.verdict, Verdict::Warn);
        assert_eq!(
            check.details,
            [
                "2027-02-16..2027-02-20 (Tết): 0 h",
                "2027-02-21: 0 h",
                "2027-04-30..2027-05-01: 3 h 30 min",
            ]
        );
        assert_eq!(
            check.reason,
            "8 days of the next 365 below the legal 8 h: 2027-02-16..2027-02-20 (Tết): 0 h, \
             2027-02-21: 0 h, 2027-04-30..2027-05-01: 3 h 30 min"
        );
    }

    #[test]
    fn only_the_next_365_days_count_and_today_is_the_first() {
        // KIOSK closes 2027-02-16 for Tết and keeps the festival 3 h.
        let kiosk = schedule(KIOSK);
        let on_tet = hours_check(&kiosk, hcm("2027-02-16 23:59"));
        assert_eq!(
            on_tet.details,
            [
                "2027-02-16 (Tết): 0 h",
                "2027-02-20..2027-02-21 (festival): 3 h"
            ]
        );
        // From 2026-02-17 the 365th day is Tết 2027; from a day earlier, not.
        let last_day = hours_check(&kiosk, hcm("2026-02-17 00:00"));
        assert_eq!(last_day.details, ["2027-02-16 (Tết): 0 h"]);
        let a_day_short = hours_check(&kiosk, hcm("2026-02-16 23:59"));
        assert_eq!(a_day_short.verdict, Verdict::Pass, "{a_day_short:?}");
        let after = hours_check(&kiosk, hcm("2027-02-22 00:00"));
        assert_eq!(after.verdict, Verdict::Pass, "{after:?}");
    }

    #[test]
    fn short_daily_windows_are_one_range_and_the_reason_stays_one_line() {
        let short = schedule(
            r#"
windows: ["08:00-11:00", "14:00-17:00"]
exceptions:
  - {date: 2027-01-01, windows: [], note: New Year}
  - {date: 2027-03-01, windows: []}
  - {date: 2027-05-01, windows: []}
"#,
        );
        let check = hours_check(&short, hcm("2026-11-28 10:00"));
        assert_eq!(check.details.len(), 7, "{:?}", check.details);
        assert_eq!(check.details[0], "2026-11-28..2026-12-31: 6 h");
        assert_eq!(check.details[1], "2027-01-01 (New Year): 0 h");
        assert_eq!(check.details[6], "2027-05-02..2027-11-27: 6 h");
        assert!(check.reason.starts_with("365 days of the next 365 below"));
        assert!(check.reason.ends_with(" and 4 more"), "{}", check.reason);
    }
}
