//! Monthly backups: one verified `tar.zst` per month of what was shown, the
//! journal and the config, with a `MANIFEST.sha256`; checking them; retention.
//!
//! `<backup_dir>/infokiosk-<kiosk>-<YYYY-MM>.tar.zst` holds one folder of the same
//! name (without `.tar.zst`) with `objects/<sha256>` (every version of a file that
//! the month's `play_started` lines name by `sha256`, from the shown-content store
//! [`objects`], whatever the content folder holds now), `content/…` (only for lines
//! without `sha256`: the file as it is now in the content folder),
//! `journal/YYYY-MM.jsonl`, `config/<file>`, `backup.json` (index: sizes, hashes,
//! plays, the items each object was shown as, missing items) and last
//! `MANIFEST.sha256`, which `sha256sum -c` accepts once extracted. What cannot be
//! archived (an object missing or damaged in the store, a fallback file gone from the
//! folder) is listed as `# missing:` comments in the manifest and in `backup.json`;
//! that is not a failure.
//!
//! Next to it, `<archive>.sha256` holds the SHA-256 of the archive file itself
//! (`sha256sum -c` format): [`verify`] checks it when present, so any changed byte
//! is found, even one zstd would not notice (some frame header bits); without it,
//! the zstd checksum and the manifest still catch damage to the data.
//!
//! Files are streamed (a video never sits in memory), hashed as they are read,
//! written to `.<name>.partial`, synced, re-read and checked, and only then renamed
//! into place. Any failure removes the partial file and names what failed. One
//! backup runs at a time per folder (a lock file).

mod archive;
mod collect;
mod export;
mod hash;
mod object_retention;
pub mod objects;
mod retention;
mod verify;
mod write;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use thiserror::Error;

pub use collect::{MissingItem, Shown};
pub use export::export_to_outbox;
pub use object_retention::{ObjectPruning, prune_objects};
pub use objects::{ObjectStore, ShownObjects};
pub use retention::{PruneReport, archives, prune};
pub use verify::{Damage, VerifyReport, verify, verify_with_progress};
pub use write::run_backup;

#[cfg(feature = "player")]
pub mod plugin;

use crate::journal::Event;
use crate::report::Month;

/// The checksum list inside every archive.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// The index inside every archive.
pub const INDEX: &str = "backup.json";

/// What to back up, and where. The kiosk's configuration fills it in.
#[derive(Debug, Clone)]
pub struct BackupJob {
    pub kiosk: String,
    pub month: Month,
    /// The schedule's zone: months are its months.
    pub timezone: Tz,
    pub content_dir: PathBuf,
    pub journal_dir: PathBuf,
    /// The config file in force; archived as `config/<its name>`.
    pub config_file: PathBuf,
    pub backup_dir: PathBuf,
    /// Write again even if the month's archive exists and verifies.
    pub force: bool,
    /// Recorded as the archive's creation time.
    pub now: DateTime<Utc>,
}

impl BackupJob {
    /// The shown-content store: `objects/` beside the journal folder, both
    /// under `data_dir` (see `KioskConfig::objects_dir`).
    pub fn objects_dir(&self) -> PathBuf {
        self.journal_dir.with_file_name("objects")
    }
}

#[derive(Debug, Error)]
pub enum BackupError {
    #[error(
        "no journal for {month} at {path}: nothing was recorded that month, nothing to back up"
    )]
    NoJournal { month: Month, path: PathBuf },
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} changed while it was being archived ({problem}); run the backup again")]
    Changed { path: PathBuf, problem: String },
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("removing {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the archive written to {path} did not verify and was removed: {}", damage.join("; "))]
    VerifyFailed { path: PathBuf, damage: Vec<String> },
    #[error("{path} exists but is damaged ({}); run with --force to write it again", damage.join("; "))]
    ExistingDamaged { path: PathBuf, damage: Vec<String> },
    #[error("another backup is running in this folder (lock {path})")]
    Busy { path: PathBuf },
}

/// A verified archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSummary {
    pub month: Month,
    pub archive: PathBuf,
    /// Files checked against the manifest (content, journal, config, index).
    pub files: usize,
    /// Size of the archive on disk.
    pub bytes: u64,
    /// Items shown that month but missing from the content folder.
    pub missing: Vec<String>,
}

impl ArchiveSummary {
    fn from_report(month: Month, report: &VerifyReport) -> Self {
        Self {
            month,
            archive: report.archive.clone(),
            files: report.files_ok,
            bytes: std::fs::metadata(&report.archive).map_or(0, |m| m.len()),
            missing: report.missing_items.clone(),
        }
    }
}

/// What [`run_backup`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupOutcome {
    /// A new archive was written and verified.
    Written(ArchiveSummary),
    /// The month was already archived and verifies: left alone.
    Kept(ArchiveSummary),
}

impl BackupOutcome {
    pub fn summary(&self) -> &ArchiveSummary {
        match self {
            BackupOutcome::Written(s) | BackupOutcome::Kept(s) => s,
        }
    }

    /// The journal line that records it.
    pub fn to_event(&self) -> Event {
        let s = self.summary();
        let archive = s.archive.display().to_string();
        match self {
            BackupOutcome::Written(_) => Event::BackupWritten {
                month: s.month.to_string(),
                archive,
                files: s.files as u64,
                bytes: s.bytes,
                missing: s.missing.len() as u64,
            },
            BackupOutcome::Kept(_) => Event::BackupKept {
                month: s.month.to_string(),
                archive,
            },
        }
    }
}

/// The journal line for a failed backup.
pub fn failure_event(month: Month, error: &BackupError) -> Event {
    Event::BackupFailed {
        month: month.to_string(),
        error: error.to_string(),
    }
}

/// `infokiosk-<kiosk>-<YYYY-MM>.tar.zst`
pub fn archive_name(kiosk: &str, month: Month) -> String {
    format!("infokiosk-{kiosk}-{month}.tar.zst")
}

/// Makes a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    let synced = std::fs::File::open(dir).and_then(|d| d.sync_all());
    synced.map_err(|source| BackupError::Write {
        path: dir.to_owned(),
        source,
    })
}

#[cfg(test)]
pub(crate) mod tests;
