//! What the fuzz targets share: a scratch folder, the instant they take as
//! now, and the kiosk's default operating schedule.

use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use infokiosk::schedule::{OperatingSchedule, ScheduleConfig};

/// A folder for the files a target writes, under `TMPDIR`; `make fuzz`
/// points `TMPDIR` at a throwaway folder it removes afterwards.
pub fn scratch() -> &'static Path {
    static DIR: LazyLock<tempfile::TempDir> =
        LazyLock::new(|| tempfile::tempdir().expect("a scratch folder under TMPDIR"));
    DIR.path()
}

/// Now, for every target: a Saturday morning inside the legal hours in
/// Asia/Ho_Chi_Minh (10:00 local), so that dates before and after it matter.
pub fn now() -> DateTime<Utc> {
    "2026-11-28T03:00:00Z".parse().expect("a valid instant")
}

/// The legal hours (07:00-11:00, 14:00-18:00, Asia/Ho_Chi_Minh).
pub fn legal_hours() -> OperatingSchedule {
    OperatingSchedule::from_config(&ScheduleConfig::default()).expect("the default schedule")
}
