//! `status.json` for the outbox: what the office sees of a kiosk through the sync,
//! and writing outbox files so a half-written one is never synced.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use super::build::inspection_row;
use super::lines::{text, time_of};
use super::model::{InspectionRow, local_minute};
use crate::journal::month_files;
use crate::schedule::OperatingState;

/// The kiosk's state as the player knows it; every field is passed in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KioskStatus {
    pub kiosk: String,
    pub version: String,
    /// When this status was taken.
    pub time: DateTime<Utc>,
    pub screen: OperatingState,
    /// Why, as a sentence (`inside window 07:00-11:00`, `override off by …`).
    pub screen_reason: String,
    pub now_showing: Option<NowShowing>,
    pub last_heartbeat: Option<DateTime<Utc>>,
    /// Free bytes on the data disk, if known.
    pub disk_free_bytes: Option<u64>,
    /// The data disk's size, if known (the office alerts under 10 % free).
    pub disk_total_bytes: Option<u64>,
    /// The latest problems, oldest first (see [`recent_errors`]).
    pub last_errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NowShowing {
    pub item: String,
    pub kind: String,
    pub language: String,
    pub since: DateTime<Utc>,
}

/// `status.json`: the status with a schema version and the local time added.
pub fn status_json(status: &KioskStatus, tz: Tz) -> String {
    status_json_with(status, None, tz)
}

/// [`status_json`] with the last inspection (self-test run) known from the
/// journal ([`RecentErrors::last_inspection`]), `null` when none was seen.
pub fn status_json_with(
    status: &KioskStatus,
    last_inspection: Option<&InspectionRow>,
    tz: Tz,
) -> String {
    let mut value = serde_json::to_value(status).expect("plain data");
    let local = status.time.with_timezone(&tz);
    if let Some(object) = value.as_object_mut() {
        let inspection = serde_json::to_value(last_inspection).expect("plain data");
        object.insert("last_inspection".into(), inspection);
        object.insert("v".into(), 1.into());
        let local = local.to_rfc3339_opts(SecondsFormat::Secs, false);
        object.insert("local_time".into(), local.into());
    }
    let mut text = serde_json::to_string_pretty(&value).expect("plain data");
    text.push('\n');
    text
}

/// The last `limit` problems in journal lines, oldest first, one sentence each
/// on the wall clock of `tz`: rejected or failing files (one by one, or many
/// at once), rendering errors, display command failures, refused control
/// files, failed backups and downtime incidents.
pub fn recent_errors(lines: &[Value], tz: Tz, limit: usize) -> Vec<String> {
    let mut errors: Vec<String> = lines.iter().filter_map(|l| problem(l, tz)).collect();
    let keep_from = errors.len().saturating_sub(limit);
    errors.drain(..keep_from);
    errors
}

/// One journal line as a problem sentence, if it is one.
fn problem(line: &Value, tz: Tz) -> Option<String> {
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
}

