//! `infokiosk fleet`: every kiosk of the office on one page. Reads the outbox
//! folders Syncthing brings back (`DIR/KIOSK_ID/`: `status.json`, the current
//! month's journal copy, seals, `screen-latest.jpg`), makes one [`KioskRow`]
//! per folder and the [`Alert`]s that stand at `now`. Every file there is
//! hostile input: read through `crate::guard`, size-capped; a bad file is a
//! problem on its kiosk's row, never a crash.

mod alerts;
mod html;
mod outbox;
mod release;
pub mod report;
#[cfg(test)]
mod tests;

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::report::ContentInForce;
use crate::schedule::{OperatingSchedule, OperatingState};

pub use alerts::{LOW_DISK_BYTES, SILENCE};
pub use outbox::read_outbox;
pub use release::{BEHIND, OfficeRelease, read_release};

/// A month of journal is about 300,000 lines (tens of MB).
const MAX_JOURNAL_BYTES: u64 = 512 * 1024 * 1024;

/// Every kiosk and every alert, as known at `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fleet {
    pub as_of: DateTime<Utc>,
    pub kiosks: Vec<KioskRow>,
    pub alerts: Vec<Alert>,
    /// The office's newest content release, with `--content`.
    pub release: Option<OfficeRelease>,
}

/// One kiosk as its outbox shows it. `None` is "not known from its files".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KioskRow {
    /// The outbox folder's name.
    pub kiosk_id: String,
    /// What could not be read or does not fit, one sentence each.
    pub problems: Vec<String>,
    /// When `status.json` was taken (the kiosk's clock).
    pub status_time: Option<DateTime<Utc>>,
    pub screen: Option<OperatingState>,
    pub screen_reason: Option<String>,
    /// `item (language, kind) since HH:MM`.
    pub now_showing: Option<String>,
    /// The newest heartbeat in `status.json` or the journal copy.
    pub last_heartbeat: Option<DateTime<Utc>>,
    pub heartbeat_age_seconds: Option<i64>,
    pub disk_free_bytes: Option<u64>,
    pub disk_total_bytes: Option<u64>,
    pub last_errors: Vec<String>,
    /// The last self-test run as `status.json` gives it: `VERDICT by WHO at TIME`.
    pub last_inspection: Option<String>,
    /// This month so far, from the journal copy (`None` without one).
    pub month: Option<MonthFigures>,
    /// Security events of today (local date), one sentence each, oldest first.
    pub security_today: Vec<SecurityEvent>,
    /// The newest `backup_written` or `backup_kept` line of the journal copy.
    pub last_backup: Option<BackupSeen>,
    /// The newest `backup_failed` line after it, if any.
    pub backup_failure: Option<BackupSeen>,
    /// `screen-latest.jpg`, if there is a readable one.
    pub screenshot: Option<Screenshot>,
    /// The content release in force as `status.json` gives it.
    pub content_in_force: Option<ContentInForce>,
    /// It against the office's newest release, in a sentence (with `--content`).
    pub content_note: Option<String>,
}

/// Shown against required hours this month, computed by `crate::report`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthFigures {
    pub month: String,
    pub required_seconds: i64,
    pub shown_seconds: i64,
    pub compliance_percent: Option<f64>,
    pub downtime_incidents: usize,
    pub downtime_seconds: i64,
    /// Shown seconds per local day, for the chart.
    pub days: Vec<(NaiveDate, i64)>,
    pub journal_lines: u64,
    pub broken_lines: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityEvent {
    pub time: DateTime<Utc>,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSeen {
    pub time: DateTime<Utc>,
    /// The month archived (`YYYY-MM`).
    pub month: String,
    /// The archive's name, or the error of a failure.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Screenshot {
    /// The file's modification time, as Syncthing carries it over from the kiosk.
    pub time: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub jpeg: Vec<u8>,
}

/// Something the office must look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kiosk_id: String,
    pub kind: AlertKind,
    pub reason: String,
    /// Since when it stands, when the files tell.
    pub since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// No usable `status.json` (missing, half-synced, corrupt, refused).
    StatusUnreadable,
    /// No heartbeat for more than [`SILENCE`] while the schedule has it open.
    Silent,
    OpenWhenClosed,
    ClosedWhenOpen,
    BackupMissing,
    BackupFailing,
    SecurityEvent,
    LowDisk,
    /// An older content release than the office's newest for more than [`BEHIND`].
    ContentBehind,
}

