//! What the kiosk has recorded and decided: the journal, the schedule in
//! force (with any override) and the monthly backups.

use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Check, CheckSettings, Verdict, local_text, plural};
use crate::schedule::{OperatingSchedule, OperatingState, Override};

pub(super) fn journal_check(dir: &Path, outbox: &Path, tz: Tz, now: DateTime<Utc>) -> Check {
    let shown = dir.display();
    if let Err(e) = std::fs::read_dir(dir) {
        return match e.kind() {
            io::ErrorKind::NotFound => Check::warn("journal", format!("no journal yet ({shown})")),
            _ => Check::fail("journal", format!("journal {shown} cannot be read: {e}")),
        };
    }
    let Some(newest) = crate::journal::month_files(dir).pop() else {
        return Check::warn("journal", format!("no journal yet ({shown})"));
    };
    let name = newest.file_name().unwrap_or_default().to_string_lossy();
    if let Err(e) = std::fs::File::open(&newest) {
        return Check::fail("journal", format!("{name} cannot be read: {e}"));
    }
    let lines = crate::journal::read_file(&newest);
    let when = |record: &serde_json::Value| -> String {
        let time = record["time"]
            .as_str()
            .and_then(|t| t.parse::<DateTime<Utc>>().ok());
        let event = record["event"].as_str().unwrap_or("?");
        match time {
            Some(t) if t > now => format!(
                "{} ({event}, {} AHEAD of this clock)",
                local_text(t, tz),
                age_text(t - now)
            ),
            Some(t) => format!("{} ({event}, {} ago)", local_text(t, tz), age_text(now - t)),
            None => format!("? ({event})"),
        }
    };
    let Some(last) = lines.records.last() else {
        return Check::warn("journal", format!("{name} has no readable line"));
    };
    let count = lines.records.len();
    let mut reason = format!(
        "{name}: {count} {}, last {}",
        plural(count, "line"),
        when(last)
    );
    if let Some(beat) = lines
        .records
        .iter()
        .rev()
        .find(|r| r["event"] == "heartbeat")
    {
        reason += &format!("; last heartbeat {}", when(beat));
    }
    let ahead = last["time"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .is_some_and(|t| t - now > chrono::TimeDelta::minutes(1));
    if lines.broken > 0 {
        reason += &format!("; {} damaged lines skipped", lines.broken);
    }
    let (chain, chain_text) = chain_check(dir, outbox, tz, now);
    reason += &chain_text;
    if chain == Verdict::Fail {
        return Check::fail("journal", reason);
    }
    if lines.broken > 0 || ahead {
        return Check::warn("journal", reason);
    }
    Check::pass("journal", reason)
}

/// The hash chain of this month (by the clock: the newest file not after it).
fn chain_check(dir: &Path, outbox: &Path, tz: Tz, now: DateTime<Utc>) -> (Verdict, String) {
    let month = crate::journal::month_at(now, tz);
    let Some(file) = crate::journal::files_by_month(dir, &month).0.pop() else {
        return (Verdict::Pass, String::new());
    };
    let month = crate::journal::chain::month_of(&file);
    match crate::journal::chain::verify_month(dir, &month, Some(outbox)) {
        Err(e) => (
            Verdict::Fail,
            format!("; chain of {month} cannot be read: {e}"),
        ),
        Ok(check) if !check.is_intact() => {
            let what = check.to_string();
            let first = what.lines().next().unwrap_or_default();
            (Verdict::Fail, format!("; chain {first}"))
        }
        Ok(check) => {
            let sealed = match check.seal {
                crate::journal::chain::SealCheck::Matches(_) => ", matches its seal",
                _ => "",
            };
            (Verdict::Pass, format!("; chain of {month} intact{sealed}"))
        }
    }
}

fn age_text(age: chrono::TimeDelta) -> String {
    match age.num_minutes() {
        m if m < 2 => format!("{} s", age.num_seconds()),
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} days", m / (24 * 60)),
    }
}

