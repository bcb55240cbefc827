//! The last problems and security events of the newest month's journal for
//! `status.json`, read a bit at a time: only what was appended since the
//! last look.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde_json::Value;

use super::build::inspection_row;
use super::lines::{text, time_of};
use super::model::{InspectionRow, local_minute};
use super::security::SecuritySeen;
use crate::journal::month_files;

/// [`recent_errors`] of the newest month's journal, kept up to date by
/// reading only what was appended since the last look: the status is written
/// every minute, and a month of journal can be 300,000 lines.
#[derive(Debug, Clone)]
pub struct RecentErrors {
    limit: usize,
    /// The file read so far (path and inode: a new month, or a file put back
    /// from a backup, is read from its start).
    file: Option<(PathBuf, u64)>,
    /// Bytes of it read, up to the end of the last whole line.
    offset: u64,
    errors: VecDeque<String>,
    /// The newest `inspection` line read, kept across months.
    last_inspection: Option<InspectionRow>,
    /// The security events of the file read so far.
    security: SecuritySeen,
}

impl RecentErrors {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            file: None,
            offset: 0,
            errors: VecDeque::new(),
            last_inspection: None,
            security: SecuritySeen::default(),
        }
    }

    /// The last inspection seen in the journal since this was made.
    pub fn last_inspection(&self) -> Option<&InspectionRow> {
        self.last_inspection.as_ref()
    }

    /// The security events of the newest month file (for `status.json`).
    pub fn security(&self) -> &SecuritySeen {
        &self.security
    }

    /// The last problems, oldest first.
    pub fn errors(&self) -> Vec<String> {
        self.errors.iter().cloned().collect()
    }

    /// Reads the lines appended to the newest month file in `journal_dir`
    /// since the last call (all of it the first time, or when the newest file
    /// is another one or shorter than what was read).
    pub fn update(&mut self, journal_dir: &Path, tz: Tz) -> std::io::Result<()> {
        let Some(newest) = month_files(journal_dir).pop() else {
            *self = Self::new(self.limit);
            return Ok(());
        };
        let mut file = File::open(&newest)?;
        let metadata = file.metadata()?;
        let same = self
            .file
            .as_ref()
            .is_some_and(|(path, inode)| *path == newest && *inode == metadata.ino());
        if !same || metadata.len() < self.offset {
            let inspection = self.last_inspection.take();
            *self = Self::new(self.limit);
            self.last_inspection = inspection;
            self.security.month = Some(crate::journal::chain::month_of(&newest));
            self.file = Some((newest, metadata.ino()));
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut reader = BufReader::with_capacity(64 * 1024, file);
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            if read == 0 {
                return Ok(());
            }
            let whole = line.strip_suffix(b"\n");
            let value = serde_json::from_slice::<Value>(whole.unwrap_or(&line))
                .ok()
                .filter(Value::is_object);
            // A last line still being written: read it whole next time.
            if whole.is_none() && value.is_none() {
                return Ok(());
            }
            self.offset += read as u64;
            if let Some(line) = &value
                && line["event"] == "inspection"
                && let Some(t) = time_of(line)
            {
                self.last_inspection = Some(inspection_row(line, t));
            }
            if let Some(line) = &value {
                self.security.note(line);
            }
            // Damaged lines are skipped, as the full read does.
            if let Some(said) = value.and_then(|v| problem(&v, tz)) {
                self.errors.push_back(said);
                if self.errors.len() > self.limit {
                    self.errors.pop_front();
                }
            }
        }
    }
}

/// One journal line as a problem sentence, if it is one.
pub(super) fn problem(line: &Value, tz: Tz) -> Option<String> {
    let at = local_minute(tz, time_of(line)?);
    let said = match text(line, "event") {
        "item_failed" => format!("{}: {}", text(line, "item"), text(line, "reason")),
        "display_command" if line["ok"] == Value::Bool(false) => {
            let action = text(line, "action");
            format!("display {action} failed: {}", text(line, "error"))
        }
        "control_rejected" => format!("{}: {}", text(line, "file"), text(line, "reason")),
        "content_refused" => format!(
            "{} files refused by the catalog (first: {})",
            line["count"].as_u64().unwrap_or(0),
            line["first"]
                .as_array()
                .and_then(|first| first.first())
                .and_then(Value::as_str)
                .unwrap_or("?")
        ),
        "render_error" => format!(
            "rendering error ({}): {}",
            text(line, "kind"),
            text(line, "error")
        ),
        "backup_failed" => {
            format!("backup {}: {}", text(line, "month"), text(line, "error"))
        }
        "incident" => format!(
            "{} of {} min ({})",
            text(line, "kind"),
            line["minutes_lost"].as_u64().unwrap_or(0),
            text(line, "cause")
        ),
        _ => return None,
    };
    Some(format!("{at} {said}"))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{HCM, hcm};
    use super::super::recent_errors;
    use super::*;
    use std::io::Write;

    /// A file that failed, as the catalog journals it.
    fn failed(item: &str) -> crate::journal::Event {
        crate::journal::Event::ItemFailed {
            item: item.into(),
            kind: "image".into(),
            reason: "unreadable".into(),
            stage: "catalog".into(),
        }
    }

    fn append(path: &Path, text: &str) {
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    /// `count` journal lines from `day` on, every third one a problem.
    fn month_lines(day: &str, count: usize, first: usize) -> String {
        let mut j = super::super::fixture::Lines::default();
        for i in first..first + count {
            let at = hcm(&format!("{day} 07:00")) + chrono::Duration::minutes(i as i64);
            if i % 3 == 0 {
                j.at(at, failed(&format!("broken-{i}.png")));
            } else {
                j.at(at, super::super::fixture::heartbeat("open"));
            }
        }
        j.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn recent_errors_read_bit_by_bit_are_those_of_a_full_read() {
        let dir = tempfile::tempdir().unwrap();
        let october = dir.path().join("2026-10.jsonl");
        let november = dir.path().join("2026-11.jsonl");
        let mut tail = RecentErrors::new(10);
        let full = |path: &Path| recent_errors(&crate::journal::read_file(path).records, HCM, 10);
        let check = |tail: &mut RecentErrors, path: &Path| {
            tail.update(dir.path(), HCM).unwrap();
            assert_eq!(tail.errors(), full(path));
        };

        check(&mut tail, &october);
        assert!(tail.errors().is_empty(), "no journal yet");
        append(&october, &month_lines("2026-10-30", 40, 0));
        check(&mut tail, &october);
        // A line being written when the status is taken, finished later.
        let next = month_lines("2026-10-31", 4, 60);
        let (done, half) = next.split_at(next.len() - 30);
        append(&october, done);
        check(&mut tail, &october);
        append(&october, half);
        check(&mut tail, &october);
        assert_eq!(
            tail.errors().last().unwrap(),
            "2026-10-31 08:03 broken-63.png: unreadable"
        );
        // A new month: its problems only.
        append(&november, &month_lines("2026-11-01", 4, 0));
        check(&mut tail, &november);
        assert_eq!(tail.errors().len(), 2);
        append(&november, &month_lines("2026-11-01", 50, 4));
        check(&mut tail, &november);
        // A damaged line is skipped; the ones after it count.
        append(&november, "{\"seq\":9,\"ti\n");
        append(&november, &month_lines("2026-11-02", 3, 0));
        check(&mut tail, &november);
        assert_eq!(tail.offset, std::fs::metadata(&november).unwrap().len());
    }
}