/// `read` of every kiosk folder under `dir`, sorted by name, one thread per
/// core (each is a month or more of journal). Names starting with `.`
/// (Syncthing's `.stfolder`, `.stversions`) are passed over.
pub(crate) fn each_kiosk<T: Send>(
    dir: &Path,
    read: impl Fn(&Path) -> T + Sync,
) -> std::io::Result<Vec<T>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| !n.to_string_lossy().starts_with('.'))
        .collect();
    names.sort();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = names.len().div_ceil(threads).max(1);
    let read = &read;
    Ok(std::thread::scope(|scope| {
        let readers: Vec<_> = names
            .chunks(chunk)
            .map(|names| {
                scope.spawn(move || {
                    (names.iter())
                        .map(|name| read(&dir.join(name)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|reader| {
                reader
                    .join()
                    .expect("reading a kiosk folder does not panic")
            })
            .collect()
    }))
}

/// A journal copy opened through `crate::guard` (a regular file, never a
/// link or a FIFO), refused unread when larger than [`MAX_JOURNAL_BYTES`].
fn open_journal(file: &Path) -> std::io::Result<std::fs::File> {
    let handle = crate::guard::open_regular(file)?;
    if handle.metadata()?.len() > MAX_JOURNAL_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_JOURNAL_BYTES} bytes: refused unread"
        )));
    }
    Ok(handle)
}

/// Reads every outbox under `dir` (one folder per kiosk, sorted by name) and
/// judges them against `schedule` at `now`. Names starting with `.`
/// (Syncthing's `.stfolder`, `.stversions`) are passed over.
pub fn look(
    dir: &Path,
    schedule: &OperatingSchedule,
    now: DateTime<Utc>,
) -> std::io::Result<Fleet> {
    let kiosks = each_kiosk(dir, |outbox| read_outbox(outbox, schedule, now))?;
    let alerts = kiosks
        .iter()
        .flat_map(|row| alerts::alerts(row, schedule, now))
        .collect();
    Ok(Fleet {
        as_of: now,
        kiosks,
        alerts,
        release: None,
    })
}

impl Fleet {
    /// Each kiosk's content version against `release` (the office's
    /// content folder, [`read_release`]), with the `content_behind` alerts.
    pub fn compare_content(&mut self, release: OfficeRelease, schedule: &OperatingSchedule) {
        release::compare(self, release, schedule.timezone());
    }

    /// `{"kiosks": [...], "alerts": [...]}`, pretty, ending with a newline;
    /// `release` too after [`compare_content`](Self::compare_content).
    pub fn to_json(&self) -> String {
        let mut value = serde_json::json!({
            "as_of": self.as_of,
            "kiosks": self.kiosks,
            "alerts": self.alerts,
        });
        if let Some(release) = &self.release {
            value["release"] = serde_json::json!(release);
        }
        crate::report::pretty_json(&value)
    }

    /// The page for `--html`; `refresh_seconds` adds a meta refresh.
    pub fn to_html(&self, schedule: &OperatingSchedule, refresh_seconds: Option<u32>) -> String {
        html::page(self, schedule.timezone(), refresh_seconds)
    }

    /// One line per kiosk and per alert, for a terminal.
    pub fn to_text(&self, schedule: &OperatingSchedule) -> String {
        html::text(self, schedule.timezone())
    }
}
