//! What a report says: per-day hours against the legal 8 h, totals, closures,
//! overrides, incidents, security events, plays, content changes and rejected
//! files. Serialised as is for `--format json`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::Period;

/// A monthly or annual report of one kiosk. Seconds are whole seconds, rounded
/// per day; totals are the sums of the day rows, so they add up by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub kiosk: String,
    pub period: Period,
    /// When the report was made; a period not over then is reported up to it.
    pub as_of: DateTime<Utc>,
    /// Whether the period was over at `as_of`.
    pub complete: bool,
    pub timezone: String,
    #[serde(skip)]
    pub tz: Tz,
    pub days: Vec<DayRow>,
    pub total: Totals,
    /// Required hours the screens were closed on purpose: the schedule's
    /// exceptions and overrides `off`, with whether they were ordered.
    pub closures: Vec<Closure>,
    pub incidents: Vec<IncidentRow>,
    pub overrides: Vec<OverrideRow>,
    /// Art. 7.9b: refused signatures, tampered files, PIN lockouts, refused
    /// control files and configs, journal verification failures.
    pub security: SecurityEvents,
    pub languages: Vec<PlayStats>,
    pub items: Vec<ItemStats>,
    pub content_changes: Vec<ContentChange>,
    pub rejected: Vec<RejectedFile>,
    pub display_failures: Vec<DisplayFailure>,
    /// Every self-test run in the period (`inspection` lines).
    pub inspections: Vec<InspectionRow>,
    pub journal: JournalSummary,
}

/// One local date (only dates up to `as_of`).
///
/// `required_seconds` is the law's (Decision 17/2021/QĐ-UBND: 8 h every
/// day, holidays, Tết and weekends included), whatever the configured
/// schedule says; `scheduled_seconds` is the schedule's. Shown time never
/// includes the "no content" slide or a display that failed to power on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayRow {
    pub date: NaiveDate,
    /// The legal hours: 8 h (on the day of `as_of`, the legal hours up to it).
    pub required_seconds: i64,
    /// What the configured schedule opens (0 on a closure; up to `as_of`).
    pub scheduled_seconds: i64,
    /// Content on screen inside the schedule's hours.
    pub shown_seconds: i64,
    /// Content on screen outside them (an override `on`).
    pub shown_outside_hours_seconds: i64,
    /// Shown time that counts toward the legal hours: inside and outside the
    /// schedule's hours, at most `required_seconds`.
    pub counted_seconds: i64,
    /// `required - counted`.
    pub missing_seconds: i64,
    /// Legal hours the schedule does not open (`required - scheduled`, not
    /// below 0): its closures and shorter days.
    pub closed_by_schedule_seconds: i64,
    /// Screen open on the "no content" slide (nothing playable).
    pub fallback_seconds: i64,
    /// Screen open after a display power-on command failed, until a later
    /// one worked or the screen closed: the panel was most likely dark.
    pub display_dark_seconds: i64,
    /// Scheduled time inside downtime incidents.
    pub downtime_seconds: i64,
    /// Scheduled time inside overrides `off`.
    pub override_off_seconds: i64,
    pub plays: u64,
    /// `counted / required`, one decimal; `None` when nothing was required.
    pub compliance_percent: Option<f64>,
    /// `shown / scheduled`: against the configured schedule only.
    pub schedule_compliance_percent: Option<f64>,
}

/// The whole period: the sums of the day rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub days: usize,
    pub required_seconds: i64,
    pub scheduled_seconds: i64,
    pub shown_seconds: i64,
    pub shown_outside_hours_seconds: i64,
    pub counted_seconds: i64,
    pub missing_seconds: i64,
    pub closed_by_schedule_seconds: i64,
    pub fallback_seconds: i64,
    pub display_dark_seconds: i64,
    pub downtime_seconds: i64,
    pub override_off_seconds: i64,
    pub plays: u64,
    pub incidents: usize,
    pub overrides: usize,
    pub closures: usize,
    pub security_events: u64,
    pub compliance_percent: Option<f64>,
    pub schedule_compliance_percent: Option<f64>,
}

/// Where a closure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureSource {
    /// An exception of the configured schedule (`windows: []`, or fewer hours).
    Schedule,
    /// An override `off` (control file or the overlay's Emergency page).
    Override,
}

