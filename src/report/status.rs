//! `status.json` for the outbox: what the office sees of a kiosk through the sync,
//! and writing outbox files so a half-written one is never synced.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use super::model::{InspectionRow, pretty_json};
pub use super::recent::RecentErrors;
use super::recent::problem;
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
    /// The content release it plays; `None` before the first scan.
    pub content: Option<ContentInForce>,
}

/// The content release in force: the signed manifest's `version` (`None` when
/// the content is unsigned or no signed manifest was accepted yet), and when
/// it came into force on the kiosk's clock. The office compares it with the
/// newest release in its content folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContentInForce {
    pub version: Option<u64>,
    pub since: DateTime<Utc>,
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
    pretty_json(&status_value(status, last_inspection, tz))
}

/// [`status_json_with`] the last inspection and the month's security events
/// (`security`: the month, how many, the newest few) that `recent` has read.
pub fn status_json_of(status: &KioskStatus, recent: &RecentErrors, tz: Tz) -> String {
    let mut value = status_value(status, recent.last_inspection(), tz);
    if let Some(object) = value.as_object_mut() {
        let security = serde_json::to_value(recent.security()).expect("plain data");
        object.insert("security".into(), security);
    }
    pretty_json(&value)
}

/// The status with the last inspection, the schema version and the local
/// time added, as one JSON object.
fn status_value(status: &KioskStatus, last_inspection: Option<&InspectionRow>, tz: Tz) -> Value {
    let mut value = serde_json::to_value(status).expect("plain data");
    let local = status.time.with_timezone(&tz);
    if let Some(object) = value.as_object_mut() {
        let inspection = serde_json::to_value(last_inspection).expect("plain data");
        object.insert("last_inspection".into(), inspection);
        object.insert("v".into(), 1.into());
        let local = local.to_rfc3339_opts(SecondsFormat::Secs, false);
        object.insert("local_time".into(), local.into());
    }
    value
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

#[cfg(test)]
mod tests {
    use super::super::fixture::{HCM, hcm, november, open_status};
    use super::*;

    #[test]
    fn status_json_carries_what_the_office_needs() {
        let status = KioskStatus {
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
            ..open_status(hcm("2026-11-05 09:31"))
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
        let status = open_status(hcm("2026-12-01 09:31"));
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
