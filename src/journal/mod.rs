//! The journal: append-only JSON lines, one file per local month, that prove
//! what was shown and when the kiosk was on or off.
//!
//! Each line is written with a single `write` and synced, so a power cut can
//! at worst leave the last line cut off; the reader skips such a line with a
//! warning and keeps every line after it. The player writes through
//! [`writer::JournalWriter`], a thread of its own, so that the render loop
//! never waits on the disk.

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
    seq: u64,
    open: Option<(String, File)>,
}

#[derive(Serialize)]
struct Line<'a> {
    v: u32,
    seq: u64,
    kiosk: &'a str,
    time: String,
    local_time: String,
    #[serde(flatten)]
    event: &'a Event,
}

impl Journal {
    /// Opens the journal folder (creating it) and continues the sequence
    /// numbers from the newest file in it.
    pub fn open(dir: &Path, kiosk_id: &str, tz: Tz) -> Result<Self, JournalError> {
        std::fs::create_dir_all(dir).map_err(|source| JournalError::Io {
            path: dir.to_owned(),
            source,
        })?;
        // The newest file's last readable line, read from the tail: reading
        // a month of journal whole cost hundreds of MB at every start.
        let seq = month_files(dir)
            .last()
            .and_then(|path| last_line_where(path, line_seq).ok().flatten())
            .unwrap_or(0);
        Ok(Self {
            dir: dir.to_owned(),
            kiosk_id: kiosk_id.to_owned(),
            tz,
            seq,
            open: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The sequence number of the last line written.
    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    /// Appends one event at `now` as one line, and syncs it to disk.
    pub fn append(&mut self, now: DateTime<Utc>, event: &Event) -> Result<(), JournalError> {
        let local = now.with_timezone(&self.tz);
        let month = local.format("%Y-%m").to_string();
        let line = Line {
            v: SCHEMA_VERSION,
            seq: self.seq + 1,
            kiosk: &self.kiosk_id,
            time: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            local_time: local.to_rfc3339_opts(SecondsFormat::Millis, false),
            event,
        };
        let mut text = serde_json::to_string(&line).expect("journal lines are plain data");
        text.push('\n');
        let path = self.dir.join(format!("{month}.jsonl"));
        let file = self.file_for(&month)?;
        let io = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_data().map_err(io)?;
        self.seq += 1;
        Ok(())
    }

    fn file_for(&mut self, month: &str) -> Result<&mut File, JournalError> {
        if self.open.as_ref().is_none_or(|(m, _)| m != month) {
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

/// The `seq` of a journal line, if it is one.
fn line_seq(line: &[u8]) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(line).ok()?["seq"].as_u64()
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
        assert_eq!(j.last_seq(), 3001);
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
        assert_eq!(j.last_seq(), 3);
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
