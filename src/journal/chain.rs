//! The journal's hash chain: every line carries `prev`, the SHA-256 of the
//! line before it (its exact bytes, without the newline), across months and
//! restarts, so that a line edited, removed or inserted afterwards breaks the
//! chain at that place. [`verify_month`] walks a month file and names the
//! first such line; a line cut off by a power failure is told apart from
//! tampering. At each month's end a [`Seal`] (the month's last hash) goes to
//! the outbox, an anchor the office keeps and the kiosk cannot rewrite.

mod seal;
#[cfg(test)]
mod tests;
mod walk;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use seal::{Seal, seal_path, write_seal};

/// The `prev` of the first line ever written: there is no line before it.
pub const ANCHOR: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of a line's exact bytes (without its newline), as 64 hex digits.
pub fn line_hash(line: &[u8]) -> String {
    format!("{:x}", Sha256::digest(line))
}

/// A complete journal line as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub seq: u64,
    pub hash: String,
    /// Whether the line carries `prev` (lines of older versions do not).
    pub chained: bool,
}

/// The fields the chain reads; deserialising into it still checks that the
/// whole line is valid JSON.
#[derive(Deserialize)]
struct Head {
    seq: Option<u64>,
    prev: Option<String>,
}

fn head(line: &[u8]) -> Option<Head> {
    serde_json::from_slice::<Head>(line).ok()
}

/// The link of a complete line (a JSON object with a `seq`), if it is one.
pub(super) fn link_of(line: &[u8]) -> Option<Link> {
    let head = head(line)?;
    Some(Link {
        seq: head.seq?,
        hash: line_hash(line),
        chained: head.prev.is_some(),
    })
}

/// The month (`YYYY-MM`) a journal file holds, from its name.
pub fn month_of(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// How a month's first line links back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// To the last complete line of this earlier month file.
    Previous(PathBuf),
    /// The first line ever written (`prev` all zeros), or lines of an older
    /// version without `prev`.
    Anchor,
    /// To a line of this earlier month file that is not its last (its line
    /// number): the clock went back to that month after this file began.
    Branch(PathBuf, usize),
    /// To a line no earlier file holds (the earlier months are not on this
    /// kiosk): the chain is checked from here on.
    Unlinked,
}

/// The first line that does not follow the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampering {
    pub file: PathBuf,
    /// 1-based line number in `file`.
    pub line: usize,
    pub seq: Option<u64>,
    /// What was found: edited, removed, inserted.
    pub what: String,
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.file.file_name().unwrap_or_default().to_string_lossy();
        write!(f, "{name} line {}", self.line)?;
        if let Some(seq) = self.seq {
            write!(f, " (seq {seq})")?;
        }
        write!(f, ": {}", self.what)
    }
}

/// What the seal in the outbox says of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealCheck {
    /// No seal for this month in the outbox (or no outbox given).
    Absent,
    /// The file ends where the seal says.
    Matches(PathBuf),
    /// The file does not end where the seal says.
    Differs(PathBuf, String),
}

/// The walk of one month file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCheck {
    pub file: PathBuf,
    /// Complete lines.
    pub lines: usize,
    /// Lines written before the chain began (by an older version).
    pub unchained: usize,
    pub start: Start,
    /// Lines cut off by a power failure after which the journal went on.
    pub cut: Vec<usize>,
    /// The last line, cut off by a power failure (its line number).
    pub torn_end: Option<usize>,
    /// The last complete line.
    pub last: Option<Link>,
    pub tampered: Option<Tampering>,
    pub seal: SealCheck,
}

impl MonthCheck {
    pub fn is_intact(&self) -> bool {
        self.tampered.is_none() && !matches!(self.seal, SealCheck::Differs(..))
    }
}

/// Walks `dir/MONTH.jsonl` line by line: each `prev` must be the hash of the
/// complete line before it (for the first line, the last complete line of the
/// newest earlier month file). With `outbox`, the month's seal there (if any)
/// must match the file's last line. Reads the file once, a line at a time.
pub fn verify_month(dir: &Path, month: &str, outbox: Option<&Path>) -> std::io::Result<MonthCheck> {
    let mut check = walk::walk_month(dir, month)?;
    if let Some(outbox) = outbox
        && check.tampered.is_none()
    {
        check.seal = seal::check_seal(outbox, month, &check);
    }
    Ok(check)
}

impl fmt::Display for MonthCheck {
    /// A few lines for a person: the verdict first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.file.file_name().unwrap_or_default().to_string_lossy();
        match (&self.tampered, &self.seal) {
            (Some(t), _) => writeln!(f, "{name}: TAMPERED: {t}")?,
            (None, SealCheck::Differs(path, reason)) => {
                writeln!(f, "{name}: TAMPERED: {reason} ({})", path.display())?
            }
            (None, _) => writeln!(f, "{name}: chain intact, {} lines", self.lines)?,
        }
        match &self.start {
            Start::Previous(p) => writeln!(
                f,
                "  first line follows the last line of {}",
                p.file_name().unwrap_or_default().to_string_lossy()
            )?,
            Start::Branch(p, n) => writeln!(
                f,
                "  first line follows line {n} of {}, not its last: the clock went back to that month later",
                p.file_name().unwrap_or_default().to_string_lossy()
            )?,
            Start::Anchor if self.unchained > 0 => writeln!(
                f,
                "  the first {} lines were written before the chain began (older version)",
                self.unchained
            )?,
            Start::Anchor => writeln!(f, "  first line is the start of the journal")?,
            Start::Unlinked => writeln!(
                f,
                "  first line follows a month not on this kiosk: checked from here on"
            )?,
        }
        for line in &self.cut {
            writeln!(
                f,
                "  line {line}: cut off by a power failure (the journal went on after it)"
            )?;
        }
        if let Some(line) = self.torn_end {
            writeln!(
                f,
                "  line {line}: the last line was cut off by a power failure (not tampering)"
            )?;
        }
        match &self.seal {
            SealCheck::Matches(path) => writeln!(f, "  matches the seal {}", path.display())?,
            SealCheck::Absent if self.tampered.is_none() => writeln!(
                f,
                "  no seal for this month in the outbox: the last line is not anchored"
            )?,
            _ => {}
        }
        Ok(())
    }
}
