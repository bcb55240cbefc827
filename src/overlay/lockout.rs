//! PIN lockout: 5 wrong PINs lock the overlay for 5 minutes, and each
//! further lockout doubles that. Kept in `data_dir/state/pin-lockout.json`
//! after every change, so that pulling the plug gives no fresh tries. Pure:
//! the time comes in as an argument (the kiosk `Clock`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Wrong PINs in a row that lock the overlay.
pub const MAX_FAILURES: u32 = 5;
/// The first lockout; each further one (before a right PIN) doubles it.
pub const FIRST_LOCK_MINUTES: i64 = 5;
/// No lockout is longer than a day: the Border Guard must get in tomorrow.
pub const MAX_LOCK_MINUTES: i64 = 24 * 60;

/// Wrong PINs so far and the lockout in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// Why the lockout file was not used as it was.
#[derive(Debug, Error)]
pub enum LockoutFileError {
    #[error("cannot read the PIN lockout state {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the PIN lockout state {path} is damaged ({reason})")]
    Damaged { path: PathBuf, reason: String },
    #[error("cannot write the PIN lockout state {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The lockout kept on disk at `path`: the state before the restart, or the
/// state a damaged file stands for, with the error that says so.
pub struct Restored {
    pub lockout: Lockout,
    pub problem: Option<LockoutFileError>,
}

impl Lockout {
    /// The lockout kept at `path`, as it stands at `now`. No file: no wrong
    /// PINs yet. A file that cannot be read or parsed counts as a lockout
    /// that began now (neither five fresh tries nor a lock that never ends);
    /// a lockout ending further off than [`MAX_LOCK_MINUTES`] (a clock that
    /// was wrong, or an edited file) ends at `now` plus that at the latest.
    pub fn restore(path: &Path, now: DateTime<Utc>) -> Restored {
        let (mut lockout, problem) = match Self::read(path) {
            Ok(lockout) => (lockout, None),
            Err(e) => {
                let mut lockout = Lockout {
                    failures: 0,
                    lockouts: 1,
                    until: None,
                };
                lockout.until = Some(now + Duration::minutes(lock_minutes(1)));
                (lockout, Some(e))
            }
        };
        let latest = now + Duration::minutes(MAX_LOCK_MINUTES);
        if lockout.until.is_some_and(|until| until > latest) {
            lockout.until = Some(latest);
        }
        lockout.failures = lockout.failures.min(MAX_FAILURES - 1);
        Restored { lockout, problem }
    }

    /// The lockout in the file at `path`; the default when there is none.
    pub fn read(path: &Path) -> Result<Lockout, LockoutFileError> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(LockoutFileError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        serde_json::from_slice(&text).map_err(|e| LockoutFileError::Damaged {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Writes the lockout to `path`: fsync, then rename over the old file.
    pub fn save(&self, path: &Path) -> Result<(), LockoutFileError> {
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let json = serde_json::to_vec_pretty(self).expect("plain data");
            crate::durable::write_atomically(path, &json)
        };
        write().map_err(|source| LockoutFileError::Write {
            path: path.to_owned(),
            source,
        })
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
    fn a_lockout_kept_on_disk_holds_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/pin-lockout.json");
        let t0 = at("2026-11-28T01:00:00Z");
        let mut lock = Lockout::restore(&path, t0).lockout;
        assert_eq!(lock, Lockout::default(), "no file: no wrong PINs yet");
        fail_five(&mut lock, t0);
        lock.save(&path).unwrap();

        // The player starts again (a power cut) two minutes later.
        let restored = Lockout::restore(&path, at("2026-11-28T01:02:00Z"));
        assert!(restored.problem.is_none());
        let mut lock = restored.lockout;
        assert_eq!(
            lock.locked_until(at("2026-11-28T01:04:59Z")),
            Some(at("2026-11-28T01:05:00Z"))
        );
        assert_eq!(lock.locked_until(at("2026-11-28T01:05:00Z")), None);
        // And the next lockout still doubles: the count was kept too.
        let t1 = at("2026-11-28T01:05:00Z");
        assert!(matches!(
            fail_five(&mut lock, t1),
            AfterFailure::Locked { minutes: 10, .. }
        ));

        // Wrong PINs short of a lockout are kept as well.
        let mut lock = Lockout::default();
        lock.failed(t0);
        lock.failed(t0);
        lock.save(&path).unwrap();
        assert_eq!(Lockout::restore(&path, t0).lockout.tries_left(), 3);
    }

    #[test]
    fn a_damaged_lockout_file_locks_once_and_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pin-lockout.json");
        let t0 = at("2026-11-28T01:00:00Z");
        for junk in ["{\"failures\": 2, \"lock", "", "[]", "\u{0}\u{1}"] {
            std::fs::write(&path, junk).unwrap();
            let restored = Lockout::restore(&path, t0);
            let problem = restored
                .problem
                .expect("a damaged file is an error")
                .to_string();
            assert!(
                problem.contains(&path.display().to_string()) && problem.contains("damaged"),
                "{problem}"
            );
            // Not five fresh tries…
            assert_eq!(
                restored.lockout.locked_until(t0),
                Some(at("2026-11-28T01:05:00Z")),
                "{junk:?}"
            );
            // …nor a lock that never ends.
            assert_eq!(
                restored.lockout.locked_until(at("2026-11-28T01:05:00Z")),
                None
            );
        }
        // A lockout far in the future (a clock that ran ahead) ends within a day.
        let mut lock = Lockout::default();
        fail_five(&mut lock, at("2036-01-01T00:00:00Z"));
        lock.save(&path).unwrap();
        let restored = Lockout::restore(&path, t0);
        assert!(restored.problem.is_none());
        assert_eq!(
            restored.lockout.locked_until(t0),
            Some(t0 + Duration::minutes(MAX_LOCK_MINUTES))
        );
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
