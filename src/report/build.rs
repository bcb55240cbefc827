//! From journal lines to a [`Report`](super::Report): one pass, in journal order.
//!
//! **Hours shown** are counted between consecutive journal lines. The time from
//! one line to the next counts when, after the first line, the player was running
//! and the screen open, unless the next line is `app_started` (the player had died:
//! from its last line to the restart is downtime) or the two lines are more than
//! [`MAX_SILENCE`] apart (the player writes a heartbeat every minute; a longer
//! silence is time the journal cannot vouch for).
//!
//! The player is running after any line except `app_stopped`. The screen is open
//! after `opened`, closed after `closed`, `app_started` and `app_stopped`, and a
//! `heartbeat` carries the state (`screen: open|closed`). Counted time inside the
//! schedule's open intervals is `shown`; outside them (an override `on`) it is
//! `shown outside hours`. Lines before the period only set that state; the first
//! line after it closes the period's last stretch, and later ones are ignored.
//!
//! Open time is not shown time while the "no content" slide is up (from
//! `fallback_shown` to the next `play_started`) or after a display power-on
//! command failed (`display_command` `on` with `ok: false`, until one works);
//! both end when the screen closes or the player stops or starts. Such time
//! is counted apart, as `fallback` and `display dark`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

use super::Period;
use super::lines::{parse_time, text, time_of};
use super::model::{
    ContentChange, DisplayFailure, IncidentRow, InspectionRow, ItemStats, JournalSummary,
    OverrideRow, RejectedFile, SecurityEvent, SecurityEvents,
};
use super::overlap::{OpenHours, Overlap};
use super::security::security_event;
use crate::journal::SCHEMA_VERSION;
use crate::schedule::OperatingSchedule;

/// The longest gap between two journal lines that still counts as shown time.
pub const MAX_SILENCE: Duration = Duration::minutes(5);

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct DayTally {
    pub in_hours_ms: i64,
    pub outside_ms: i64,
    pub fallback_ms: i64,
    pub dark_ms: i64,
    pub plays: u64,
}

/// Builds a report line by line, so a year of journal never sits in memory.
pub struct ReportBuilder<'a> {
    pub(super) schedule: &'a OperatingSchedule,
    pub(super) hours: OpenHours<'a>,
    pub(super) period: Period,
    pub(super) kiosk: String,
    pub(super) start: DateTime<Utc>,
    /// The end of the period, or `as_of` if that is earlier.
    pub(super) end: DateTime<Utc>,
    pub(super) as_of: DateTime<Utc>,
    pub(super) tally: BTreeMap<NaiveDate, DayTally>,
    /// The previous line's time and event.
    pub(super) previous: Option<(DateTime<Utc>, String)>,
    running: bool,
    open: bool,
    /// The "no content" slide is up.
    fallback: bool,
    /// A display power-on command failed since the screen opened.
    dark: bool,
    past_end: bool,
    pub(super) overrides: Vec<OverrideRow>,
    pub(super) incidents: Vec<IncidentRow>,
    /// language → (plays, shown ms)
    pub(super) languages: BTreeMap<String, (u64, u64)>,
    /// item → stats, and its shown ms
    pub(super) items: BTreeMap<String, (ItemStats, u64)>,
    pub(super) changes: Vec<ContentChange>,
    pub(super) rejected: BTreeMap<[String; 3], RejectedFile>,
    pub(super) display_failures: Vec<DisplayFailure>,
    pub(super) inspections: Vec<InspectionRow>,
    pub(super) security: SecurityEvents,
    pub(super) journal: JournalSummary,
}

