//! When the open/closed state next changes: window boundaries ahead, passed over where nothing changes, and the end of an override.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::local::{instants_of, local};
use super::{OperatingSchedule, Override, Window};

/// How far ahead [`OperatingSchedule::next_change`] looks, in days: a schedule
/// with no change within this horizon (always open, closed for good) has none.
pub const SEARCH_HORIZON_DAYS: u64 = 400;

impl OperatingSchedule {
    /// The first instant after `t` at which the state differs from the state at `t`,
    /// counting the end of an active override; `None` if nothing changes within
    /// [`SEARCH_HORIZON_DAYS`] or while an override without an end holds.
    pub fn next_change(&self, t: DateTime<Utc>, ov: Option<&Override>) -> Option<DateTime<Utc>> {
        let Some(o) = ov.filter(|o| o.is_active(t)) else {
            return self.scheduled_change_after(t);
        };
        let until = o.until?;
        if self.scheduled(until).0 != o.screen() {
            Some(until)
        } else {
            self.scheduled_change_after(until)
        }
    }

    /// The first window boundary after `t` at which the schedule's state differs
    /// from its state at `t`. Boundaries that change nothing (`07:00-11:00` then
    /// `11:00-14:00`, or `18:00-24:00` then `00:00-…`) are passed over.
    fn scheduled_change_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let now = self.scheduled(t).0;
        // Start a day early: a window of yesterday may end after `t` in odd zones.
        let first = local(self.timezone(), t)
            .date_naive()
            .checked_sub_days(Days::new(1))?;
        for offset in 0..=SEARCH_HORIZON_DAYS + 1 {
            let Some(date) = first.checked_add_days(Days::new(offset)) else {
                break;
            };
            let mut boundaries = self.boundaries_on(date);
            boundaries.sort();
            let change = boundaries
                .into_iter()
                .find(|&b| b > t && self.scheduled(b).0 != now);
            if change.is_some() {
                return change;
            }
        }
        None
    }

    /// Every instant a window of `date` starts or ends (both instants of a repeated
    /// local time; the jump for a skipped one).
    fn boundaries_on(&self, date: NaiveDate) -> Vec<DateTime<Utc>> {
        let (windows, _) = self.windows_on(date);
        windows
            .iter()
            .filter_map(|w| Some([date.and_time(w.start), window_end(date, w)?]))
            .flatten()
            .flat_map(|local_time| instants_of(self.timezone(), local_time))
            .collect()
    }
}

/// The local date and time a window of `date` ends: `24:00` is the next midnight.
pub(crate) fn window_end(date: NaiveDate, window: &Window) -> Option<NaiveDateTime> {
    if window.ends_at_midnight() {
        Some(date.succ_opt()?.and_time(NaiveTime::MIN))
    } else {
        Some(date.and_time(window.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::OperatingState;
    use crate::test_support::{KIOSK, hcm, schedule};

    #[test]
    fn next_change_table() {
        let kiosk = schedule(KIOSK);
        let cases = [
            ("2026-11-28 06:59:59", "2026-11-28 07:00"),
            ("2026-11-28 07:00:00", "2026-11-28 11:00"),
            ("2026-11-28 10:59:59.999", "2026-11-28 11:00"),
            ("2026-11-28 11:00:00", "2026-11-28 14:00"),
            ("2026-11-28 14:00:00", "2026-11-28 18:00"),
            ("2026-11-28 18:00:00", "2026-11-29 07:00"),
            ("2026-11-28 23:59:59", "2026-11-29 07:00"),
            ("2026-12-31 18:00:00", "2027-01-01 07:00"),
            // The Tết closure is skipped over, and the festival opens only at 19:00.
            ("2027-02-15 18:00:00", "2027-02-17 07:00"),
            ("2027-02-19 18:00:00", "2027-02-20 19:00"),
            ("2027-02-21 19:30:00", "2027-02-21 22:00"),
            ("2027-02-21 22:00:00", "2027-02-22 07:00"),
        ];
        for (at, expected) in cases {
            assert_eq!(
                kiosk.next_change(hcm(at), None),
                Some(hcm(expected)),
                "at {at}"
            );
            assert_eq!(
                kiosk.state_at(hcm(at), None).next_change,
                Some(hcm(expected)),
                "at {at}"
            );
        }
    }

    #[test]
    fn boundaries_that_change_nothing_are_passed_over() {
        let touching = schedule("windows: [\"07:00-11:00\", \"11:00-18:00\"]");
        assert_eq!(
            touching.next_change(hcm("2026-11-28 08:00"), None),
            Some(hcm("2026-11-28 18:00"))
        );
        let overnight = schedule("windows: [\"00:00-06:00\", \"18:00-24:00\"]");
        assert_eq!(
            overnight
                .state_at(hcm("2026-11-28 23:59:59.999"), None)
                .state,
            OperatingState::Open
        );
        assert_eq!(
            overnight.state_at(hcm("2026-11-29 00:00"), None).state,
            OperatingState::Open
        );
        assert_eq!(
            overnight.next_change(hcm("2026-11-28 20:00"), None),
            Some(hcm("2026-11-29 06:00"))
        );
    }

    #[test]
    fn no_change_within_the_horizon_is_none() {
        let always = schedule("windows: [\"00:00-24:00\"]");
        assert_eq!(
            always.state_at(hcm("2026-11-28 03:00"), None).state,
            OperatingState::Open
        );
        assert_eq!(always.next_change(hcm("2026-11-28 03:00"), None), None);
        let never = schedule("windows: []");
        assert_eq!(never.next_change(hcm("2026-11-28 03:00"), None), None);
        let closure = "windows: [\"00:00-24:00\"]\nexceptions: [{date: 2027-06-01, windows: []}]";
        let always_but_one_day = schedule(closure);
        assert_eq!(
            always_but_one_day.next_change(hcm("2026-11-28 03:00"), None),
            Some(hcm("2027-06-01 00:00"))
        );
    }

    #[test]
    fn a_window_starting_in_a_skipped_hour_opens_at_the_jump() {
        // Berlin jumps from 02:00 to 03:00 on 2026-03-29 (01:00 UTC).
        let berlin = schedule("timezone: Europe/Berlin\nwindows: [\"02:30-05:00\"]");
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            berlin.next_change(t("2026-03-29T00:30:00Z"), None),
            Some(t("2026-03-29T01:00:00Z"))
        );
        assert_eq!(
            berlin.state_at(t("2026-03-29T01:00:00Z"), None).state,
            OperatingState::Open
        );
        assert_eq!(
            berlin.next_change(t("2026-03-29T01:00:00Z"), None),
            Some(t("2026-03-29T03:00:00Z"))
        );
    }
}
