//! Month seals: at a month's end the hash of its last line goes to the
//! outbox, an anchor the office keeps and the kiosk cannot rewrite; a month
//! file is checked against its seal.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{ANCHOR, Link, MonthCheck, SealCheck, verify_month};

/// The seal of a month, written into the outbox when the month is over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    pub month: String,
    #[serde(default)]
    pub kiosk: String,
    /// The hash of the month's last complete line.
    pub last_hash: String,
    pub last_seq: u64,
    /// Complete lines in the month file.
    pub lines: u64,
    pub written_at: String,
}

/// `outbox/journal-seal-YYYY-MM.json`.
pub fn seal_path(outbox: &Path, month: &str) -> PathBuf {
    outbox.join(format!("journal-seal-{month}.json"))
}

/// Writes the seal of `month` (its file in `dir`) into `outbox`, atomically.
pub fn write_seal(
    dir: &Path,
    month: &str,
    outbox: &Path,
    kiosk: &str,
    now: DateTime<Utc>,
) -> std::io::Result<Seal> {
    let walked = verify_month(dir, month, None)?;
    if let Some(t) = &walked.tampered {
        tracing::error!("sealing journal {month} as it is, but {t}");
    }
    let last = walked.last.unwrap_or(Link {
        seq: 0,
        hash: ANCHOR.into(),
        chained: true,
    });
    let seal = Seal {
        month: month.to_owned(),
        kiosk: kiosk.to_owned(),
        last_hash: last.hash,
        last_seq: last.seq,
        lines: walked.lines as u64,
        written_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    std::fs::create_dir_all(outbox)?;
    let mut text = serde_json::to_string_pretty(&seal).expect("a seal is plain data");
    text.push('\n');
    crate::durable::write_atomically(&seal_path(outbox, month), text.as_bytes())?;
    Ok(seal)
}

/// What the seal of `month` in `outbox` says of the walked `check`.
pub(super) fn check_seal(outbox: &Path, month: &str, check: &MonthCheck) -> SealCheck {
    let path = seal_path(outbox, month);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return SealCheck::Absent;
    };
    let seal: Seal = match serde_json::from_str(&text) {
        Ok(seal) => seal,
        Err(e) => return SealCheck::Differs(path, format!("the seal cannot be read: {e}")),
    };
    let (hash, seq) = check
        .last
        .as_ref()
        .map_or((ANCHOR, 0), |l| (l.hash.as_str(), l.seq));
    if seal.last_hash == hash && seal.last_seq == seq && seal.lines == check.lines as u64 {
        return SealCheck::Matches(path);
    }
    let reason = if seal.lines > check.lines as u64 || seal.last_seq > seq {
        format!(
            "the seal says the month ended at seq {} after {} lines; the file ends at seq {seq} after {}: lines were removed at the end",
            seal.last_seq, seal.lines, check.lines
        )
    } else if seal.lines < check.lines as u64 {
        format!(
            "the seal says the month ended at seq {} after {} lines; the file has {} lines: lines were added after the seal",
            seal.last_seq, seal.lines, check.lines
        )
    } else {
        format!(
            "the seal's hash of the last line (seq {}) differs from the file's: the last line was edited",
            seal.last_seq
        )
    };
    SealCheck::Differs(path, reason)
}
