//! The journal: append-only JSON lines, one file per local month, that prove
//! what was shown and when the kiosk was on or off.
//!
//! Each line is written with a single `write` and synced, so a power cut can
//! at worst leave the last line cut off; the reader skips such a line with a
//! warning and keeps every line after it. The player writes through
//! [`writer::JournalWriter`], a thread of its own, so that the render loop
//! never waits on the disk. Every line carries `prev`, the hash of the line
//! before it (see [`chain`]), so that an edited journal shows where.

pub mod at;
pub mod chain;
mod downtime;
mod event;
#[cfg(feature = "player")]
pub mod plugin;
mod read;
pub mod writer;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use thiserror::Error;

use chain::{ANCHOR, Link, link_of, month_of};
pub use downtime::{
    Cause, Incident, LastAlive, MAX_DOWNTIME, SELF_RESTART_GRACE, downtime_since, last_alive,
    operating_time_between,
};
pub use event::{Ending, Event};
use read::last_line_where;
pub use read::{JournalLines, read_file};

/// Version of the line format; readers skip lines of a newer major version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The writer. Holds the current month's file open in append mode.
pub struct Journal {
    dir: PathBuf,
    kiosk_id: String,
    tz: Tz,
    /// The last complete line written: where `seq` and the chain go on
    /// from. Found at the first line, by the clock of that line.
    last: Option<Link>,
    /// Where month seals go (the outbox), if anywhere.
    seals: Option<PathBuf>,
    open: Option<(String, File)>,
}

#[derive(Serialize)]
struct Line<'a> {
    v: u32,
    seq: u64,
    /// SHA-256 of the previous line's bytes (without its newline).
    prev: &'a str,
    kiosk: &'a str,
    time: String,
    local_time: String,
    #[serde(flatten)]
    event: &'a Event,
}

impl Journal {
    /// Opens the journal folder (creating it). The sequence numbers and the
    /// chain go on from the last line written, found at the first
    /// [`append`](Self::append): which file holds it depends on the clock.
    pub fn open(dir: &Path, kiosk_id: &str, tz: Tz) -> Result<Self, JournalError> {
        std::fs::create_dir_all(dir).map_err(|source| JournalError::Io {
            path: dir.to_owned(),
            source,
        })?;
        Ok(Self {
            dir: dir.to_owned(),
            kiosk_id: kiosk_id.to_owned(),
            tz,
            last: None,
            seals: None,
            open: None,
        })
    }

    /// Seals each month into `outbox` once it is over (`journal-seal-YYYY-MM.json`).
    pub fn sealing_into(mut self, outbox: &Path) -> Self {
        self.seals = Some(outbox.to_owned());
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one event at `now` as one line, and syncs it to disk.
    pub fn append(&mut self, now: DateTime<Utc>, event: &Event) -> Result<(), JournalError> {
        let month = month_at(now, self.tz);
        if self.last.is_none() {
            let (last, ahead) = continue_from(&self.dir, &month);
            self.last = Some(last);
            if !ahead.is_empty() {
                tracing::warn!(
                    "journal files dated after this clock's month {month}: {}; the journal goes on in {month}",
                    ahead.join(", ")
                );
                self.write(now, &month, &Event::JournalAhead { files: ahead })?;
            }
        } else if let (Some(last), Some((open, _))) = (&mut self.last, &self.open)
            && *open != month
        {
            // Another month: the month's end, or a clock set to another
            // month. The line follows the last line of that month's file, or
            // of the newest file before it, as `verify` walks them; `seq`
            // goes on.
            last.hash = chain_tip(&self.dir, &month).map_or_else(|| ANCHOR.into(), |l| l.hash);
        }
        self.write(now, &month, event)
    }

    /// The one place a line is made: `seq` and `prev` follow the last line
    /// of the file (or of the newest file before it), so the chain cannot
    /// fork.
    fn write(
        &mut self,
        now: DateTime<Utc>,
        month: &str,
        event: &Event,
    ) -> Result<(), JournalError> {
        let local = now.with_timezone(&self.tz);
        let (seq, prev) = self
            .last
            .as_ref()
            .map_or((0, ANCHOR), |l| (l.seq, l.hash.as_str()));
        let line = Line {
            v: SCHEMA_VERSION,
            seq: seq + 1,
            prev,
            kiosk: &self.kiosk_id,
            time: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            local_time: local.to_rfc3339_opts(SecondsFormat::Millis, false),
            event,
        };
        let mut text = serde_json::to_string(&line).expect("journal lines are plain data");
        let written = Link {
            seq: seq + 1,
            hash: chain::line_hash(text.as_bytes()),
            chained: true,
        };
        text.push('\n');
        let path = self.dir.join(format!("{month}.jsonl"));
        let file = self.file_for(month, now)?;
        let io = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_data().map_err(io)?;
        self.last = Some(written);
        Ok(())
    }

    fn file_for(&mut self, month: &str, now: DateTime<Utc>) -> Result<&mut File, JournalError> {
        if self.open.as_ref().is_none_or(|(m, _)| m != month) {
            self.seal_month_before(month, now);
            let path = self.dir.join(format!("{month}.jsonl"));
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|source| JournalError::Io {
                    path: path.clone(),
                    source,
                })?;
            end_cut_line(&path, &file).map_err(|source| JournalError::Io {
                path: path.clone(),
                source,
            })?;
            self.open = Some((month.to_owned(), file));
        }
        Ok(&mut self.open.as_mut().expect("opened above").1)
    }
}

