//! Overrides as they are set and end, and closing a [`ReportBuilder`]: overrides
//! still in force, scheduled time lost to incidents and overrides `off`, day
//! rows against the legal hours, closures and totals.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::build::ReportBuilder;
use super::closures::{override_closure, schedule_closures};
use super::lines::{parse_time, text};
use super::model::{DayRow, OverrideRow, PlayStats, Report, Totals, percent};
use super::overlap::OpenHours;
use super::period::local_midnight;
use crate::journal::operating_time_between;
use crate::schedule::{OperatingSchedule, ScheduleConfig};

/// The hours Decision 17/2021/QĐ-UBND requires every day, holidays, Tết and
/// weekends included: 07:00–11:00 and 14:00–18:00 (the default schedule),
/// on the wall clock of `schedule`.
pub(crate) fn legal_hours(schedule: &OperatingSchedule) -> OperatingSchedule {
    let config = ScheduleConfig {
        timezone: schedule.timezone().name().into(),
        ..ScheduleConfig::default()
    };
    OperatingSchedule::from_config(&config).expect("the default schedule is valid")
}

impl ReportBuilder<'_> {
    pub(super) fn override_set(&mut self, line: &Value, t: DateTime<Utc>) {
        self.end_override(t, "replaced");
        self.overrides.push(OverrideRow {
            action: text(line, "action").into(),
            set_at: t,
            until: parse_time(text(line, "until")),
            ended_at: None,
            ended_how: None,
            minutes: None,
            reason: text(line, "reason").into(),
            by: text(line, "by").into(),
            source: text(line, "source").into(),
            requested_by: text(line, "requested_by").into(),
            signer: text(line, "signer").into(),
        });
    }

    pub(super) fn override_ended(&mut self, line: &Value, t: DateTime<Utc>) {
        let how = text(line, "how");
        self.end_override(t, if how.is_empty() { "cleared" } else { how });
    }

    /// Ends the override in force at `t`. An expiry is noticed a moment after its
    /// end time; the end time is when it ended.
    fn end_override(&mut self, t: DateTime<Utc>, how: &str) {
        let Some(row) = self.overrides.last_mut().filter(|o| o.ended_at.is_none()) else {
            return;
        };
        let ended = match row.until {
            Some(until) if how == "expired" && until < t => until,
            _ => t,
        };
        row.ended_at = Some(ended);
        row.ended_how = Some(how.into());
        row.minutes = Some((ended - row.set_at).num_minutes());
    }

    pub fn finish(mut self) -> Report {
        // An override still in force ended at its end time if the journal goes past it.
        let last_line = self.previous.as_ref().map(|(t, _)| *t);
        if let Some(row) = self.overrides.last_mut().filter(|o| o.ended_at.is_none())
            && let (Some(until), Some(last)) = (row.until, last_line)
            && until <= last
        {
            row.ended_at = Some(until);
            row.ended_how = Some("expired".into());
            row.minutes = Some((until - row.set_at).num_minutes());
        }
        let (start, end) = (self.start, self.end);
        self.overrides
            .retain(|o| o.set_at < end && o.ended_at.is_none_or(|e| e > start));

        // Required time lost, per day: (downtime ms, override-off ms).
        let mut lost = BTreeMap::<NaiveDate, (i64, i64)>::new();
        let clip = |from: DateTime<Utc>, to: DateTime<Utc>| (from.max(start), to.min(end));
        for incident in &self.incidents {
            let (from, to) = clip(incident.from, incident.to);
            for o in self.hours.split(from, to) {
                lost.entry(o.date).or_default().0 += o.open.num_milliseconds();
            }
        }
        for row in self.overrides.iter().filter(|o| o.action == "off") {
            let (from, to) = clip(row.set_at, row.ended_at.or(row.until).unwrap_or(end));
            for o in self.hours.split(from, to) {
                lost.entry(o.date).or_default().1 += o.open.num_milliseconds();
            }
        }

        let seconds = |ms: i64| (ms + 500).div_euclid(1000);
        let tz = self.schedule.timezone();
        let legal = legal_hours(self.schedule);
        let today = self.as_of.with_timezone(&tz).date_naive();
        // Up to `as_of` on its own day, the whole day before it.
        let open_on = |schedule: &OperatingSchedule, date: NaiveDate| match date == today {
            true => {
                let midnight = local_midnight(tz, date);
                operating_time_between(schedule, midnight, self.as_of).num_seconds()
            }
            false => schedule.required_seconds(date),
        };
        let days: Vec<DayRow> = (self.period.days().into_iter())
            .take_while(|date| *date <= today)
            .map(|date| {
                let tally = self.tally.get(&date).copied().unwrap_or_default();
                let (down, off) = lost.get(&date).copied().unwrap_or_default();
                let required = open_on(&legal, date);
                let scheduled = open_on(self.schedule, date);
                let shown = seconds(tally.in_hours_ms);
                let outside = seconds(tally.outside_ms);
                let counted = (shown + outside).min(required);
                DayRow {
                    date,
                    required_seconds: required,
                    scheduled_seconds: scheduled,
                    shown_seconds: shown,
                    shown_outside_hours_seconds: outside,
                    counted_seconds: counted,
                    missing_seconds: required - counted,
                    closed_by_schedule_seconds: (required - scheduled).max(0),
                    fallback_seconds: seconds(tally.fallback_ms),
                    display_dark_seconds: seconds(tally.dark_ms),
                    downtime_seconds: seconds(down),
                    override_off_seconds: seconds(off),
                    plays: tally.plays,
                    compliance_percent: percent(counted, required),
                    schedule_compliance_percent: percent(shown, scheduled),
                }
            })
            .collect();

        let mut closures = schedule_closures(self.schedule, &days);
        let mut legal_open = OpenHours::new(&legal);
        let report_end = self.end;
        closures.extend(
            (self.overrides.iter())
                .filter(|o| o.action == "off")
                .map(|o| override_closure(o, &mut legal_open, start, report_end)),
        );
        closures.sort_by_key(|c| c.from);
        let total = Totals::of(&days, &self);
        let total = Totals {
            closures: closures.len(),
            ..total
        };

        let round = |ms: u64| (ms + 500) / 1000;
        let languages = (self.languages.into_iter())
            .map(|(language, (plays, ms))| PlayStats {
                language,
                plays,
                seconds: round(ms),
            })
            .collect();
        let items = (self.items.into_values())
            .map(|(stats, ms)| super::model::ItemStats {
                seconds: round(ms),
                ..stats
            })
            .collect();
        Report {
            kiosk: self.kiosk,
            period: self.period,
            as_of: self.as_of,
            complete: self.as_of >= self.period.end(tz),
            timezone: self.schedule.timezone().name().into(),
            tz: self.schedule.timezone(),
            days,
            total,
            closures,
            incidents: self.incidents,
            overrides: self.overrides,
            languages,
            items,
            content_changes: self.changes,
            rejected: self.rejected.into_values().collect(),
            display_failures: self.display_failures,
            inspections: self.inspections,
            security: self.security,
            journal: self.journal,
        }
    }
}