/// Legal hours the screens were closed on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    pub source: ClosureSource,
    /// From, to (exclusive), clipped to the period: for the schedule, local
    /// midnights around its dates.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Legal hours inside it that were not open.
    pub lost_seconds: i64,
    /// The exception's note, or the override's reason.
    pub note: String,
    /// Who set the override (with whose request); empty for the schedule.
    pub by: String,
    /// An emergency ordered by the Border Guard or the Department.
    pub ordered: bool,
    /// `border_guard` or `department` when `ordered`.
    pub ordered_by: Option<String>,
}

/// The security events of the period, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecurityEvents {
    /// All of them, listed or not.
    pub count: u64,
    /// How many of each kind (see [`SecurityEvent::kind`]).
    pub by_kind: std::collections::BTreeMap<String, u64>,
    /// The first [`super::security::LISTED`] of them.
    pub events: Vec<SecurityEvent>,
}

/// One security event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityEvent {
    pub time: DateTime<Utc>,
    /// `integrity` (a refused signature or manifest, a tampered file),
    /// `content_refused` (many files at once, some for integrity),
    /// `admin_locked` (PIN lockout), `control_rejected`, `config_rejected`,
    /// `journal_check` (an inspection whose journal check failed) or
    /// `journal_verify` (the chain walked when the report was made).
    pub kind: String,
    pub reason: String,
}

/// A downtime incident as the player recorded it at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentRow {
    pub kind: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub minutes_lost: u64,
    pub cause: String,
}

/// An emergency override: who, why, from when to when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideRow {
    /// `off` or `on`.
    pub action: String,
    pub set_at: DateTime<Utc>,
    /// The end it was given, if any.
    pub until: Option<DateTime<Utc>>,
    /// When it ended; `None` while still in force at the end of the journal.
    pub ended_at: Option<DateTime<Utc>>,
    /// `expired`, `cleared`, or `replaced` by a newer override.
    pub ended_how: Option<String>,
    pub minutes: Option<i64>,
    pub reason: String,
    pub by: String,
    pub source: String,
    /// Whose request it answered (`requested_by:` of control.yaml); may be empty.
    pub requested_by: String,
    /// Who signed the control order; empty when unsigned.
    pub signer: String,
}

/// Plays of one language (`vi`, `en`, `km`, or `""` for language-neutral items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayStats {
    pub language: String,
    pub plays: u64,
    pub seconds: u64,
}

/// Plays of one content file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemStats {
    pub item: String,
    pub kind: String,
    pub language: String,
    pub plays: u64,
    pub seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentChange {
    pub time: DateTime<Utc>,
    /// `added` or `removed`.
    pub change: String,
    pub item: String,
}

/// A file refused by the catalog or failing to play, once per item and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedFile {
    pub item: String,
    pub kind: String,
    pub stage: String,
    pub reason: String,
    pub count: u64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// A display power command that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayFailure {
    pub time: DateTime<Utc>,
    pub action: String,
    pub error: String,
}

/// One inspection (a self-test run) and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionRow {
    pub time: DateTime<Utc>,
    /// `cli`, the overlay's `Name (role)`, or `daily`.
    pub by: String,
    /// PASS, WARN or FAIL: the worst of its checks.
    pub verdict: String,
    /// The checks that failed, and those that warned, by name.
    pub failed: Vec<String>,
    pub warned: Vec<String>,
}

/// How much journal the report stands on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JournalSummary {
    /// Lines inside the period.
    pub lines: u64,
    /// Lines that did not parse (cut off by a power failure).
    pub broken_lines: u64,
    /// Lines passed over: no readable time, or a newer schema version.
    pub skipped_lines: u64,
    /// `app_started` lines; `unclean_starts` had no `app_stopped` before them.
    pub starts: u64,
    pub unclean_starts: u64,
    pub first_line: Option<DateTime<Utc>>,
    pub last_line: Option<DateTime<Utc>>,
}

impl Report {
    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        pretty_json(self)
    }
}

/// Pretty JSON, ending with a newline: reports, `status.json` and the fleet's
/// files alike.
pub(crate) fn pretty_json(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plain data");
    text.push('\n');
    text
}

/// `part / whole` in percent with one decimal, `None` when `whole` is 0.
pub(crate) fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// Seconds as hours with two decimals: `7.50`.
pub(crate) fn hours(seconds: i64) -> String {
    format!("{:.2}", seconds as f64 / 3600.0)
}

/// An instant on the report's wall clock: `2026-11-05 09:30`.
pub(crate) fn local_minute(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}
