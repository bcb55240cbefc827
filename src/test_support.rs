//! Fixtures the unit tests of several modules share: wall-clock times in Ho
//! Chi Minh City, the kiosk schedules the schedule tests are written
//! against, and catalog items without files.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::content::{Item, Kind, Language};
use crate::schedule::{OperatingSchedule, ScheduleConfig};

pub(crate) const HCM: Tz = Tz::Asia__Ho_Chi_Minh;

/// `2026-11-28 10:00`, `2026-11-28 10:00:05` or `2026-11-28 06:59:59.999`
/// on the Ho Chi Minh wall clock.
pub(crate) fn hcm(text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    HCM.from_local_datetime(&naive).single().unwrap().to_utc()
}

/// An RFC 3339 instant, e.g. `2026-11-28T03:00:00Z`.
pub(crate) fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The `schedule:` section `yaml`, validated.
pub(crate) fn schedule(yaml: &str) -> OperatingSchedule {
    let config: ScheduleConfig = serde_yaml::from_str(yaml).unwrap();
    OperatingSchedule::from_config(&config).unwrap()
}

/// The legal hours, a Tết closure and a festival range with evening hours only.
pub(crate) const KIOSK: &str = r#"
timezone: Asia/Ho_Chi_Minh
windows: ["07:00-11:00", "14:00-18:00"]
exceptions:
  - date: 2027-02-16
    windows: []
    note: Tết
  - from: 2027-02-20
    until: 2027-02-21
    windows: ["19:00-22:00"]
    note: festival
"#;

/// The legal hours, a Tết closure and a festival range with a dawn and an
/// evening window (the dawn one is still the previous day in UTC).
pub(crate) const KIOSK_WITH_DAWN: &str = r#"
exceptions:
  - {date: 2027-02-16, windows: [], note: Tết}
  - {from: 2027-02-20, until: 2027-02-21, windows: ["05:30-06:00", "19:00-22:00"], note: festival}
"#;

/// An image item whose `rel` is the short name used in the expectations
/// (e.g. "news.vi"), with no file behind it.
pub(crate) fn item(rel: &str, group: &str, language: Language) -> Item {
    Item {
        path: Path::new("/srv/infokiosk/content").join(rel),
        rel: PathBuf::from(rel),
        kind: Kind::Image,
        language,
        group: group.into(),
        size: 1000,
        modified: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        info: None,
        duration: None,
        urgent: false,
        from: None,
        until: None,
    }
}
