//! One kiosk's outbox folder read into a [`KioskRow`]: `status.json`, the
//! current month's journal copy (one pass, shared with the report's own
//! builder for shown vs required hours), its hash chain against the seals,
//! and `screen-latest.jpg`.

use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::{BackupSeen, KioskRow, MonthFigures, Screenshot, SecurityEvent};
use crate::journal::chain::{SealCheck, verify_month};
use crate::report::ContentInForce;
use crate::report::lines::{parse_time, parsed_lines, text};
use crate::report::{Month, Period, ReportBuilder};
use crate::schedule::{OperatingSchedule, OperatingState};

/// `status.json` is a few KB; anything much larger is not one.
const MAX_STATUS_BYTES: u64 = 1024 * 1024;
/// The kiosk writes a 640 px JPEG under 100 KB.
const MAX_SCREENSHOT_BYTES: u64 = 1024 * 1024;

/// The row of the outbox at `path` (its name is the kiosk id) at `now`.
pub fn read_outbox(path: &Path, schedule: &OperatingSchedule, now: DateTime<Utc>) -> KioskRow {
    let mut row = KioskRow {
        kiosk_id: path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        ..KioskRow::default()
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            row.problems
                .push("a symbolic link, not a kiosk folder: refused".into());
            return row;
        }
        Ok(m) if !m.is_dir() => {
            row.problems.push("a file, not a kiosk folder".into());
            return row;
        }
        Ok(_) => {}
        Err(e) => {
            row.problems.push(format!("unreadable: {e}"));
            return row;
        }
    }
    read_status(path, &mut row);
    let tz = schedule.timezone();
    read_journal(path, schedule, now, tz, &mut row);
    read_screenshot(path, tz, &mut row);
    row.heartbeat_age_seconds = row.last_heartbeat.map(|t| (now - t).num_seconds());
    row
}

fn read_status(path: &Path, row: &mut KioskRow) {
    let file = path.join("status.json");
    let bytes = match crate::guard::read_bytes_limited(&file, MAX_STATUS_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let problem = match arriving(path) {
                Some(temp) => format!("status.json still arriving (half-synced: {temp})"),
                None => "no status.json: a kiosk not synced yet, or not a kiosk folder".into(),
            };
            row.problems.push(problem);
            return;
        }
        Err(e) => {
            row.problems.push(format!("status.json: {e}"));
            return;
        }
    };
    let status = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) if value.is_object() => value,
        Ok(_) => {
            row.problems.push("status.json: not a JSON object".into());
            return;
        }
        Err(e) => {
            row.problems.push(format!("status.json: corrupt ({e})"));
            return;
        }
    };
    if status["v"].as_u64().is_some_and(|v| v > 1) {
        row.problems.push(format!(
            "status.json: version {} is newer than this program reads (1)",
            status["v"]
        ));
    }
    let kiosk = text(&status, "kiosk");
    if !kiosk.is_empty() && kiosk != row.kiosk_id {
        row.problems.push(format!(
            "status.json names kiosk {kiosk:?}, not the folder's name"
        ));
    }
    row.status_time = time(&status, "time");
    if row.status_time.is_none() {
        row.problems.push("status.json: no readable time".into());
    }
    row.screen = match text(&status, "screen") {
        "open" => Some(OperatingState::Open),
        "closed" => Some(OperatingState::Closed),
        _ => None,
    };
    row.screen_reason = status["screen_reason"].as_str().map(str::to_owned);
    let showing = &status["now_showing"];
    if showing.is_object() {
        let since = time(showing, "since").map_or_else(String::new, |t| format!(" since {t}"));
        row.now_showing = Some(format!(
            "{} ({}, {}){since}",
            text(showing, "item"),
            text(showing, "language"),
            text(showing, "kind"),
        ));
    }
    row.last_heartbeat = time(&status, "last_heartbeat");
    // `{"version": 3 or null, "since": TIME}`; absent from older players.
    let content = &status["content"];
    match (time(content, "since"), &content["version"]) {
        (Some(since), Value::Null) => {
            row.content_in_force = Some(ContentInForce {
                version: None,
                since,
            })
        }
        (Some(since), Value::Number(n)) if n.as_u64().is_some() => {
            row.content_in_force = Some(ContentInForce {
                version: n.as_u64(),
                since,
            })
        }
        _ if content.is_null() => {}
        _ => row
            .problems
            .push("status.json: content is not a version and a time".into()),
    }
    row.disk_free_bytes = status["disk_free_bytes"].as_u64();
    row.disk_total_bytes = status["disk_total_bytes"].as_u64();
    let inspection = &status["last_inspection"];
    if inspection.is_object() {
        row.last_inspection = Some(format!(
            "{} by {} at {}",
            text(inspection, "verdict"),
            text(inspection, "by"),
            text(inspection, "time")
        ));
    }
    row.last_errors = status["last_errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(Value::as_str)
                .take(20)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
}

/// A Syncthing temporary name of `status.json`, if one is there.
fn arriving(path: &Path) -> Option<String> {
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.contains("status.json") && n.ends_with(".tmp"))
}