impl RecentErrors {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            file: None,
            offset: 0,
            errors: VecDeque::new(),
            last_inspection: None,
        }
    }

    /// The last inspection seen in the journal since this was made.
    pub fn last_inspection(&self) -> Option<&InspectionRow> {
        self.last_inspection.as_ref()
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

#[cfg(test)]
mod tests {
    use super::super::fixture::{HCM, hcm, november};
    use super::*;
    use std::io::Write;

    #[test]
    fn status_json_carries_what_the_office_needs() {
        let status = KioskStatus {
            kiosk: "tb-1".into(),
            version: "0.1.0".into(),
            time: hcm("2026-11-05 09:31"),
            screen: OperatingState::Open,
            screen_reason: "inside window 07:00-11:00".into(),
            now_showing: Some(NowShowing {
                item: "tin-tuc.km.jpg".into(),
                kind: "image".into(),
                language: "km".into(),
                since: hcm("2026-11-05 09:30"),
            }),
            last_heartbeat: Some(hcm("2026-11-05 09:31")),
            disk_free_bytes: Some(12_345_678),
            disk_total_bytes: Some(987_654_321),
            last_errors: recent_errors(&november().lines, HCM, 2),
        };
        let json: Value = serde_json::from_str(&status_json(&status, HCM)).unwrap();
        assert_eq!(json["v"], 1);
        assert_eq!(json["kiosk"], "tb-1");
        assert_eq!(json["screen"], "open");
        assert_eq!(json["local_time"], "2026-11-05T09:31:00+07:00");
        assert_eq!(json["now_showing"]["item"], "tin-tuc.km.jpg");
        assert_eq!(json["last_heartbeat"], "2026-11-05T02:31:00Z");
        assert_eq!(json["disk_free_bytes"], 12_345_678);
        assert_eq!(json["disk_total_bytes"], 987_654_321);
        assert_eq!(
            json["last_errors"],
            serde_json::json!([
                "2026-11-05 09:30 downtime of 30 min (power_loss_or_crash)",
                "2026-11-25 07:00 display on failed: xset: unable to open display"
            ])
        );
    }

    #[test]
    fn many_refusals_at_once_and_rendering_errors_are_problems_too() {
        let mut j = super::super::fixture::Lines::default();
        j.at(
            hcm("2026-11-05 09:00"),
            crate::journal::Event::ContentRefused {
                count: 20_000,
                by_reason: [("not a file the player shows".to_string(), 20_000)].into(),
                first: vec!["a.docx".into(), "b.docx".into()],
            },
        );
        j.at(
            hcm("2026-11-05 09:01"),
            crate::journal::Event::RenderError {
                kind: "validation".into(),
                error: "Texture width 16416 exceeds the limit".into(),
                item: Some("strip.mkv".into()),
            },
        );
        assert_eq!(
            recent_errors(&j.lines, HCM, 5),
            [
                "2026-11-05 09:00 20000 files refused by the catalog (first: a.docx)",
                "2026-11-05 09:01 rendering error (validation): Texture width 16416 exceeds the limit"
            ]
        );
    }

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

    #[test]
    fn the_last_inspection_goes_into_status_json() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = super::super::fixture::Lines::default();
        j.local(
            "2026-11-07 19:00",
            super::super::tables::tests::inspection("daily", &[("config", "PASS")]),
        );
        j.local(
            "2026-11-08 09:00",
            super::super::tables::tests::inspection("cli", &[("backup", "FAIL")]),
        );
        j.local("2026-11-08 09:01", super::super::fixture::heartbeat("open"));
        let text: String = j.lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.path().join("2026-11.jsonl"), text).unwrap();
        let mut recent = RecentErrors::new(5);
        recent.update(dir.path(), HCM).unwrap();
        let last = recent.last_inspection().expect("seen");
        assert_eq!((last.by.as_str(), last.verdict.as_str()), ("cli", "FAIL"));
        // A new month file keeps the last one known.
        std::fs::write(dir.path().join("2026-12.jsonl"), "").unwrap();
        recent.update(dir.path(), HCM).unwrap();
        let status = KioskStatus {
            kiosk: "tb-1".into(),
            version: "0.1.0".into(),
            time: hcm("2026-12-01 09:31"),
            screen: OperatingState::Open,
            screen_reason: "inside window 07:00-11:00".into(),
            now_showing: None,
            last_heartbeat: None,
            disk_free_bytes: None,
            disk_total_bytes: None,
            last_errors: Vec::new(),
        };
        let json: Value =
            serde_json::from_str(&status_json_with(&status, recent.last_inspection(), HCM))
                .unwrap();
        let last = &json["last_inspection"];
        assert_eq!(last["by"], "cli");
        assert_eq!(last["verdict"], "FAIL");
        assert_eq!(last["failed"], serde_json::json!(["backup"]));
        assert_eq!(last["time"], "2026-11-08T02:00:00Z");
    }
}
