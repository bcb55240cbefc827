//! PIN lockout: 5 wrong PINs lock the overlay for 5 minutes, and each
//! further lockout doubles that. Pure: the time comes in as an argument (the
//! kiosk `Clock`).

use chrono::{DateTime, Duration, Utc};

/// Wrong PINs in a row that lock the overlay.
pub const MAX_FAILURES: u32 = 5;
/// The first lockout; each further one (before a right PIN) doubles it.
pub const FIRST_LOCK_MINUTES: i64 = 5;
/// No lockout is longer than a day: the Border Guard must get in tomorrow.
pub const MAX_LOCK_MINUTES: i64 = 24 * 60;

/// Wrong PINs so far and the lockout in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lockout {
    /// Wrong PINs since the last lockout ended (or the last right PIN).
    failures: u32,
    /// Lockouts since the last right PIN.
    lockouts: u32,
    until: Option<DateTime<Utc>>,
}

/// What a wrong PIN led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// This many tries are left before a lockout.
    TriesLeft(u32),
    /// Locked until then, for this many minutes.
    Locked { until: DateTime<Utc>, minutes: i64 },
}

impl Lockout {
    /// The end of the lockout in force at `now`, if any.
    pub fn locked_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.until.filter(|&until| until > now)
    }

    /// Counts a wrong PIN typed at `now` (only while not locked: a locked
    /// overlay takes no PIN at all).
    pub fn failed(&mut self, now: DateTime<Utc>) -> AfterFailure {
        if let Some(until) = self.locked_until(now) {
            return AfterFailure::Locked {
                until,
                minutes: (until - now).num_minutes(),
            };
        }
        self.failures += 1;
        if self.failures < MAX_FAILURES {
            return AfterFailure::TriesLeft(MAX_FAILURES - self.failures);
        }
        self.failures = 0;
        self.lockouts += 1;
        let minutes = lock_minutes(self.lockouts);
        let until = now + Duration::minutes(minutes);
        self.until = Some(until);
        AfterFailure::Locked { until, minutes }
    }

    /// A right PIN: everything is forgiven.
    pub fn succeeded(&mut self) {
        *self = Self::default();
    }

    /// Tries left before the next lockout.
    pub fn tries_left(&self) -> u32 {
        MAX_FAILURES - self.failures
    }
}

/// 5, 10, 20, 40… minutes for the 1st, 2nd, 3rd, 4th… lockout, at most a day.
fn lock_minutes(lockout: u32) -> i64 {
    let doublings = lockout.saturating_sub(1).min(16);
    (FIRST_LOCK_MINUTES << doublings).min(MAX_LOCK_MINUTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn fail_five(lock: &mut Lockout, now: DateTime<Utc>) -> AfterFailure {
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(lock.failed(now), AfterFailure::TriesLeft(left));
        }
        lock.failed(now)
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes() {
        let t0 = at("2026-11-28T01:00:00Z");
        let mut lock = Lockout::default();
        assert_eq!(lock.tries_left(), 5);
        assert_eq!(
            fail_five(&mut lock, t0),
            AfterFailure::Locked {
                until: at("2026-11-28T01:05:00Z"),
                minutes: 5
            }
        );
        assert_eq!(lock.locked_until(t0), Some(at("2026-11-28T01:05:00Z")));
        assert_eq!(
            lock.locked_until(at("2026-11-28T01:04:59Z")),
            Some(at("2026-11-28T01:05:00Z"))
        );
        // At its end the lock has ended, and five fresh tries are there.
        assert_eq!(lock.locked_until(at("2026-11-28T01:05:00Z")), None);
        assert_eq!(lock.tries_left(), 5);
    }

    #[test]
    fn a_wrong_pin_while_locked_changes_nothing() {
        let t0 = at("2026-11-28T01:00:00Z");
        let mut lock = Lockout::default();
        fail_five(&mut lock, t0);
        let before = lock.clone();
        assert!(matches!(
            lock.failed(at("2026-11-28T01:02:00Z")),
            AfterFailure::Locked { minutes: 3, .. }
        ));
        assert_eq!(lock, before);
    }

    #[test]
    fn each_further_lockout_doubles_until_a_right_pin() {
        let mut now = at("2026-11-28T01:00:00Z");
        let mut lock = Lockout::default();
        for minutes in [5, 10, 20, 40, 80] {
            let AfterFailure::Locked { until, minutes: m } = fail_five(&mut lock, now) else {
                panic!("not locked");
            };
            assert_eq!((m, until - now), (minutes, Duration::minutes(minutes)));
            now = until;
        }
        lock.succeeded();
        assert!(matches!(
            fail_five(&mut lock, now),
            AfterFailure::Locked { minutes: 5, .. }
        ));
    }

    #[test]
    fn lockouts_stop_growing_at_a_day() {
        assert_eq!(lock_minutes(1), 5);
        assert_eq!(lock_minutes(9), 1280);
        assert_eq!(lock_minutes(10), MAX_LOCK_MINUTES);
        assert_eq!(lock_minutes(u32::MAX), MAX_LOCK_MINUTES);
    }

    #[test]
    fn a_right_pin_clears_the_count() {
        let now = at("2026-11-28T01:00:00Z");
        let mut lock = Lockout::default();
        lock.failed(now);
        lock.failed(now);
        assert_eq!(lock.tries_left(), 3);
        lock.succeeded();
        assert_eq!(lock.tries_left(), 5);
    }
}
