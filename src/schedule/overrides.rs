//! The emergency override: screens off or on, whatever the schedule says, until a time or until cleared.

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::local::local;
use super::{OperatingState, Reason};

/// What an override does to the screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Power {
    On,
    Off,
}

impl Power {
    pub fn screen(self) -> OperatingState {
        match self {
            Power::On => OperatingState::Open,
            Power::Off => OperatingState::Closed,
        }
    }
}

impl fmt::Display for Power {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Power::On => "on",
            Power::Off => "off",
        })
    }
}

/// Where an override came from: `control.yaml` in the synced folder or the keyboard overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideSource {
    ControlFile,
    Overlay,
}

/// The Border Guard's switch: screens off (or on) whatever the schedule says, until
/// `until` (exclusive) or until cleared. The latest override replaces any earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub action: Power,
    pub until: Option<DateTime<Utc>>,
    pub reason: String,
    pub by: String,
    pub set_at: DateTime<Utc>,
    pub source: OverrideSource,
    /// Whose request the override answers (the Department's, Art. 8 of the decision); may be empty.
    #[serde(default)]
    pub requested_by: String,
    /// When a control order says it was issued.
    #[serde(default)]
    pub issued: Option<DateTime<Utc>>,
    /// Who signed the control order: the key id, with the signature's trusted comment.
    #[serde(default)]
    pub signer: Option<String>,
}

impl Override {
    /// Holds at `t` when it has no end or ends after `t`; at `until` it has ended.
    pub fn is_active(&self, t: DateTime<Utc>) -> bool {
        self.until.is_none_or(|until| until > t)
    }

    pub fn screen(&self) -> OperatingState {
        self.action.screen()
    }

    /// The override as a [`Reason`], its end on the wall clock of `tz`.
    pub fn to_reason(&self, tz: Tz) -> Reason {
        Reason::Override {
            action: self.action,
            by: self.by.clone(),
            reason: self.reason.clone(),
            until: self.until.map(|until| local(tz, until)),
            source: self.source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{OperatingSchedule, ScheduleConfig};
    use crate::test_support::hcm;

    fn off_until(until: Option<&str>) -> Override {
        Override {
            action: Power::Off,
            until: until.map(hcm),
            reason: "drill".into(),
            by: "Border Guard".into(),
            set_at: hcm("2026-11-28 07:30"),
            source: OverrideSource::Overlay,
            requested_by: String::new(),
            issued: None,
            signer: None,
        }
    }

    #[test]
    fn off_during_open_hours_then_the_schedule_resumes() {
        let kiosk = OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap();
        let ov = off_until(Some("2026-11-28 09:30"));
        let status = kiosk.state_at(hcm("2026-11-28 08:00"), Some(&ov));
        assert_eq!(status.state, OperatingState::Closed);
        assert_eq!(
            status.reason.to_string(),
            "override off by Border Guard until 2026-11-28 09:30 (+07): drill"
        );
        assert_eq!(status.next_change, Some(hcm("2026-11-28 09:30")));
        assert_eq!(status.next_state(), Some(OperatingState::Open));
        // At its end the override has expired and the window holds again.
        assert!(!ov.is_active(hcm("2026-11-28 09:30")));
        let after = kiosk.state_at(hcm("2026-11-28 09:30"), Some(&ov));
        assert_eq!(
            (after.state, after.reason.to_string().as_str()),
            (OperatingState::Open, "inside window 07:00-11:00")
        );
        // Ending while the schedule is closed anyway: the next change is the next opening.
        let longer = off_until(Some("2026-11-28 12:00"));
        assert_eq!(
            kiosk.next_change(hcm("2026-11-28 08:00"), Some(&longer)),
            Some(hcm("2026-11-28 14:00"))
        );
    }

    #[test]
    fn on_during_closed_hours() {
        let kiosk = OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap();
        let mut on = off_until(None);
        on.action = Power::On;
        let status = kiosk.state_at(hcm("2026-11-28 20:00"), Some(&on));
        assert_eq!(status.state, OperatingState::Open);
        assert_eq!(
            status.reason.to_string(),
            "override on by Border Guard until cleared: drill"
        );
        assert_eq!(status.next_change, None);
        on.until = Some(hcm("2026-11-29 07:30"));
        assert_eq!(
            kiosk.next_change(hcm("2026-11-28 20:00"), Some(&on)),
            Some(hcm("2026-11-29 11:00"))
        );
        assert_eq!(
            kiosk
                .state_at(hcm("2026-11-29 07:30"), Some(&on))
                .reason
                .to_string(),
            "inside window 07:00-11:00"
        );
    }

    #[test]
    fn override_round_trips_through_json() {
        let ov = off_until(Some("2026-12-01 07:00"));
        let json = serde_json::to_value(&ov).unwrap();
        assert_eq!(json["action"], "off");
        assert_eq!(json["source"], "overlay");
        assert_eq!(json["until"], "2026-12-01T00:00:00Z");
        assert_eq!(serde_json::from_value::<Override>(json).unwrap(), ov);
    }
}