impl Totals {
    /// The sums of the day rows, and the counts of what `builder` collected.
    fn of(days: &[DayRow], builder: &ReportBuilder) -> Self {
        let sum = |field: fn(&DayRow) -> i64| days.iter().map(field).sum::<i64>();
        let (required, counted) = (sum(|d| d.required_seconds), sum(|d| d.counted_seconds));
        let (scheduled, shown) = (sum(|d| d.scheduled_seconds), sum(|d| d.shown_seconds));
        Totals {
            days: days.len(),
            required_seconds: required,
            scheduled_seconds: scheduled,
            shown_seconds: shown,
            shown_outside_hours_seconds: sum(|d| d.shown_outside_hours_seconds),
            counted_seconds: counted,
            missing_seconds: sum(|d| d.missing_seconds),
            closed_by_schedule_seconds: sum(|d| d.closed_by_schedule_seconds),
            fallback_seconds: sum(|d| d.fallback_seconds),
            display_dark_seconds: sum(|d| d.display_dark_seconds),
            downtime_seconds: sum(|d| d.downtime_seconds),
            override_off_seconds: sum(|d| d.override_off_seconds),
            plays: days.iter().map(|d| d.plays).sum(),
            incidents: builder.incidents.len(),
            overrides: builder.overrides.len(),
            closures: 0,
            security_events: builder.security.count,
            compliance_percent: percent(counted, required),
            schedule_compliance_percent: percent(shown, scheduled),
        }
    }
}
