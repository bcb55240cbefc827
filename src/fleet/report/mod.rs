//! `infokiosk fleet report`: the annual (or interim) report for the province,
//! every kiosk and the total, from the journal copies in the outboxes. Each
//! kiosk's figures come from `crate::report`'s builder fed with its journal
//! copy (read through `crate::guard`); this module adds what only the office
//! can say: whether each journal is whole (missing months, `seq` gaps, the
//! hash chain against the seals), the days content changed, the weekday
//! update duty, the backups verified, and the sums.

mod csv;
mod html;
mod kiosk;
mod seen;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::report::{Period, Report, percent};
use crate::schedule::OperatingSchedule;

pub use kiosk::read_kiosk;

/// The report of every kiosk under the outboxes folder, and the total.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub period: Period,
    pub as_of: DateTime<Utc>,
    /// Whether the period was over at `as_of`.
    pub complete: bool,
    pub timezone: String,
    pub kiosks: Vec<KioskReport>,
    pub total: FleetTotals,
}

/// One kiosk over the period.
#[derive(Debug, Clone, Serialize)]
pub struct KioskReport {
    /// The outbox folder's name.
    pub kiosk_id: String,
    /// What the journal cannot vouch for, one sentence each: a folder or file
    /// refused, missing months, `seq` gaps, lines that did not parse, a month
    /// that fails verification. Empty when the journal is whole and verifies.
    pub problems: Vec<String>,
    /// Some month failed the hash chain or its seal (tampering, or damage).
    pub verification_failed: bool,
    /// Months of the period (up to `as_of`) with no journal copy.
    pub missing_months: Vec<String>,
    /// `seq` numbers absent between the first and last line read: (first, last) missing.
    pub seq_gaps: Vec<(u64, u64)>,
    /// The single-kiosk report; `None` when there was no journal to read.
    pub report: Option<Report>,
    /// Local dates with a content update: a new file, a file removed, or
    /// bytes never shown before on screen.
    pub update_days: Vec<NaiveDate>,
    /// Monday to Friday dates (up to `as_of`, in months with a journal) with
    /// no content update: the weekday duty of Art. 7.2 not met.
    pub weekdays_without_update: Vec<NaiveDate>,
    /// `backup_written`/`backup_kept` (verified) and `backup_failed` lines.
    pub backups: Vec<BackupRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRow {
    pub time: DateTime<Utc>,
    /// The month archived (`YYYY-MM`).
    pub month: String,
    pub verified: bool,
    /// The archive's name, or the error.
    pub detail: String,
}

/// Sums over the kiosks. Each field is the plain sum of the kiosks' figures,
/// so the total row adds up by hand.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FleetTotals {
    pub kiosks: usize,
    /// Kiosks whose journal has a gap or a problem, and those failing verification.
    pub kiosks_with_problems: usize,
    pub kiosks_failing_verification: usize,
    /// The legal hours (8 h a day).
    pub required_seconds: i64,
    /// Content on screen, counted toward the legal hours.
    pub shown_seconds: i64,
    pub compliance_percent: Option<f64>,
    pub incidents: usize,
    pub incident_minutes: u64,
    pub overrides: usize,
    pub override_minutes: i64,
    pub update_days: usize,
    pub weekdays_without_update: usize,
    /// language → seconds on screen (`""`: language-neutral items).
    pub languages: BTreeMap<String, u64>,
    pub security_events: usize,
    pub inspections: usize,
    pub inspections_failed: usize,
    pub backups_verified: usize,
    pub backups_failed: usize,
}

/// What can be said of a kiosk's journal over the period, as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalVerdict {
    /// Every month there, no gap, the chain and the seals verify.
    Whole,
    /// Something missing or unreadable (see `problems`).
    Gaps,
    /// No journal folder at all: nothing to report from.
    Missing,
    /// Some month fails the hash chain or its seal.
    FailsVerification,
}

