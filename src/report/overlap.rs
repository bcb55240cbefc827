//! Splitting a stretch of time by local date, and how much of each day's part
//! lies inside the schedule's open intervals.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::period::local_midnight;
use crate::schedule::OperatingSchedule;

/// The part of a stretch of time that falls on one local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overlap {
    pub date: NaiveDate,
    /// Inside the date's open intervals.
    pub open: Duration,
    /// All of it.
    pub total: Duration,
}

/// An open interval as instants: start inclusive, end exclusive.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The schedule's open intervals per local date, computed once per date.
pub(crate) struct OpenHours<'a> {
    schedule: &'a OperatingSchedule,
    intervals: BTreeMap<NaiveDate, Vec<Span>>,
}

impl<'a> OpenHours<'a> {
    pub fn new(schedule: &'a OperatingSchedule) -> Self {
        Self {
            schedule,
            intervals: BTreeMap::new(),
        }
    }

    /// `from..to` cut at local midnights, each part with its open time. Empty
    /// when `to <= from`.
    pub fn split(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Overlap> {
        let tz = self.schedule.timezone();
        let mut parts = Vec::new();
        let mut at = from;
        while at < to {
            let date = at.with_timezone(&tz).date_naive();
            let Some(next_day) = date.succ_opt() else {
                break;
            };
            let part_end = local_midnight(tz, next_day).min(to);
            if part_end <= at {
                break;
            }
            let schedule = self.schedule;
            let intervals = self.intervals.entry(date).or_insert_with(|| {
                let plan = schedule.day_plan(date).intervals;
                plan.iter().map(|i| (i.utc_start, i.utc_end)).collect()
            });
            let open = intervals
                .iter()
                .map(|&(start, end)| (end.min(part_end) - start.max(at)).max(Duration::zero()))
                .sum();
            parts.push(Overlap {
                date,
                open,
                total: part_end - at,
            });
            at = part_end;
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::ScheduleConfig;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_stretch_across_local_midnight_is_split_by_local_date() {
        let schedule = OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap();
        let mut hours = OpenHours::new(&schedule);
        // 2026-11-28 17:30 to 2026-11-29 07:30 in HCM (+07).
        let parts = hours.split(utc("2026-11-28T10:30:00Z"), utc("2026-11-29T00:30:00Z"));
        let seen: Vec<(String, i64, i64)> = parts
            .iter()
            .map(|p| {
                (
                    p.date.to_string(),
                    p.open.num_minutes(),
                    p.total.num_minutes(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("2026-11-28".into(), 30, 390),
                ("2026-11-29".into(), 30, 450)
            ]
        );
        assert!(
            hours
                .split(utc("2026-11-29T00:30:00Z"), utc("2026-11-29T00:30:00Z"))
                .is_empty()
        );
    }
}