impl<'a> ReportBuilder<'a> {
    /// A report of `period` as known at `as_of` (now): a period not over yet
    /// is reported up to that instant, and days after it are left out.
    pub fn new(
        schedule: &'a OperatingSchedule,
        period: Period,
        kiosk: &str,
        as_of: DateTime<Utc>,
    ) -> Self {
        let tz = schedule.timezone();
        Self {
            schedule,
            hours: OpenHours::new(schedule),
            period,
            kiosk: kiosk.to_owned(),
            start: period.start(tz),
            end: period.end(tz).min(as_of),
            as_of,
            tally: BTreeMap::new(),
            previous: None,
            running: false,
            open: false,
            fallback: false,
            dark: false,
            past_end: false,
            overrides: Vec::new(),
            incidents: Vec::new(),
            languages: BTreeMap::new(),
            items: BTreeMap::new(),
            changes: Vec::new(),
            rejected: BTreeMap::new(),
            display_failures: Vec::new(),
            inspections: Vec::new(),
            security: SecurityEvents::default(),
            journal: JournalSummary::default(),
        }
    }

    /// Lines that could not be read at all (counted in the report).
    pub fn add_broken(&mut self, count: usize) {
        self.journal.broken_lines += count as u64;
    }

    /// Security events found apart from the journal's lines (its chain walked).
    pub fn add_security(&mut self, events: impl IntoIterator<Item = SecurityEvent>) {
        events.into_iter().for_each(|e| self.security.push(e));
    }

    /// Whether a line after the period has been seen: later lines change nothing.
    pub fn is_past_end(&self) -> bool {
        self.past_end
    }

    /// One journal line, in journal order.
    pub fn add(&mut self, line: &Value) {
        let newer = line["v"]
            .as_u64()
            .is_some_and(|v| v > u64::from(SCHEMA_VERSION));
        let Some(t) = time_of(line).filter(|_| !newer) else {
            self.journal.skipped_lines += 1;
            return;
        };
        if self.past_end {
            return;
        }
        let event = text(line, "event");
        if let Some((before, _)) = self.previous
            && self.running
            && self.open
            && event != "app_started"
            && t > before
            && t - before <= MAX_SILENCE
        {
            self.count_open(before, t);
        }
        if t >= self.end {
            // The first line after the period closes its last stretch; the rest is ignored.
            self.past_end = true;
            return;
        }
        let was_stopped = self
            .previous
            .as_ref()
            .is_none_or(|(_, e)| e == "app_stopped");
        self.previous = Some((t, event.to_owned()));
        self.running = event != "app_stopped";
        match event {
            "opened" => self.open = true,
            "closed" | "app_started" | "app_stopped" => self.open = false,
            "heartbeat" => match text(line, "screen") {
                "open" => self.open = true,
                "closed" => self.open = false,
                _ => {}
            },
            _ => {}
        }
        match event {
            "fallback_shown" => self.fallback = true,
            "play_started" | "opened" | "closed" | "app_started" | "app_stopped" => {
                self.fallback = false
            }
            _ => {}
        }
        match event {
            "display_command" if text(line, "action") == "on" => {
                self.dark = line["ok"] == Value::Bool(false)
            }
            "closed" | "app_started" | "app_stopped" => self.dark = false,
            _ => {}
        }
        // Overrides are followed from before the period: one may reach into it.
        match event {
            "override_set" => self.override_set(line, t),
            "override_ended" => self.override_ended(line, t),
            _ => {}
        }
        if t < self.start {
            return;
        }
        self.journal.lines += 1;
        self.journal.first_line.get_or_insert(t);
        self.journal.last_line = Some(t);
        if event == "app_started" {
            self.journal.starts += 1;
            self.journal.unclean_starts += u64::from(!was_stopped);
        }
        self.record(line, event, t);
    }

