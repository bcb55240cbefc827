//! The alerts that stand for one kiosk's row at an instant: what the office
//! must look at, each with a kind, a sentence and since when.

use chrono::{DateTime, Datelike, Duration, Utc};

use super::{Alert, AlertKind, KioskRow};
use crate::report::{Month, local_minute};
use crate::schedule::{OperatingSchedule, OperatingState, Status};

/// A kiosk writes a heartbeat every minute; three missed ones while it should
/// be open raise `silent`.
pub const SILENCE: Duration = Duration::minutes(3);

/// Free disk below this is `low_disk` when `status.json` does not give the
/// disk's size (a kiosk before `disk_total_bytes`); with it, the limit is
/// 10 % of the disk.
pub const LOW_DISK_BYTES: u64 = 1024 * 1024 * 1024;

/// The monthly backup runs at the first closing of a month: by the second
/// local day it should be there.
const BACKUP_GRACE_DAYS: u32 = 2;

pub(super) fn alerts(
    row: &KioskRow,
    schedule: &OperatingSchedule,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut raise = |kind, reason: String, since| {
        alerts.push(Alert {
            kiosk_id: row.kiosk_id.clone(),
            kind,
            reason,
            since,
        })
    };
    if row.status_time.is_none() {
        let why = row
            .problems
            .first()
            .cloned()
            .unwrap_or_else(|| "no status.json".into());
        raise(AlertKind::StatusUnreadable, why, None);
    }
    if let Some(since) = silent_since(row, schedule, now) {
        let reason = match row.last_heartbeat {
            Some(t) => format!(
                "no heartbeat for {} min during operating hours (last {})",
                (now - t).num_minutes(),
                local_minute(schedule.timezone(), t)
            ),
            None => "no heartbeat in its files during operating hours".into(),
        };
        raise(AlertKind::Silent, reason, Some(since));
    }
    if let Some((kind, reason, since)) = wrong_screen(row, schedule, now) {
        raise(kind, reason, Some(since));
    }
    if let Some((kind, reason, since)) = backup(row, schedule, now) {
        raise(kind, reason, since);
    }
    if let Some(first) = row.security_today.first() {
        let more = match row.security_today.len() {
            1 => String::new(),
            n => format!(" (and {} more today)", n - 1),
        };
        raise(
            AlertKind::SecurityEvent,
            format!("{}{more}", first.what),
            Some(first.time),
        );
    }
    if let Some(free) = row.disk_free_bytes {
        let (low, limit) = match row.disk_total_bytes {
            Some(total) if total > 0 => (free * 10 < total, "10 % of the disk".to_owned()),
            _ => (free < LOW_DISK_BYTES, "1 GiB".to_owned()),
        };
        if low {
            raise(
                AlertKind::LowDisk,
                format!("{} MiB free, under {limit}", free / (1024 * 1024)),
                row.status_time,
            );
        }
    }
    alerts
}

/// Since when the kiosk has been silent while it should be open: the later of
/// its last heartbeat and the start of the current operating stretch, when
/// that is more than [`SILENCE`] ago.
fn silent_since(
    row: &KioskRow,
    schedule: &OperatingSchedule,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // A folder that tells nothing at all is `status_unreadable` already.
    let known = row.status_time.is_some() || row.last_heartbeat.is_some() || row.month.is_some();
    if !known || !schedule.state_at(now, None).state.is_open() {
        return None;
    }
    let opened = open_since(schedule, now);
    let since = row.last_heartbeat.map_or(opened, |t| t.max(opened));
    (now - since > SILENCE).then_some(since)
}

/// When the schedule last opened before `now` (at most a day back).
fn open_since(schedule: &OperatingSchedule, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut t = now;
    for _ in 0..24 * 60 {
        let before = t - Duration::minutes(1);
        if !schedule.state_at(before, None).state.is_open() {
            break;
        }
        t = before;
    }
    // `t` is within a minute after the opening: find it to the second.
    let mut opened = t;
    for seconds in 1..60 {
        let earlier = t - Duration::seconds(seconds);
        if !schedule.state_at(earlier, None).state.is_open() {
            break;
        }
        opened = earlier;
    }
    opened
}

/// The screen as the kiosk last reported it against the schedule at that
/// instant. An override explains any difference (it is lawful and journaled);
/// a status older than [`SILENCE`] is left to the silence alert; a minute
/// either side of a change is not a difference.
fn wrong_screen(
    row: &KioskRow,
    schedule: &OperatingSchedule,
    now: DateTime<Utc>,
) -> Option<(AlertKind, String, DateTime<Utc>)> {
    let (at, screen) = (row.status_time?, row.screen?);
    let reason = row.screen_reason.as_deref().unwrap_or_default();
    if now - at > SILENCE || reason.starts_with("override") {
        return None;
    }
    let should = |t| schedule.state_at(t, None);
    let agrees = |s: Status| s.state == screen;
    if [at - Duration::minutes(1), at, at + Duration::minutes(1)]
        .into_iter()
        .any(|t| agrees(should(t)))
    {
        return None;
    }
    let expected = should(at);
    let kind = match screen {
        OperatingState::Open => AlertKind::OpenWhenClosed,
        OperatingState::Closed => AlertKind::ClosedWhenOpen,
    };
    let said = format!(
        "{screen} ({reason}) at {}, but the schedule says {} ({})",
        local_minute(schedule.timezone(), at),
        expected.state,
        expected.reason
    );
    Some((kind, said, at))
}

/// Last month's backup, judged from this month's journal copy.
fn backup(
    row: &KioskRow,
    schedule: &OperatingSchedule,
    now: DateTime<Utc>,
) -> Option<(AlertKind, String, Option<DateTime<Utc>>)> {
    row.month.as_ref()?;
    let tz = schedule.timezone();
    if let Some(failure) = &row.backup_failure {
        let said = format!("backup of {} failed: {}", failure.month, failure.detail);
        return Some((AlertKind::BackupFailing, said, Some(failure.time)));
    }
    let previous = Month::of(now, tz).previous().to_string();
    let done = row
        .last_backup
        .as_ref()
        .is_some_and(|b| b.month >= previous);
    let local_day = now.with_timezone(&tz).day();
    if done || local_day < BACKUP_GRACE_DAYS {
        return None;
    }
    let since = Month::of(now, tz)
        .first_day()
        .and_hms_opt(0, 0, 0)
        .and_then(|d| d.and_local_timezone(tz).single())
        .map(|d| d.to_utc() + Duration::days(i64::from(BACKUP_GRACE_DAYS) - 1));
    let said = format!("no verified backup of {previous} in this month's journal");
    Some((AlertKind::BackupMissing, said, since))
}