impl Journal {
    /// Seals the newest month before `month` into the outbox unless its seal
    /// is there: at the roll to a new month, and at the first line of a run.
    fn seal_month_before(&self, month: &str, now: DateTime<Utc>) {
        let Some(outbox) = &self.seals else {
            return;
        };
        let Some(earlier) = month_files(&self.dir)
            .iter()
            .map(|p| month_of(p))
            .rfind(|m| m.as_str() < month)
        else {
            return;
        };
        if chain::seal_path(outbox, &earlier).exists() {
            return;
        }
        match chain::write_seal(&self.dir, &earlier, outbox, &self.kiosk_id, now) {
            Ok(seal) => tracing::info!(
                "journal {earlier} sealed into {} (seq {}, {} lines)",
                outbox.display(),
                seal.last_seq,
                seal.lines
            ),
            Err(e) => tracing::error!("journal seal of {earlier} into {}: {e}", outbox.display()),
        }
    }
}

/// Where the journal goes on from at `month` (the clock's): the last
/// complete line of the newest file not after `month`, and the names of the
/// files dated after it (written while the clock was wrong). `seq` goes on
/// after the highest, so that no number is used twice.
fn continue_from(dir: &Path, month: &str) -> (Link, Vec<String>) {
    let ahead = files_by_month(dir, month).1;
    let last = chain_tip(dir, month).unwrap_or(Link {
        seq: 0,
        hash: ANCHOR.into(),
        chained: true,
    });
    let seq = ahead
        .iter()
        .filter_map(|path| last_line_where(path, link_of).ok().flatten())
        .map(|l| l.seq)
        .fold(last.seq, u64::max);
    let names = ahead
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    (Link { seq, ..last }, names)
}

/// The last complete line of the newest file not after `month` that has
/// one: what a line of `month` follows. Read from the tail: reading a month
/// of journal whole cost hundreds of MB at every start.
fn chain_tip(dir: &Path, month: &str) -> Option<Link> {
    files_by_month(dir, month)
        .0
        .iter()
        .rev()
        .find_map(|path| last_line_where(path, link_of).ok().flatten())
}

/// The journal month (`YYYY-MM`, local) that `now` falls in.
pub fn month_at(now: DateTime<Utc>, tz: Tz) -> String {
    now.with_timezone(&tz).format("%Y-%m").to_string()
}

/// The month files in `dir` (oldest first) not after `month`, and those
/// after it: a file dated after the clock's month was written while the
/// clock was wrong, and is not where the journal goes on.
pub fn files_by_month(dir: &Path, month: &str) -> (Vec<PathBuf>, Vec<PathBuf>) {
    month_files(dir)
        .into_iter()
        .partition(|p| month_of(p).as_str() <= month)
}

