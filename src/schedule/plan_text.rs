//! The plan of coming days as `infokiosk schedule --days N` prints it, as text and JSON.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde_json::{Value, json};

use super::local::{local, offset_label, rfc3339, rfc3339_utc};
use super::{DayPlan, OperatingSchedule};

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
