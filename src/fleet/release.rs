//! The newest content release in the office's content folder (`fleet
//! --content DIR`) and each kiosk's place against it: the version in force
//! that its `status.json` reports, and the `content_behind` alert.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Alert, AlertKind, Fleet, KioskRow};
use crate::content::{TrustConfig, read_release as read_manifest};
use crate::report::local_minute as local;

/// How long a kiosk may play an older release than the office's newest
/// before it is an alert: time for Syncthing to bring it and the kiosk to
/// check it.
pub const BEHIND: Duration = Duration::hours(1);

/// playlist.yaml of the office's content folder, as `fleet` counts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OfficeRelease {
    /// Its `version:`.
    pub version: Option<u64>,
    /// Whether one of the configured `trust.public_keys` signed it: only a
    /// verified release is one kiosks are judged against.
    pub verified: bool,
    pub signed_by: Option<String>,
    /// The signing time minisign puts in the signature's trusted comment.
    pub signed_at: Option<DateTime<Utc>>,
    /// Why it does not count, or what is missing.
    pub problem: Option<String>,
}

/// Reads the release in `content_dir` (size-capped, through `crate::guard`);
/// `trust` holds the keys that may sign it (none: it is shown, unverified).
pub fn read_release(content_dir: &Path, trust: &TrustConfig) -> OfficeRelease {
    let release = match read_manifest(content_dir, trust) {
        Ok(release) => release,
        Err(why) => {
            return OfficeRelease {
                problem: Some(format!("{}: {why}", content_dir.display())),
                ..OfficeRelease::default()
            };
        }
    };
    let mut office = OfficeRelease {
        version: release.version,
        ..OfficeRelease::default()
    };
    match release.signature {
        Ok((key, comment)) => {
            office.verified = true;
            office.signed_by = Some(key);
            office.signed_at = signing_time(&comment);
        }
        Err(why) => office.problem = Some(why),
    }
    if office.version.is_none() {
        office.verified = false;
        office.problem = Some("playlist.yaml has no version".into());
    }
    office
}

/// `timestamp:SECONDS` in a minisign trusted comment (`timestamp:…\tfile:…`).
fn signing_time(comment: &str) -> Option<DateTime<Utc>> {
    comment
        .split(['\t', ' '])
        .find_map(|field| field.strip_prefix("timestamp:"))
        .and_then(|seconds| seconds.parse::<i64>().ok())
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
}

/// Notes on every row its content version against `release`, and raises
/// `content_behind` where a kiosk has played an older one (or unsigned
/// content) for more than [`BEHIND`] by its own clock: from the signing time
/// of the release (from when the older version came into force when the
/// signature carries no time) to the time of its `status.json`. A silent
/// kiosk's own last word is judged; its silence is another alert.
pub(super) fn compare(fleet: &mut Fleet, release: OfficeRelease, tz: Tz) {
    for row in &mut fleet.kiosks {
        let (note, alert) = against(row, &release, tz);
        row.content_note = Some(note);
        fleet.alerts.extend(alert);
    }
    // The alerts of one kiosk together, in the order of the rows.
    let order = |id: &str| fleet.kiosks.iter().position(|k| k.kiosk_id == id);
    let mut alerts = std::mem::take(&mut fleet.alerts);
    alerts.sort_by_key(|a| order(&a.kiosk_id));
    fleet.alerts = alerts;
    fleet.release = Some(release);
}

fn against(row: &KioskRow, release: &OfficeRelease, tz: Tz) -> (String, Option<Alert>) {
    let Some(in_force) = row.content_in_force else {
        return (
            "content version not reported (status.json from before the first scan, or an older player)".into(),
            None,
        );
    };
    let playing = match in_force.version {
        Some(v) => format!("version {v} since {}", local(tz, in_force.since)),
        None => format!(
            "unsigned content (no signed release accepted) since {}",
            local(tz, in_force.since)
        ),
    };
    let Some(newest) = release.version else {
        let why = release.problem.as_deref().unwrap_or("no release");
        return (format!("the office's folder: {why}"), None);
    };
    if !release.verified {
        let why = release.problem.as_deref().unwrap_or("not signed");
        return (
            format!("newest {newest} in the office's folder is unverified ({why})"),
            None,
        );
    }
    match in_force.version {
        Some(v) if v == newest => return ("the newest".into(), None),
        Some(v) if v > newest => {
            return (format!("newer than the office's folder ({newest})"), None);
        }
        _ => {}
    }
    let behind_since = release.signed_at.unwrap_or(in_force.since);
    let note = format!("behind the newest, {newest}");
    let Some(seen) = row.status_time else {
        return (note, None);
    };
    if seen - behind_since <= BEHIND {
        return (note, None);
    }
    let released = release
        .signed_at
        .map_or(String::new(), |t| format!(", signed {}", local(tz, t)));
    let reason = format!(
        "plays {playing}, not the office's newest {newest}{released}: behind for {} min at its last status ({})",
        (seen - behind_since).num_minutes(),
        local(tz, seen)
    );
    let alert = Alert {
        kiosk_id: row.kiosk_id.clone(),
        kind: AlertKind::ContentBehind,
        reason,
        since: Some(behind_since),
    };
    (note, Some(alert))
}
