//! Reports from the journal over a month, a year or any dates: per local day
//! the legal hours required (8 h every day, whatever the schedule says) and
//! the hours shown, compliance, closures (ordered or not), overrides,
//! downtime incidents, security events, plays per language and per item,
//! content changes and rejected files; as HTML (A4, inline SVG chart), CSV
//! (UTF-8 with BOM) or JSON. Also the outbox `status.json`.
//!
//! How shown time is derived from the journal is documented in [`build`].

pub mod build;
mod chart;
mod closures;
mod csv;
mod finish;
mod html;
mod law_tables;
pub mod lines;
mod model;
mod overlap;
mod period;
#[cfg(feature = "player")]
pub mod plugin;
mod recent;
pub mod security;
mod status;
mod tables;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;
use thiserror::Error;

pub use build::{MAX_SILENCE, ReportBuilder};
pub use model::{
    Closure, ClosureSource, ContentChange, DayRow, DisplayFailure, IncidentRow, ItemStats,
    JournalSummary, OverrideRow, PlayStats, RejectedFile, Report, SecurityEvent, SecurityEvents,
    Totals,
};
pub use period::{Month, Period, PeriodError};
pub use security::SecuritySeen;
pub use status::{
    ContentInForce, KioskStatus, NowShowing, RecentErrors, recent_errors, status_json,
    status_json_of, status_json_with,
};
pub use tables::esc as escape_html;

use crate::schedule::OperatingSchedule;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("reading journal {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The report of `period` as known at `now`, from journal lines in journal order. Lines before the
/// period only set the state it starts in; the first line after it closes the
/// period's last stretch.
pub fn build_report(
    lines: &[Value],
    schedule: &OperatingSchedule,
    period: Period,
    kiosk: &str,
    now: DateTime<Utc>,
) -> Report {
    let mut builder = ReportBuilder::new(schedule, period, kiosk, now);
    for line in lines {
        builder.add(line);
    }
    builder.finish()
}

/// The report of `period` from the monthly files in `journal_dir`, read line by
/// line. The month before the period is read too, for the state the period
/// starts in (an override or the screen left on across midnight), and the first
/// line after it, which closes its last stretch. Missing months read as empty.
/// The hash chain of each month of the period is walked too: a break is a
/// security event (`journal_verify`). [`report_with_seals`] checks the month
/// seals as well.
pub fn report_from_dir(
    journal_dir: &Path,
    schedule: &OperatingSchedule,
    period: Period,
    kiosk: &str,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    report_with_seals(journal_dir, None, schedule, period, kiosk, now)
}

/// [`report_from_dir`], with each month's chain checked against its seal
/// (`journal-seal-YYYY-MM.json`) in `seals` (the outbox), when one is there.
pub fn report_with_seals(
    journal_dir: &Path,
    seals: Option<&Path>,
    schedule: &OperatingSchedule,
    period: Period,
    kiosk: &str,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let mut builder = ReportBuilder::new(schedule, period, kiosk, now);
    let months = period.months();
    let (before, after) = (months[0].previous(), months[months.len() - 1].next());
    let read = std::iter::once(before)
        .chain(months)
        .chain(std::iter::once(after));
    for month in read {
        let path = month.journal_file(journal_dir);
        let add = |line: Value| {
            builder.add(&line);
            match builder.is_past_end() {
                true => ControlFlow::Break(()),
                false => ControlFlow::Continue(()),
            }
        };
        match lines::stream_lines(&path, add) {
            Ok(broken) if month != before && month != after => builder.add_broken(broken),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ReportError::Read { path, source }),
        }
    }
    builder.add_security(security::verify_period(journal_dir, seals, period, now));
    Ok(builder.finish())
}

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod tests;
pub use crate::durable::write_atomically;

// The helpers the fleet's report for the province (`fleet::report`) prints with.
pub(crate) use csv::{record as csv_record, section as csv_section};
pub(crate) use html::{STYLE as HTML_STYLE, period_name};
pub(crate) use model::{hours, local_minute, percent, pretty_json};
pub(crate) use tables::{cause_name, language_name, section, table};
