//! One kiosk's outbox read for the period: its monthly journal copies
//! (`journal/YYYY-MM.jsonl`, each opened through `crate::guard`, size-capped)
//! streamed once through `crate::report`'s builder and through [`Seen`], the
//! office's own observations; then each month's hash chain against the seals.
//! Nothing here panics on a bad file: it becomes a sentence in `problems`.

use std::io::BufReader;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::Value;

use super::KioskReport;
use super::seen::Seen;
use crate::fleet::{MAX_JOURNAL_BYTES, open_journal};
use crate::journal::chain::seal_path;
use crate::report::lines::parsed_lines;
use crate::report::security::verify_period;
use crate::report::{Month, Period, ReportBuilder, SecurityEvent};
use crate::schedule::OperatingSchedule;

/// `seq` gaps listed one by one; more are counted.
const GAPS_LISTED: usize = 10;

/// The report of the kiosk whose outbox is `path` (its name is the kiosk id).
pub fn read_kiosk(
    path: &Path,
    schedule: &OperatingSchedule,
    period: Period,
    now: DateTime<Utc>,
) -> KioskReport {
    let kiosk_id = (path.file_name().unwrap_or_default())
        .to_string_lossy()
        .into_owned();
    let mut kiosk = KioskReport {
        kiosk_id,
        problems: Vec::new(),
        verification_failed: false,
        missing_months: Vec::new(),
        seq_gaps: Vec::new(),
        report: None,
        update_days: Vec::new(),
        weekdays_without_update: Vec::new(),
        backups: Vec::new(),
    };
    let journal_dir = path.join("journal");
    let refused = match folder_problem(path) {
        Some(problem) => Some(problem),
        None => match folder_problem(&journal_dir).as_deref() {
            Some("missing") => Some(
                "no journal folder: nothing to report from (a kiosk not synced yet, or not a kiosk's folder)"
                    .into(),
            ),
            Some(problem) => Some(format!("journal folder: {problem}")),
            None => None,
        },
    };
    if let Some(problem) = refused {
        kiosk.problems.push(problem);
        return kiosk;
    }
    let listing = Listing::of(&journal_dir);
    let tz = schedule.timezone();
    let end = period.end(tz).min(now);
    let mut builder = ReportBuilder::new(schedule, period, &kiosk.kiosk_id, now);
    let mut seen = Seen::new(period.start(tz), end, tz);
    // The months the period has reached by `now`.
    let last_date = (end - Duration::nanoseconds(1))
        .with_timezone(&tz)
        .date_naive();
    let months: Vec<Month> = (period.months().into_iter())
        .filter(|m| m.first_day() <= last_date)
        .collect();
    let mut present = Vec::new();
    if let (Some(&first), Some(&last)) = (months.first(), months.last()) {
        let read = std::iter::once(first.previous())
            .chain(months.iter().copied())
            .chain(std::iter::once(last.next()));
        // Every month is opened, even once the builder is past the period's
        // end (a line dated later by a wrong clock): a month file there is
        // present, not missing.
        for month in read {
            let inside = months.contains(&month);
            let name = format!("journal/{month}.jsonl");
            let arriving = listing.arriving(month);
            match read_month(&month.journal_file(&journal_dir), &mut builder, &mut seen) {
                Ok(broken) if inside => {
                    builder.add_broken(broken);
                    present.push(month);
                    if let Some(temp) = arriving {
                        kiosk.problems.push(format!(
                            "{name}: a newer copy is still arriving (half-synced: {temp}); figures are from the copy already here"
                        ));
                    }
                }
                Ok(_) => {}
                Err(e) if !inside => {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        kiosk.problems.push(format!("{name}: {e}"));
                    }
                }
                Err(e) => {
                    kiosk.missing_months.push(month.to_string());
                    if let Some(temp) = arriving {
                        kiosk.problems.push(format!(
                            "{name} still arriving (half-synced: {temp}): not counted"
                        ));
                    } else if e.kind() != std::io::ErrorKind::NotFound {
                        kiosk.problems.push(format!("{name}: {e}"));
                    }
                }
            }
        }
    }
    let failures = verify(
        path,
        &journal_dir,
        &listing,
        (period, &present),
        now,
        tz,
        &mut kiosk,
    );
    builder.add_security(failures);
    let report = builder.finish();
    if !kiosk.missing_months.is_empty() {
        kiosk.problems.push(format!(
            "no journal for {}: hours shown there are unknown, counted as not shown",
            ranges(&kiosk.missing_months)
        ));
    }
    kiosk.seq_gaps = seen.gaps();
    for &(from, to) in kiosk.seq_gaps.iter().take(GAPS_LISTED) {
        let count = to - from + 1;
        kiosk.problems.push(match count {
            1 => format!("journal line seq {from} missing"),
            _ => format!("journal lines seq {from}–{to} missing ({count} lines)"),
        });
    }
    if kiosk.seq_gaps.len() > GAPS_LISTED {
        let more = kiosk.seq_gaps.len() - GAPS_LISTED;
        kiosk.problems.push(format!("and {more} more seq gaps"));
    }
    if report.journal.broken_lines > 0 {
        kiosk.problems.push(format!(
            "{} journal lines unreadable (cut off by a power failure, or damaged): skipped",
            report.journal.broken_lines
        ));
    }
    if report.journal.skipped_lines > 0 {
        kiosk.problems.push(format!(
            "{} journal lines without a readable time or of a newer version: skipped",
            report.journal.skipped_lines
        ));
    }

    kiosk.update_days = seen.update_days.iter().copied().collect();
    let today = now.with_timezone(&tz).date_naive();
    kiosk.weekdays_without_update = (period.days().into_iter())
        .filter(|d| *d < today && present.contains(&Month::of_date(*d)))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|d| !schedule.day_plan(*d).intervals.is_empty())
        .filter(|d| !seen.update_days.contains(d))
        .collect();
    kiosk.backups = seen.backups;
    kiosk.report = Some(report);
    kiosk
}

