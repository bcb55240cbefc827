//! The `schedule:` section of the kiosk configuration, exactly as written in YAML.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `schedule:` in the kiosk YAML. Every key may be left out; the defaults are the
/// legal hours of Decision 17/2021/QĐ-UBND: 07:00–11:00 and 14:00–18:00 every day,
/// Asia/Ho_Chi_Minh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// An IANA zone name; the windows are read on this zone's wall clock.
    pub timezone: String,
    /// Daily windows `HH:MM-HH:MM` (or `HH:MM:SS`), start inclusive, end exclusive,
    /// end may be `24:00`. They apply every day, weekends and holidays included.
    pub windows: Vec<String>,
    /// Dates whose windows differ from the daily ones.
    pub exceptions: Vec<ExceptionConfig>,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            timezone: "Asia/Ho_Chi_Minh".into(),
            windows: vec!["07:00-11:00".into(), "14:00-18:00".into()],
            exceptions: Vec::new(),
        }
    }
}

/// One entry of `schedule.exceptions`: a `date`, or an inclusive `from`/`until` range,
/// whose `windows` replace the daily ones (`windows: []` closes the screens all day).
///
/// `windows` has no default on purpose: closing the screens for a day must be said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Inclusive: the last day the exception applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    pub windows: Vec<String>,
    /// Why, shown in status and plans, e.g. `Tết`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_take_the_legal_defaults() {
        let config: ScheduleConfig = serde_yaml::from_str("{}").unwrap();
        assert_eq!(config, ScheduleConfig::default());
        assert_eq!(config.timezone, "Asia/Ho_Chi_Minh");
        assert_eq!(config.windows, ["07:00-11:00", "14:00-18:00"]);
        assert!(config.exceptions.is_empty());
    }

    #[test]
    fn reads_exceptions_with_dates_and_ranges() {
        let yaml = r#"
timezone: Asia/Ho_Chi_Minh
windows: ["07:00-11:00", "14:00-18:00"]
exceptions:
  - date: 2027-02-16
    windows: []
    note: Tết
  - from: 2027-04-28
    until: 2027-05-01
    windows: ["07:00-11:00", "14:00-18:00", "19:00-21:00"]
"#;
        let config: ScheduleConfig = serde_yaml::from_str(yaml).unwrap();
        let [closure, evenings] = config.exceptions.as_slice() else {
            panic!("two exceptions expected: {config:?}");
        };
        assert_eq!(closure.date, NaiveDate::from_ymd_opt(2027, 2, 16));
        assert!(closure.windows.is_empty());
        assert_eq!(closure.note.as_deref(), Some("Tết"));
        assert_eq!(evenings.from, NaiveDate::from_ymd_opt(2027, 4, 28));
        assert_eq!(evenings.until, NaiveDate::from_ymd_opt(2027, 5, 1));
        assert_eq!(evenings.windows.len(), 3);
    }

    #[test]
    fn unknown_or_missing_keys_are_rejected() {
        let typo = serde_yaml::from_str::<ScheduleConfig>("window: [\"07:00-11:00\"]").unwrap_err();
        assert!(
            typo.to_string().contains("unknown field `window`"),
            "{typo}"
        );
        let exception_typo = "exceptions:\n  - date: 2027-02-16\n    windows: []\n    notes: Tết\n";
        let err = serde_yaml::from_str::<ScheduleConfig>(exception_typo).unwrap_err();
        assert!(err.to_string().contains("unknown field `notes`"), "{err}");
        let no_windows = "exceptions:\n  - date: 2027-02-16\n";
        let err = serde_yaml::from_str::<ScheduleConfig>(no_windows).unwrap_err();
        assert!(err.to_string().contains("missing field `windows`"), "{err}");
    }
}