/// A line cut off by a power failure has no newline: end it, so that the
/// next line starts on a line of its own instead of being glued to it.
fn end_cut_line(path: &Path, mut file: &File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut reader = File::open(path)?;
    reader.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    reader.read_exact(&mut last)?;
    if last[0] != b'\n' {
        file.write_all(b"\n")?;
    }
    Ok(())
}

/// The monthly journal files in `dir`, oldest first.
pub fn month_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn lines_carry_version_sequence_kiosk_and_both_times() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "tb-1", chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        j.append(
            at(2026, 11, 28, 1, 0),
            &Event::AppStarted {
                version: "0.1.0".into(),
            },
        )
        .unwrap();
        j.append(
            at(2026, 11, 28, 1, 1),
            &Event::AppStopped {
                reason: "test".into(),
                restart: None,
            },
        )
        .unwrap();
        let lines = read_file(&dir.path().join("2026-11.jsonl"));
        assert_eq!(lines.records.len(), 2);
        let first = &lines.records[0];
        assert_eq!(first["v"], 1);
        assert_eq!(first["seq"], 1);
        assert_eq!(first["kiosk"], "tb-1");
        assert_eq!(first["event"], "app_started");
        assert_eq!(first["time"], "2026-11-28T01:00:00.000Z");
        assert_eq!(first["local_time"], "2026-11-28T08:00:00.000+07:00");
        assert_eq!(lines.records[1]["seq"], 2);
    }

    #[test]
    fn month_is_the_local_month_not_the_utc_month() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "k", chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        // 2026-11-30 17:30 UTC is already 2026-12-01 00:30 in Ho Chi Minh City.
        j.append(
            at(2026, 11, 30, 17, 30),
            &Event::AppStarted {
                version: "x".into(),
            },
        )
        .unwrap();
        assert!(dir.path().join("2026-12.jsonl").exists());
        assert!(!dir.path().join("2026-11.jsonl").exists());
    }

    #[test]
    fn sequence_continues_from_the_tail_of_a_large_month() {
        let dir = tempfile::tempdir().unwrap();
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let mut j = Journal::open(dir.path(), "k", tz).unwrap();
        let started = Event::AppStarted {
            version: "x".into(),
        };
        for _ in 0..3000 {
            j.append(at(2026, 11, 2, 1, 0), &started).unwrap();
        }
        // A last line longer than the first tail read (64 KiB).
        let long = Event::AppStopped {
            reason: "x".repeat(200 * 1024),
            restart: None,
        };
        j.append(at(2026, 11, 2, 1, 0), &long).unwrap();
        drop(j);
        let path = dir.path().join("2026-11.jsonl");
        assert!(std::fs::metadata(&path).unwrap().len() > 400 * 1024);
        let mut j = Journal::open(dir.path(), "k", tz).unwrap();
        j.append(at(2026, 11, 2, 2, 0), &started).unwrap();
        let last = read_file(&path).records.pop().unwrap();
        assert_eq!(last["seq"], 3002);
    }

    #[test]
    fn sequence_continues_after_reopen_and_survives_a_cut_line() {
        let dir = tempfile::tempdir().unwrap();
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        {
            let mut j = Journal::open(dir.path(), "k", tz).unwrap();
            for _ in 0..3 {
                j.append(
                    at(2026, 11, 2, 1, 0),
                    &Event::AppStarted {
                        version: "x".into(),
                    },
                )
                .unwrap();
            }
        }
        // A power cut in the middle of a line.
        let path = dir.path().join("2026-11.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"v":1,"seq":4,"kiosk":"k","ti"#).unwrap();
        drop(f);
        let mut j = Journal::open(dir.path(), "k", tz).unwrap();
        j.append(
            at(2026, 11, 2, 2, 0),
            &Event::AppStopped {
                reason: "x".into(),
                restart: None,
            },
        )
        .unwrap();
        let lines = read_file(&path);
        assert_eq!(lines.broken, 1, "the cut line is reported");
        let seqs: Vec<u64> = lines
            .records
            .iter()
            .map(|r| r["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [1, 2, 3, 4]);
    }
}