/// Why `path` cannot be read as a folder, if it cannot; `missing` if absent.
fn folder_problem(path: &Path) -> Option<String> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            Some("a symbolic link, not a kiosk folder: refused".into())
        }
        Ok(m) if !m.is_dir() => Some("a file, not a folder".into()),
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("missing".into()),
        Err(e) => Some(format!("unreadable: {e}")),
    }
}

/// What the journal folder holds besides the month files we open by name.
struct Listing {
    /// Syncthing's temporary names (`.syncthing.NAME.tmp`, `~syncthing~NAME.tmp`).
    temps: Vec<String>,
    /// `*.jsonl` entries that are not regular files, or too large, and why:
    /// the chain walk reads every month file by name, so it is not run while
    /// one is there.
    irregular: Vec<String>,
}

impl Listing {
    fn of(dir: &Path) -> Self {
        let mut listing = Listing {
            temps: Vec::new(),
            irregular: Vec::new(),
        };
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let syncthing = name.starts_with(".syncthing.") || name.starts_with("~syncthing~");
            if syncthing && name.ends_with(".tmp") {
                listing.temps.push(name);
            } else if name.ends_with(".jsonl") {
                match std::fs::symlink_metadata(entry.path()) {
                    Ok(m) if !m.is_file() => {
                        listing
                            .irregular
                            .push(format!("{name} is not a regular file"));
                    }
                    Ok(m) if m.len() > MAX_JOURNAL_BYTES => {
                        listing.irregular.push(format!("{name} is too large"));
                    }
                    Ok(_) => {}
                    Err(e) => listing.irregular.push(format!("{name}: {e}")),
                }
            }
        }
        listing.temps.sort();
        listing.irregular.sort();
        listing
    }

    fn arriving(&self, month: Month) -> Option<&str> {
        let name = format!("{month}.jsonl");
        self.temps
            .iter()
            .find(|t| t.contains(&name))
            .map(String::as_str)
    }
}

/// Streams one month file into the builder and `seen`, until the builder is
/// past the period. Returns the lines that did not parse.
fn read_month(file: &Path, builder: &mut ReportBuilder, seen: &mut Seen) -> std::io::Result<usize> {
    let mut lines = parsed_lines(BufReader::with_capacity(256 * 1024, open_journal(file)?));
    let mut broken = 0;
    while !builder.is_past_end() {
        let Some(line) = lines.next() else { break };
        match line?.1.filter(Value::is_object) {
            Some(value) => {
                builder.add(&value);
                seen.note(&value);
            }
            None => broken += 1,
        }
    }
    Ok(broken)
}

/// Each month of the period walked along its hash chain and checked against
/// its seal in the outbox (`crate::report`'s walk): every failure is a problem
/// on the row and a security event (`journal_verify`) in the report. A month
/// over without its seal is said too: its last lines cannot be checked.
fn verify(
    outbox: &Path,
    journal_dir: &Path,
    listing: &Listing,
    (period, present): (Period, &[Month]),
    now: DateTime<Utc>,
    tz: Tz,
    kiosk: &mut KioskReport,
) -> Vec<SecurityEvent> {
    let failures = match listing.irregular.as_slice() {
        [] => verify_period(journal_dir, Some(outbox), period, now),
        // The walk opens every month file by name: not one that is a link or a FIFO.
        irregular => vec![SecurityEvent {
            time: now,
            kind: "journal_verify".into(),
            reason: format!("not walked: {}", irregular.join(", ")),
        }],
    };
    // Said first: the rest of the row stands on this journal.
    for (i, failure) in failures.iter().enumerate() {
        kiosk.verification_failed = true;
        let problem = format!(
            "journal FAILS VERIFICATION: {}; its figures cannot be relied on",
            failure.reason
        );
        kiosk.problems.insert(i, problem);
    }
    let current = Month::of(now, tz);
    let unsealed: Vec<String> = (present.iter())
        .filter(|m| **m < current)
        .map(|m| m.to_string())
        .filter(|m| std::fs::symlink_metadata(seal_path(outbox, m)).is_err())
        .collect();
    if !unsealed.is_empty() {
        kiosk.problems.push(format!(
            "no seal in the outbox for {}: the end of those months cannot be checked",
            ranges(&unsealed)
        ));
    }
    failures
}

/// `2026-01 to 2026-03, 2026-07`: consecutive months as ranges.
fn ranges(months: &[String]) -> String {
    let parsed: Vec<Month> = months.iter().filter_map(|m| m.parse().ok()).collect();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parsed.len() {
        let mut j = i;
        while j + 1 < parsed.len() && parsed[j + 1] == parsed[j].next() {
            j += 1;
        }
        parts.push(match j > i {
            true => format!("{} to {}", parsed[i], parsed[j]),
            false => parsed[i].to_string(),
        });
        i = j + 1;
    }
    parts.join(", ")
}