/// One pass over `journal/YYYY-MM.jsonl` of `now`'s month: the report's
/// figures, the last heartbeat, today's security events and the backups; then
/// the hash chain against the month's seal in the outbox.
fn read_journal(
    path: &Path,
    schedule: &OperatingSchedule,
    now: DateTime<Utc>,
    tz: Tz,
    row: &mut KioskRow,
) {
    let month = Month::of(now, tz);
    let journal_dir = path.join("journal");
    let file = month.journal_file(&journal_dir);
    let handle = match super::open_journal(&file) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            row.problems.push(format!(
                "no journal copy for {month}: compliance, incidents and security events unknown"
            ));
            return;
        }
        Err(e) => {
            row.problems.push(format!("journal/{month}.jsonl: {e}"));
            return;
        }
    };
    let today = now.with_timezone(&tz).date_naive();
    let mut builder = ReportBuilder::new(schedule, Period::Month(month), &row.kiosk_id, now);
    let mut broken = 0;
    for line in parsed_lines(BufReader::with_capacity(256 * 1024, handle)) {
        match line {
            Ok((_, Some(value))) => {
                builder.add(&value);
                note_line(&value, today, tz, row);
            }
            Ok((_, None)) => broken += 1,
            Err(e) => {
                row.problems.push(format!("journal/{month}.jsonl: {e}"));
                break;
            }
        }
    }
    builder.add_broken(broken);
    let report = builder.finish();
    row.month = Some(MonthFigures {
        month: month.to_string(),
        required_seconds: report.total.required_seconds,
        shown_seconds: report.total.shown_seconds,
        compliance_percent: report.total.compliance_percent,
        downtime_incidents: report.total.incidents,
        downtime_seconds: report.total.downtime_seconds,
        days: report
            .days
            .iter()
            .map(|d| (d.date, d.shown_seconds))
            .collect(),
        journal_lines: report.journal.lines,
        broken_lines: report.journal.broken_lines,
    });
    // The chain, against the seal the kiosk put in its outbox. The file was
    // just checked to be a regular file inside the outbox.
    let month_text = month.to_string();
    let failure = match verify_month(&journal_dir, &month_text, Some(path)) {
        Ok(check) => match (&check.tampered, &check.seal) {
            (Some(t), _) => Some(format!("journal verification failed: {t}")),
            (None, SealCheck::Differs(_, why)) => {
                Some(format!("journal verification failed: seal differs ({why})"))
            }
            _ => None,
        },
        Err(e) => Some(format!("journal verification failed: {e}")),
    };
    if let Some(what) = failure {
        row.security_today.push(SecurityEvent { time: now, what });
    }
}

/// What one journal line adds to the row besides the report's figures.
fn note_line(line: &Value, today: chrono::NaiveDate, tz: Tz, row: &mut KioskRow) {
    let Some(t) = time(line, "time") else { return };
    let event = text(line, "event");
    let security = match event {
        "heartbeat" => {
            row.last_heartbeat = row.last_heartbeat.max(Some(t));
            return;
        }
        "backup_written" | "backup_kept" => {
            row.last_backup = Some(backup(line, t, "archive"));
            row.backup_failure = None;
            return;
        }
        "backup_failed" => {
            row.backup_failure = Some(backup(line, t, "error"));
            return;
        }
        "integrity" => format!("content integrity: {}", text(line, "detail")),
        "control_rejected" => format!(
            "control file refused: {}: {}",
            text(line, "file"),
            text(line, "reason")
        ),
        "config_rejected" => format!(
            "config refused: {}: {}",
            text(line, "file"),
            text(line, "reason")
        ),
        "admin_locked" => format!(
            "admin overlay locked for {} min (too many PIN tries)",
            line["minutes"].as_i64().unwrap_or(0)
        ),
        _ => return,
    };
    if t.with_timezone(&tz).date_naive() == today {
        row.security_today.push(SecurityEvent {
            time: t,
            what: security,
        });
    }
}

fn backup(line: &Value, t: DateTime<Utc>, detail: &str) -> BackupSeen {
    BackupSeen {
        time: t,
        month: text(line, "month").to_owned(),
        detail: text(line, detail).to_owned(),
    }
}

/// When `screen-latest.jpg` was taken by the kiosk's clock: the time in the
/// name of the newest `screens/screen-YYYYMMDD-HHMMSS.jpg` (local), if that
/// one is as long as `screen-latest.jpg` (its copy). A file's modification
/// time is the sync's, not the kiosk's.
fn shot_time(path: &Path, latest_len: u64, tz: Tz) -> Option<DateTime<Utc>> {
    let screens = path.join("screens");
    let (taken, name) = std::fs::read_dir(&screens)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some((crate::outbox::screen_time(&name)?, name))
        })
        .max()?;
    let same = std::fs::symlink_metadata(screens.join(name))
        .is_ok_and(|m| m.is_file() && m.len() == latest_len);
    same.then(|| taken.and_local_timezone(tz).earliest())
        .flatten()
        .map(|t| t.to_utc())
}

fn read_screenshot(path: &Path, tz: Tz, row: &mut KioskRow) {
    let file = path.join("screen-latest.jpg");
    match crate::guard::read_bytes_limited(&file, MAX_SCREENSHOT_BYTES) {
        Ok(jpeg) => {
            let time = shot_time(path, jpeg.len() as u64, tz).or_else(|| {
                std::fs::symlink_metadata(&file)
                    .and_then(|m| m.modified())
                    .ok()
                    .map(DateTime::<Utc>::from)
            });
            row.screenshot = Some(Screenshot { time, jpeg });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => row.problems.push(format!("screen-latest.jpg: {e}")),
    }
}

fn time(value: &Value, key: &str) -> Option<DateTime<Utc>> {
    parse_time(value.get(key)?.as_str()?)
}
