//! The plan of coming days: each local date's open intervals, on the wall clock and in UTC.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

use super::local::{instant_of, local};
use super::next_change::window_end;
use super::{ExceptionSpan, OperatingSchedule, Window};

/// One local date of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayPlan {
    pub date: NaiveDate,
    /// The open intervals in order; empty on a closed day.
    pub intervals: Vec<OpenInterval>,
    /// The exception that sets this day's windows, if any.
    pub exception: Option<ExceptionSpan>,
}

impl DayPlan {
    /// Seconds open on this date, measured between instants (a window across a
    /// DST change counts the hours that really pass).
    pub fn open_seconds(&self) -> i64 {
        self.intervals
            .iter()
            .map(|i| (i.utc_end - i.utc_start).num_seconds().max(0))
            .sum()
    }
}

/// One window of one date, as instants.
///
/// In an hour repeated when DST ends, a boundary is taken at its first occurrence;
/// in an hour DST skips, at the jump. (Asia/Ho_Chi_Minh has neither.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenInterval {
    pub window: Window,
    pub local_start: DateTime<FixedOffset>,
    pub local_end: DateTime<FixedOffset>,
    pub utc_start: DateTime<Utc>,
    pub utc_end: DateTime<Utc>,
}

impl OperatingSchedule {
    /// `days` consecutive local dates, starting with the local date of `from`.
    pub fn plan(&self, from: DateTime<Utc>, days: u32) -> Vec<DayPlan> {
        let first = local(self.timezone(), from).date_naive();
        (0..u64::from(days))
            .map_while(|offset| first.checked_add_days(Days::new(offset)))
            .map(|date| self.day_plan(date))
            .collect()
    }

    /// The plan of one local date.
    pub fn day_plan(&self, date: NaiveDate) -> DayPlan {
        let tz = self.timezone();
        let (windows, exception) = self.windows_on(date);
        let intervals = windows
            .iter()
            .filter_map(|window| {
                let utc_start = instant_of(tz, date.and_time(window.start));
                let utc_end = instant_of(tz, window_end(date, window)?);
                Some(OpenInterval {
                    window: *window,
                    local_start: local(tz, utc_start),
                    local_end: local(tz, utc_end),
                    utc_start,
                    utc_end,
                })
            })
            .collect();
        DayPlan {
            date,
            intervals,
            exception: exception.cloned(),
        }
    }

    /// Seconds the screens must be open on a local date: 28 800 on a normal day of
    /// the legal hours, 0 on a closure.
    pub fn required_seconds(&self, date: NaiveDate) -> i64 {
        self.day_plan(date).open_seconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{KIOSK, schedule};

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn required_seconds_per_day() {
        let kiosk = schedule(KIOSK);
        let cases = [
            ("2026-11-28", 28_800), // a Saturday
            ("2026-12-31", 28_800),
            ("2027-01-01", 28_800),
            ("2027-02-16", 0),
            ("2027-02-20", 10_800),
            ("2027-02-22", 28_800),
        ];
        for (day, seconds) in cases {
            assert_eq!(kiosk.required_seconds(date(day)), seconds, "{day}");
        }
    }

    #[test]
    fn a_dst_day_counts_the_hours_that_pass() {
        let berlin = schedule("timezone: Europe/Berlin\nwindows: [\"00:00-24:00\"]");
        assert_eq!(berlin.required_seconds(date("2026-03-29")), 23 * 3600);
        assert_eq!(berlin.required_seconds(date("2026-10-25")), 25 * 3600);
        assert_eq!(berlin.required_seconds(date("2026-06-01")), 24 * 3600);
    }

    #[test]
    fn plan_lists_local_dates_with_local_and_utc_intervals() {
        let kiosk = schedule(KIOSK);
        // 2027-02-15 18:30 UTC is already 2027-02-16 01:30 in Ho Chi Minh City.
        let plan = kiosk.plan("2027-02-15T18:30:00Z".parse().unwrap(), 3);
        let dates: Vec<String> = plan.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2027-02-16", "2027-02-17", "2027-02-18"]);

        let tet = &plan[0];
        assert!(tet.intervals.is_empty());
        assert_eq!(
            tet.exception.as_ref().map(ToString::to_string).as_deref(),
            Some("2027-02-16 (Tết)")
        );

        let normal = &plan[1];
        assert_eq!(normal.exception, None);
        let shown: Vec<(String, String, String)> = normal
            .intervals
            .iter()
            .map(|i| {
                (
                    i.window.to_string(),
                    i.local_start.to_rfc3339(),
                    i.utc_end.to_rfc3339(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "07:00-11:00".into(),
                    "2027-02-17T07:00:00+07:00".into(),
                    "2027-02-17T04:00:00+00:00".into()
                ),
                (
                    "14:00-18:00".into(),
                    "2027-02-17T14:00:00+07:00".into(),
                    "2027-02-17T11:00:00+00:00".into()
                ),
            ]
        );
        assert_eq!(normal.open_seconds(), 28_800);
        assert!(
            kiosk
                .plan("2027-02-15T18:30:00Z".parse().unwrap(), 0)
                .is_empty()
        );
    }

    #[test]
    fn a_window_to_midnight_ends_at_the_next_local_midnight() {
        let late = schedule("windows: [\"18:00-24:00\"]");
        let day = late.day_plan(date("2026-12-31"));
        assert_eq!(
            day.intervals[0].local_end.to_rfc3339(),
            "2027-01-01T00:00:00+07:00"
        );
        assert_eq!(day.open_seconds(), 6 * 3600);
    }
}
