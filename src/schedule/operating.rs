//! The validated operating schedule: which windows apply on a date, and open or closed at an instant.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::exception::{Exception, parse_exceptions};
use super::local::local;
use super::window::parse_windows;
use super::{
    ExceptionSpan, OperatingState, Override, Reason, ScheduleConfig, ScheduleError, Status, Window,
};

/// Daily windows plus date exceptions, read on the wall clock of one IANA zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatingSchedule {
    tz: Tz,
    windows: Vec<Window>,
    exceptions: Vec<Exception>,
}

impl OperatingSchedule {
    /// Validates the `schedule:` section; the error names the first bad entry.
    pub fn from_config(config: &ScheduleConfig) -> Result<Self, ScheduleError> {
        let tz =
            Tz::from_str(config.timezone.trim()).map_err(|_| ScheduleError::UnknownTimezone {
                name: config.timezone.clone(),
            })?;
        let windows = parse_windows("schedule.windows", &config.windows)?;
        let exceptions = parse_exceptions(&config.exceptions)?;
        Ok(Self {
            tz,
            windows,
            exceptions,
        })
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The daily windows, sorted by start.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The windows that apply on a local date, and the exception that set them, if any.
    pub fn windows_on(&self, date: NaiveDate) -> (&[Window], Option<&ExceptionSpan>) {
        match self.exceptions.iter().find(|e| e.span.contains(date)) {
            Some(exception) => (&exception.windows, Some(&exception.span)),
            None => (&self.windows, None),
        }
    }

    /// Open or closed at `t`, why, and when that changes. An active override
    /// (see [`Override::is_active`]) wins over the schedule.
    pub fn state_at(&self, t: DateTime<Utc>, ov: Option<&Override>) -> Status {
        let (state, reason) = self.screen_at(t, ov);
        Status {
            state,
            reason,
            next_change: self.next_change(t, ov),
        }
    }

    /// Open or closed at `t` and why, as [`Self::state_at`] says it, without
    /// the search ahead for the next change: the question asked every frame.
    pub fn screen_at(&self, t: DateTime<Utc>, ov: Option<&Override>) -> (OperatingState, Reason) {
        match ov.filter(|o| o.is_active(t)) {
            Some(o) => (o.screen(), o.to_reason(self.tz)),
            None => self.scheduled(t),
        }
    }

    /// What the schedule alone says at `t`.
    pub(crate) fn scheduled(&self, t: DateTime<Utc>) -> (OperatingState, Reason) {
        let here = local(self.tz, t);
        let (date, time) = (here.date_naive(), here.time());
        let (windows, exception) = self.windows_on(date);
        let window = windows.iter().find(|w| w.contains(time)).copied();
        let state = if window.is_some() {
            OperatingState::Open
        } else {
            OperatingState::Closed
        };
        let reason = match (exception, window) {
            (Some(span), window) => Reason::Exception {
                span: span.clone(),
                window,
            },
            (None, Some(Window { start, end })) => Reason::Window { start, end },
            (None, None) => Reason::OutsideWindows,
        };
        (state, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{KIOSK, hcm, schedule};

    #[test]
    fn boundary_table() {
        use OperatingState::{Closed, Open};
        let kiosk = schedule(KIOSK);
        let cases = [
            ("2026-11-28 06:59:59", Closed, "outside operating hours"),
            ("2026-11-28 07:00:00", Open, "inside window 07:00-11:00"),
            ("2026-11-28 10:59:59", Open, "inside window 07:00-11:00"),
            ("2026-11-28 10:59:59.999", Open, "inside window 07:00-11:00"),
            ("2026-11-28 11:00:00", Closed, "outside operating hours"),
            ("2026-11-28 13:59:59.999", Closed, "outside operating hours"),
            ("2026-11-28 14:00:00", Open, "inside window 14:00-18:00"),
            ("2026-11-28 17:59:59", Open, "inside window 14:00-18:00"),
            ("2026-11-28 18:00:00", Closed, "outside operating hours"),
            ("2026-11-28 23:59:59", Closed, "outside operating hours"),
            ("2026-11-29 00:00:00", Closed, "outside operating hours"),
            // 2026-11-29 is a Sunday: the windows hold every day.
            ("2026-11-29 07:00:00", Open, "inside window 07:00-11:00"),
            ("2026-12-31 17:59:59", Open, "inside window 14:00-18:00"),
            ("2026-12-31 23:59:59.999", Closed, "outside operating hours"),
            ("2027-01-01 00:00:00", Closed, "outside operating hours"),
            ("2027-01-01 07:00:00", Open, "inside window 07:00-11:00"),
            ("2027-02-15 17:59:59", Open, "inside window 14:00-18:00"),
            (
                "2027-02-16 07:00:00",
                Closed,
                "exception 2027-02-16 (Tết): closed",
            ),
            (
                "2027-02-16 14:30:00",
                Closed,
                "exception 2027-02-16 (Tết): closed",
            ),
            ("2027-02-17 07:00:00", Open, "inside window 07:00-11:00"),
            (
                "2027-02-20 08:00:00",
                Closed,
                "exception 2027-02-20..2027-02-21 (festival): closed",
            ),
            (
                "2027-02-21 19:00:00",
                Open,
                "exception 2027-02-20..2027-02-21 (festival): inside window 19:00-22:00",
            ),
            (
                "2027-02-21 21:59:59",
                Open,
                "exception 2027-02-20..2027-02-21 (festival): inside window 19:00-22:00",
            ),
            (
                "2027-02-21 22:00:00",
                Closed,
                "exception 2027-02-20..2027-02-21 (festival): closed",
            ),
        ];
        for (at, state, reason) in cases {
            let status = kiosk.state_at(hcm(at), None);
            assert_eq!(
                (status.state, status.reason.to_string().as_str()),
                (state, reason),
                "at {at}"
            );
        }
        // The same instants written in UTC give the same answers.
        assert_eq!(
            kiosk
                .state_at("2026-11-28T00:00:00Z".parse().unwrap(), None)
                .state,
            Open
        );
        assert_eq!(
            kiosk
                .state_at("2026-11-27T23:59:59Z".parse().unwrap(), None)
                .state,
            Closed
        );
    }

    #[test]
    fn same_answers_whatever_the_machine_time_zone() {
        // The module never reads TZ; prove it by running the table in child
        // processes of this test binary under three machine zones.
        let module = module_path!()
            .split_once("::")
            .map_or(module_path!(), |(_, rest)| rest);
        let test = format!("{module}::boundary_table");
        for zone in ["UTC", "America/New_York", "Asia/Ho_Chi_Minh"] {
            let output = std::process::Command::new(std::env::current_exe().unwrap())
                .args([test.as_str(), "--exact", "--test-threads=1"])
                .env("TZ", zone)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success() && stdout.contains("1 passed"),
                "TZ={zone}:\n{stdout}"
            );
        }
    }

    #[test]
    fn invalid_configs_name_the_entry() {
        let error = |yaml: &str| {
            let config: ScheduleConfig = serde_yaml::from_str(yaml).unwrap();
            OperatingSchedule::from_config(&config)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("timezone: Asia/Hanoi"),
            "schedule.timezone \"Asia/Hanoi\": not an IANA time zone name (e.g. Asia/Ho_Chi_Minh)"
        );
        let backwards = error("windows: [\"07:00-11:00\", \"14:00-13:00\"]");
        assert!(
            backwards
                .starts_with("schedule.windows[1] \"14:00-13:00\": window ends before it starts"),
            "{backwards}"
        );
        let overlap = error("windows: [\"07:00-11:00\", \"10:30-12:00\"]");
        assert_eq!(
            overlap,
            "schedule.windows[0] \"07:00-11:00\" overlaps schedule.windows[1] \"10:30-12:00\""
        );
        let midnight = error("windows: [\"22:00-02:00\"]");
        assert!(
            midnight.contains("split it into 22:00-24:00 and 00:00-02:00"),
            "{midnight}"
        );
        let ranges = error(
            "exceptions: [{from: 2027-02-14, until: 2027-02-18, windows: []}, {date: 2027-02-16, windows: []}]",
        );
        assert!(ranges.starts_with("schedule.exceptions[0] (2027-02-14..2027-02-18) overlaps schedule.exceptions[1] (2027-02-16)"), "{ranges}");
    }
}
