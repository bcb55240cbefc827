//! The plan of coming days: each local date's open intervals, on the wall clock and in UTC,
//! and its text and JSON forms as `infokiosk schedule --days N` prints them.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Timelike, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::local::{instant_of, local, offset_label, rfc3339, rfc3339_utc};
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

/// One line per local date from the local date of `from`: windows, hours open,
/// the same intervals in UTC, and the exception that applies.
pub fn render_plan(schedule: &OperatingSchedule, from: DateTime<Utc>, days: u32) -> String {
    let plan = schedule.plan(from, days);
    let rows: Vec<[String; 5]> = plan.iter().map(plan_row).collect();
    let width = rows.iter().map(|row| row[1].len()).max().unwrap_or(0);
    let first = plan
        .first()
        .map_or_else(|| local(schedule.timezone(), from).date_naive(), |d| d.date);
    let mut out = format!(
        "plan for {days} day{} from {first}, times in {} ({}), UTC in brackets",
        if days == 1 { "" } else { "s" },
        schedule.timezone().name(),
        offset_label(*local(schedule.timezone(), from).offset())
    );
    for [date, windows, hours, utc, exception] in rows {
        let columns = [
            date,
            format!("{windows:<width$}"),
            format!("{hours:>6}"),
            utc,
            exception,
        ];
        let filled: Vec<&str> = columns
            .iter()
            .map(String::as_str)
            .filter(|c| !c.is_empty())
            .collect();
        out.push('\n');
        out.push_str(filled.join("  ").trim_end());
    }
    out
}

fn plan_row(day: &DayPlan) -> [String; 5] {
    let date = day.date.format("%Y-%m-%d %a").to_string();
    let windows = if day.intervals.is_empty() {
        "closed".to_string()
    } else {
        day.intervals
            .iter()
            .map(|i| i.window.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let utc = if day.intervals.is_empty() {
        String::new()
    } else {
        let spans: Vec<String> = day
            .intervals
            .iter()
            .map(|i| {
                format!(
                    "{}-{}",
                    utc_clock(i.utc_start, day.date),
                    utc_clock(i.utc_end, day.date)
                )
            })
            .collect();
        format!("(UTC {})", spans.join(" "))
    };
    let exception = day
        .exception
        .as_ref()
        .map(|e| format!("exception {e}"))
        .unwrap_or_default();
    [date, windows, hours(day.open_seconds()), utc, exception]
}

/// Per local date: `date`, `weekday`, `open_seconds`, `exception` (`from`, `until`,
/// `note`, or `null`) and `intervals` (`window`, `start`/`end` on the local clock,
/// `start_utc`/`end_utc`), all times RFC 3339.
pub fn plan_json(schedule: &OperatingSchedule, from: DateTime<Utc>, days: u32) -> Value {
    let plan = schedule.plan(from, days);
    let days_json: Vec<Value> = plan
        .iter()
        .map(|day| {
            let intervals: Vec<Value> = day
                .intervals
                .iter()
                .map(|i| {
                    json!({
                        "window": i.window.to_string(),
                        "start": rfc3339(i.local_start),
                        "end": rfc3339(i.local_end),
                        "start_utc": rfc3339_utc(i.utc_start),
                        "end_utc": rfc3339_utc(i.utc_end),
                    })
                })
                .collect();
            json!({
                "date": day.date.to_string(),
                "weekday": day.date.format("%a").to_string(),
                "open_seconds": day.open_seconds(),
                "exception": day.exception,
                "intervals": intervals,
            })
        })
        .collect();
    json!({
        "timezone": schedule.timezone().name(),
        "from": rfc3339(local(schedule.timezone(), from)),
        "days": days_json,
    })
}

/// `8h00m`, with seconds only when there are some.
fn hours(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 {
        format!("{h}h{m:02}m")
    } else {
        format!("{h}h{m:02}m{s:02}s")
    }
}

/// `HH:MM` in UTC, marked `(-1d)` / `(+1d)` when the UTC date is not the local one.
fn utc_clock(t: DateTime<Utc>, local_date: NaiveDate) -> String {
    let clock = if t.second() == 0 {
        t.format("%H:%M")
    } else {
        t.format("%H:%M:%S")
    };
    match (t.date_naive() - local_date).num_days() {
        0 => clock.to_string(),
        shift => format!("{clock}({shift:+}d)"),
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

#[cfg(test)]
mod text_tests {
    use super::*;
    use crate::test_support::{KIOSK_WITH_DAWN, schedule, utc};

    #[test]
    fn render_plan_one_line_per_local_date() {
        let kiosk = schedule(KIOSK_WITH_DAWN);
        let text = render_plan(&kiosk, utc("2027-02-15T03:00:00Z"), 7);
        let expected = "\
plan for 7 days from 2027-02-15, times in Asia/Ho_Chi_Minh (+07), UTC in brackets
2027-02-15 Mon  07:00-11:00 14:00-18:00   8h00m  (UTC 00:00-04:00 07:00-11:00)
2027-02-16 Tue  closed                    0h00m  exception 2027-02-16 (Tết)
2027-02-17 Wed  07:00-11:00 14:00-18:00   8h00m  (UTC 00:00-04:00 07:00-11:00)
2027-02-18 Thu  07:00-11:00 14:00-18:00   8h00m  (UTC 00:00-04:00 07:00-11:00)
2027-02-19 Fri  07:00-11:00 14:00-18:00   8h00m  (UTC 00:00-04:00 07:00-11:00)
2027-02-20 Sat  05:30-06:00 19:00-22:00   3h30m  (UTC 22:30(-1d)-23:00(-1d) 12:00-15:00)  exception 2027-02-20..2027-02-21 (festival)
2027-02-21 Sun  05:30-06:00 19:00-22:00   3h30m  (UTC 22:30(-1d)-23:00(-1d) 12:00-15:00)  exception 2027-02-20..2027-02-21 (festival)";
        assert_eq!(text, expected);
    }

    #[test]
    fn plan_json_lists_days_and_intervals() {
        let kiosk = schedule(KIOSK_WITH_DAWN);
        let json = plan_json(&kiosk, utc("2027-02-15T03:00:00Z"), 2);
        assert_eq!(json["timezone"], "Asia/Ho_Chi_Minh");
        let days = json["days"].as_array().unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0]["date"], "2027-02-15");
        assert_eq!(days[0]["open_seconds"], 28_800);
        assert_eq!(
            days[0]["intervals"][1],
            json!({
                "window": "14:00-18:00",
                "start": "2027-02-15T14:00:00+07:00",
                "end": "2027-02-15T18:00:00+07:00",
                "start_utc": "2027-02-15T07:00:00Z",
                "end_utc": "2027-02-15T11:00:00Z",
            })
        );
        assert_eq!(days[1]["open_seconds"], 0);
        assert_eq!(
            days[1]["exception"],
            json!({"from": "2027-02-16", "until": "2027-02-16", "note": "Tết"})
        );
        assert_eq!(days[1]["intervals"], json!([]));
    }
}