impl JournalVerdict {
    /// In English, for the CSV and the terminal.
    pub fn english(self) -> &'static str {
        match self {
            JournalVerdict::Whole => "whole, verified",
            JournalVerdict::Gaps => "journal has gaps",
            JournalVerdict::Missing => "no journal",
            JournalVerdict::FailsVerification => "FAILS VERIFICATION",
        }
    }

    /// In Vietnamese and English, for the page.
    pub fn words(self) -> &'static str {
        match self {
            JournalVerdict::Whole => "đầy đủ, xác minh được / whole, verified",
            JournalVerdict::Gaps => "có thiếu sót / has gaps",
            JournalVerdict::Missing => "không có nhật ký / no journal",
            JournalVerdict::FailsVerification => "KHÔNG XÁC MINH ĐƯỢC / FAILS VERIFICATION",
        }
    }
}

impl KioskReport {
    pub fn verdict(&self) -> JournalVerdict {
        match (
            self.verification_failed,
            &self.report,
            self.problems.is_empty(),
        ) {
            (true, _, _) => JournalVerdict::FailsVerification,
            (false, None, _) => JournalVerdict::Missing,
            (false, Some(_), false) => JournalVerdict::Gaps,
            (false, Some(_), true) => JournalVerdict::Whole,
        }
    }

    /// This kiosk's figures as one row of the totals.
    pub fn figures(&self) -> FleetTotals {
        let mut row = FleetTotals {
            kiosks: 1,
            kiosks_with_problems: usize::from(!self.problems.is_empty()),
            kiosks_failing_verification: usize::from(self.verification_failed),
            update_days: self.update_days.len(),
            weekdays_without_update: self.weekdays_without_update.len(),
            backups_verified: self.backups.iter().filter(|b| b.verified).count(),
            backups_failed: self.backups.iter().filter(|b| !b.verified).count(),
            ..FleetTotals::default()
        };
        if let Some(report) = &self.report {
            row.required_seconds = report.total.required_seconds;
            row.shown_seconds = report.total.counted_seconds;
            row.security_events = report.security.count as usize;
            row.incidents = report.incidents.len();
            row.incident_minutes = report.incidents.iter().map(|i| i.minutes_lost).sum();
            row.overrides = report.overrides.len();
            row.override_minutes = report.overrides.iter().filter_map(|o| o.minutes).sum();
            row.inspections = report.inspections.len();
            row.inspections_failed = (report.inspections.iter())
                .filter(|i| i.verdict == "FAIL")
                .count();
            for l in &report.languages {
                *row.languages.entry(l.language.clone()).or_default() += l.seconds;
            }
        }
        row.compliance_percent = percent(row.shown_seconds, row.required_seconds);
        row
    }
}

impl FleetTotals {
    fn add(&mut self, row: &FleetTotals) {
        self.kiosks += row.kiosks;
        self.kiosks_with_problems += row.kiosks_with_problems;
        self.kiosks_failing_verification += row.kiosks_failing_verification;
        self.required_seconds += row.required_seconds;
        self.shown_seconds += row.shown_seconds;
        self.incidents += row.incidents;
        self.incident_minutes += row.incident_minutes;
        self.overrides += row.overrides;
        self.override_minutes += row.override_minutes;
        self.update_days += row.update_days;
        self.weekdays_without_update += row.weekdays_without_update;
        for (language, seconds) in &row.languages {
            *self.languages.entry(language.clone()).or_default() += seconds;
        }
        self.security_events += row.security_events;
        self.inspections += row.inspections;
        self.inspections_failed += row.inspections_failed;
        self.backups_verified += row.backups_verified;
        self.backups_failed += row.backups_failed;
        self.compliance_percent = percent(self.shown_seconds, self.required_seconds);
    }
}

/// Reads every kiosk folder under `dir` (sorted by name; names starting with
/// `.` are Syncthing's and passed over) and reports `period` as known at `now`.
pub fn report_fleet(
    dir: &Path,
    schedule: &OperatingSchedule,
    period: Period,
    now: DateTime<Utc>,
) -> std::io::Result<FleetReport> {
    let kiosks: Vec<KioskReport> =
        super::each_kiosk(dir, |folder| read_kiosk(folder, schedule, period, now))?;
    let mut total = FleetTotals::default();
    for kiosk in &kiosks {
        total.add(&kiosk.figures());
    }
    let tz = schedule.timezone();
    Ok(FleetReport {
        period,
        as_of: now,
        complete: now >= period.end(tz),
        timezone: tz.name().into(),
        kiosks,
        total,
    })
}

impl FleetReport {
    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        crate::report::pretty_json(self)
    }
}
