//! The emergency switch in the overlay: screen off (or on) now, for an hour,
//! until the schedule's next change, or until cleared. Builds the same
//! [`Override`] that `control.yaml` makes. Pure: the time is an argument.

use chrono::{DateTime, Duration, Utc};

use crate::schedule::{OperatingSchedule, Override, OverrideSource, Power};

/// How long an emergency switch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    #[default]
    OneHour,
    /// Until the schedule would change state anyway (the next window start or end).
    NextChange,
    UntilCleared,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::OneHour, Preset::NextChange, Preset::UntilCleared];

    /// The end of an override set at `now`; `None` holds until cleared.
    pub fn until(self, now: DateTime<Utc>, schedule: &OperatingSchedule) -> Option<DateTime<Utc>> {
        match self {
            Preset::OneHour => Some(now + Duration::hours(1)),
            // No change within the search horizon: nothing to end at.
            Preset::NextChange => schedule.next_change(now, None),
            Preset::UntilCleared => None,
        }
    }
}

/// The override for "screen off/on now" from the overlay, `by` the person
/// and role who unlocked it, or `None` when the reason is blank (the journal
/// must say why).
pub fn emergency_override(
    action: Power,
    preset: Preset,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
    schedule: &OperatingSchedule,
) -> Option<Override> {
    let reason = reason.trim();
    if reason.is_empty() {
        return None;
    }
    Some(Override {
        action,
        until: preset.until(now, schedule),
        reason: reason.to_owned(),
        by: by.to_owned(),
        set_at: now,
        source: OverrideSource::Overlay,
        requested_by: String::new(),
        issued: None,
        signer: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{OperatingState, ScheduleConfig};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn kiosk() -> OperatingSchedule {
        OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap()
    }

    #[test]
    fn screen_off_for_an_hour_closes_now_and_reopens_after() {
        let now = at("2026-11-28T01:00:00Z"); // 08:00 in Ho Chi Minh City, open
        let ov = emergency_override(
            Power::Off,
            Preset::OneHour,
            "  drill ",
            "guard",
            now,
            &kiosk(),
        )
        .unwrap();
        assert_eq!(ov.until, Some(at("2026-11-28T02:00:00Z")));
        assert_eq!((ov.reason.as_str(), ov.by.as_str()), ("drill", "guard"));
        assert_eq!(ov.source, OverrideSource::Overlay);
        assert_eq!(ov.set_at, now);
        let schedule = kiosk();
        assert_eq!(
            schedule.state_at(now, Some(&ov)).state,
            OperatingState::Closed
        );
        assert_eq!(
            schedule
                .state_at(at("2026-11-28T02:00:00Z"), Some(&ov))
                .state,
            OperatingState::Open
        );
    }

    #[test]
    fn until_the_next_change_ends_with_the_window() {
        let schedule = kiosk();
        let open = at("2026-11-28T01:00:00Z"); // 08:00: the window ends at 11:00
        let off = emergency_override(Power::Off, Preset::NextChange, "x", "a", open, &schedule);
        assert_eq!(off.unwrap().until, Some(at("2026-11-28T04:00:00Z")));
        let closed = at("2026-11-28T13:00:00Z"); // 20:00: the next window opens 07:00
        let on =
            emergency_override(Power::On, Preset::NextChange, "x", "a", closed, &schedule).unwrap();
        assert_eq!(on.until, Some(at("2026-11-29T00:00:00Z")));
        assert_eq!(
            schedule.state_at(closed, Some(&on)).state,
            OperatingState::Open
        );
    }

    #[test]
    fn until_cleared_has_no_end_and_a_reason_is_required() {
        let now = at("2026-11-28T01:00:00Z");
        let ov = emergency_override(Power::Off, Preset::UntilCleared, "fire", "a", now, &kiosk());
        assert_eq!(ov.unwrap().until, None);
        assert!(
            emergency_override(Power::Off, Preset::OneHour, " \t", "a", now, &kiosk()).is_none()
        );
    }
}