    fn record(&mut self, line: &Value, event: &str, t: DateTime<Utc>) {
        match event {
            "play_ended" => {
                let date = t.with_timezone(&self.schedule.timezone()).date_naive();
                self.tally.entry(date).or_default().plays += 1;
                let ms = line["shown_ms"].as_u64().unwrap_or(0);
                let language = self
                    .languages
                    .entry(text(line, "language").into())
                    .or_default();
                language.0 += 1;
                language.1 += ms;
                let item = text(line, "item");
                let (stats, item_ms) = self.items.entry(item.into()).or_insert_with(|| {
                    let stats = ItemStats {
                        item: item.into(),
                        kind: text(line, "kind").into(),
                        language: text(line, "language").into(),
                        plays: 0,
                        seconds: 0,
                    };
                    (stats, 0)
                });
                stats.plays += 1;
                *item_ms += ms;
            }
            "incident" => self.incidents.push(IncidentRow {
                kind: text(line, "kind").into(),
                from: parse_time(text(line, "from")).unwrap_or(t),
                to: parse_time(text(line, "to")).unwrap_or(t),
                minutes_lost: line["minutes_lost"].as_u64().unwrap_or(0),
                cause: text(line, "cause").into(),
            }),
            "content_added" | "content_removed" => self.changes.push(ContentChange {
                time: t,
                change: event.trim_start_matches("content_").into(),
                item: text(line, "item").into(),
            }),
            "item_failed" => {
                let key = [
                    text(line, "item"),
                    text(line, "stage"),
                    text(line, "reason"),
                ]
                .map(String::from);
                let row = self.rejected.entry(key).or_insert_with(|| RejectedFile {
                    item: text(line, "item").into(),
                    kind: text(line, "kind").into(),
                    stage: text(line, "stage").into(),
                    reason: text(line, "reason").into(),
                    count: 0,
                    first: t,
                    last: t,
                });
                row.count += 1;
                row.last = t;
            }
            "display_command" if line["ok"] == Value::Bool(false) => {
                self.display_failures.push(DisplayFailure {
                    time: t,
                    action: text(line, "action").into(),
                    error: text(line, "error").into(),
                });
            }
            "inspection" => self.inspections.push(inspection_row(line, t)),
            _ => {}
        }
        if let Some(security) = security_event(line, t) {
            self.security.push(security);
        }
    }

    /// Open time: shown, unless the fallback slide was up or the display dark.
    fn count_open(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        let (from, to) = (from.max(self.start), to.min(self.end));
        for Overlap { date, open, total } in self.hours.split(from, to) {
            let day = self.tally.entry(date).or_default();
            if self.dark {
                day.dark_ms += total.num_milliseconds();
            } else if self.fallback {
                day.fallback_ms += total.num_milliseconds();
            } else {
                day.in_hours_ms += open.num_milliseconds();
                day.outside_ms += (total - open).num_milliseconds();
            }
        }
    }
}

/// An `inspection` line as a report row: the checks that failed and warned.
pub(crate) fn inspection_row(line: &Value, t: DateTime<Utc>) -> InspectionRow {
    let with = |verdict: &str| -> Vec<String> {
        line["checks"].as_object().map_or(Vec::new(), |checks| {
            checks
                .iter()
                .filter(|(_, v)| v.as_str() == Some(verdict))
                .map(|(name, _)| name.clone())
                .collect()
        })
    };
    InspectionRow {
        time: t,
        by: text(line, "by").into(),
        verdict: text(line, "verdict").into(),
        failed: with("FAIL"),
        warned: with("WARN"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::build_report;
    use super::super::fixture::{Lines, after, heartbeat, opened, schedule};
    use crate::journal::Event;

    #[test]
    fn a_long_silence_is_not_counted_as_shown() {
        let mut j = Lines::default();
        j.local(
            "2026-11-02 07:00",
            Event::AppStarted {
                version: "1".into(),
            },
        );
        j.local("2026-11-02 07:00", opened());
        j.local("2026-11-02 07:04", heartbeat("open")); // 4 min: counted
        j.local("2026-11-02 07:14", heartbeat("open")); // 10 min: the player hung
        j.local("2026-11-02 07:15", heartbeat("open")); // counted again
        j.local(
            "2026-11-02 07:16",
            Event::AppStopped {
                reason: "x".into(),
                restart: None,
            },
        );
        j.local("2026-11-02 07:20", heartbeat("open")); // 4 min after a stop: not running
        let report = build_report(
            &j.lines,
            &schedule(),
            "2026-11".parse().unwrap(),
            "tb-1",
            after(),
        );
        assert_eq!(report.days[1].shown_seconds, 4 * 60 + 60 + 60);
    }
}
