//! The one clock the player reads: wall time, or a test clock that starts at
//! a chosen instant (`--clock`) and may run faster (`--clock-speed`).

use std::time::Instant;

use bevy::prelude::Resource;
use chrono::{DateTime, Duration, Utc};

#[derive(Resource, Debug, Clone)]
pub struct Clock {
    /// `None`: the system's wall clock. `Some`: a clock started at `start`.
    fake: Option<FakeClock>,
}

#[derive(Debug, Clone)]
struct FakeClock {
    start: DateTime<Utc>,
    started: Instant,
    speed: f64,
}

impl Clock {
    pub fn system() -> Self {
        Self { fake: None }
    }

    /// A clock that reads `start` now and then runs `speed` times real time.
    pub fn starting_at(start: DateTime<Utc>, speed: f64) -> Self {
        Self {
            fake: Some(FakeClock {
                start,
                started: Instant::now(),
                speed,
            }),
        }
    }

    /// How many real seconds this clock takes from `from` to `to`.
    pub fn real_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let clock_seconds = (to - from).as_seconds_f64();
        match &self.fake {
            None => clock_seconds,
            Some(f) => clock_seconds / f.speed,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fake {
            None => Utc::now(),
            Some(f) => {
                let real = f.started.elapsed().as_secs_f64() * f.speed;
                f.start + Duration::microseconds((real * 1e6) as i64)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_clock_starts_at_the_given_instant_and_moves_forward() {
        let start: DateTime<Utc> = "2026-11-28T03:59:58Z".parse().unwrap();
        let clock = Clock::starting_at(start, 60.0);
        let a = clock.now();
        assert!(a >= start && a < start + Duration::seconds(5));
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() > a, "a 60x clock moves on after 20 ms");
        let b = a + Duration::minutes(1);
        assert_eq!(clock.real_seconds_between(a, b), 1.0);
        assert_eq!(Clock::system().real_seconds_between(a, b), 60.0);
    }
}