pub(super) fn schedule_check(
    schedule: &OperatingSchedule,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Check {
    let tz = schedule.timezone();
    // The override in force, as the player keeps it across restarts.
    let active: Option<Override> = std::fs::read_to_string(data_dir.join("state/override.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .filter(|o: &Override| o.is_active(now));
    let status = schedule.state_at(now, active.as_ref());
    let next = match status.next_change {
        Some(t) => format!("{} at {}", status.state.opposite(), local_text(t, tz)),
        None => "no change ahead".into(),
    };
    let reason = format!(
        "{} ({}); next: {next}; time zone {}",
        status.state,
        status.reason,
        tz.name()
    );
    match &active {
        Some(o) if o.screen() == OperatingState::Closed => {
            Check::warn("schedule", reason + "; the screens are forced OFF")
        }
        Some(_) => Check::warn("schedule", reason + "; an override holds"),
        None => Check::pass("schedule", reason),
    }
}

/// The backup folder has room, and the newest monthly archive is there,
/// recent, and reads back with every SHA-256 matching (it is read in full).
pub(super) fn backup_check(kiosk: &str, settings: &CheckSettings, now: DateTime<Utc>) -> Check {
    let dir = &settings.backup_dir;
    if !dir.is_dir() {
        return Check::warn(
            "backup",
            format!("no backup yet ({} missing)", dir.display()),
        );
    }
    let (room, room_text) = super::system::room_in(dir, settings);
    let Some((month, archive)) = crate::backup::archives(dir, kiosk).into_iter().next() else {
        let reason = format!("no backup yet; {room_text}");
        return Check::new("backup", room.max(Verdict::Warn), reason);
    };
    let name = archive.file_name().unwrap_or_default().to_string_lossy();
    let age = std::fs::metadata(&archive)
        .and_then(|m| m.modified())
        .map(|t| now - DateTime::<Utc>::from(t))
        .unwrap_or_default();
    let (verdict, reason, details) = match crate::backup::verify(&archive) {
        Err(e) => (
            Verdict::Fail,
            format!("last backup {name} cannot be read: {e}"),
            Vec::new(),
        ),
        Ok(report) if !report.is_intact() => {
            let damage = report.damage.iter().map(|d| d.to_string()).collect();
            (
                Verdict::Fail,
                format!("last backup {name} is DAMAGED"),
                damage,
            )
        }
        Ok(_) if age.num_days() > settings.backup_max_age_days => (
            Verdict::Warn,
            format!(
                "last backup {month} is {} old, the monthly backup is overdue",
                age_text(age)
            ),
            Vec::new(),
        ),
        Ok(report) => (
            Verdict::Pass,
            format!(
                "last backup {month} verified ({} files, every SHA-256 matches)",
                report.files_ok
            ),
            Vec::new(),
        ),
    };
    let reason = format!("{reason}; {room_text}");
    Check::new("backup", verdict.max(room), reason).with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Event, Journal};
    use crate::test_support::{HCM, hcm};

    #[test]
    fn the_journal_check_fails_on_an_edited_line_of_this_month() {
        let root = tempfile::tempdir().unwrap();
        let (dir, outbox) = (root.path().join("journal"), root.path().join("outbox"));
        let mut journal = Journal::open(&dir, "k", HCM).unwrap();
        for minute in 0..4 {
            let screen = format!("open {minute}");
            let at = hcm("2026-11-28 09:00") + chrono::Duration::minutes(minute);
            journal.append(at, &Event::Heartbeat { screen }).unwrap();
        }
        let now = hcm("2026-11-28 09:10");
        let check = journal_check(&dir, &outbox, HCM, now);
        assert_eq!(check.verdict, Verdict::Pass, "{}", check.reason);
        assert!(
            check.reason.contains("chain of 2026-11 intact"),
            "{}",
            check.reason
        );

        let file = dir.join("2026-11.jsonl");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("open 1", "open 7")).unwrap();
        let check = journal_check(&dir, &outbox, HCM, now);
        assert_eq!(check.verdict, Verdict::Fail, "{}", check.reason);
        assert!(
            check.reason.contains("line 2 (seq 2): was edited"),
            "{}",
            check.reason
        );
    }
}
