//! Telling a file still being written from one that has settled, from its size and mtime alone.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

/// Files seen unsettled, remembered from one scan to the next.
#[derive(Debug)]
pub(crate) struct Settling {
    settle: Duration,
    watched: HashMap<String, Watch>,
    asked: HashSet<String>,
}

#[derive(Debug)]
struct Watch {
    size: u64,
    modified: SystemTime,
    since: SystemTime,
}

impl Settling {
    pub fn new(settle: Duration) -> Self {
        Settling {
            settle,
            watched: HashMap::new(),
            asked: HashSet::new(),
        }
    }

    /// Settled if the mtime is at least `settle` old; or, for a file stamped in the future
    /// (Syncthing copies the sender's mtime, and the sender's clock may be ahead), once the same
    /// size and mtime have been seen for `settle`. A writer in progress changes both.
    pub fn is_settled(
        &mut self,
        rel: &str,
        size: u64,
        modified: SystemTime,
        now: SystemTime,
    ) -> bool {
        if now
            .duration_since(modified)
            .is_ok_and(|age| age >= self.settle)
        {
            return true;
        }
        self.asked.insert(rel.to_owned());
        let watch = self.watched.entry(rel.to_owned()).or_insert(Watch {
            size,
            modified,
            since: now,
        });
        if (watch.size, watch.modified) != (size, modified) {
            *watch = Watch {
                size,
                modified,
                since: now,
            };
        }
        now.duration_since(watch.since)
            .is_ok_and(|waited| waited >= self.settle)
    }

    /// Ends a scan: forgets files not asked about in it (removed, or settled by their age).
    pub fn finish_scan(&mut self) {
        let asked = std::mem::take(&mut self.asked);
        self.watched.retain(|rel, _| asked.contains(rel));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_fresh_file_settles_after_the_settle_time() {
        let mut settling = Settling::new(secs(2));
        let written = T0 + secs(1000);
        assert!(!settling.is_settled("a.mp4", 10, written, written));
        assert!(!settling.is_settled("a.mp4", 10, written, written + secs(1)));
        assert!(settling.is_settled("a.mp4", 10, written, written + secs(2)));
        assert!(settling.is_settled("old.mp4", 10, T0, written));
    }

    #[test]
    fn a_future_mtime_settles_once_unchanged_for_the_settle_time() {
        let mut settling = Settling::new(secs(2));
        let now = T0 + secs(1000);
        let ahead = now + secs(3600);
        assert!(!settling.is_settled("a.png", 10, ahead, now));
        settling.finish_scan();
        assert!(!settling.is_settled("a.png", 10, ahead, now + secs(1)));
        settling.finish_scan();
        assert!(settling.is_settled("a.png", 10, ahead, now + secs(2)));
        settling.finish_scan();
        assert!(
            settling.is_settled("a.png", 10, ahead, now + secs(3)),
            "stays settled"
        );
        settling.finish_scan();
        // Written again: the wait starts over.
        assert!(!settling.is_settled("a.png", 20, ahead + secs(1), now + secs(4)));
        settling.finish_scan();
        // Removed, then back: the wait starts over too.
        settling.finish_scan();
        assert!(!settling.is_settled("a.png", 20, ahead + secs(1), now + secs(10)));
    }

    #[test]
    fn zero_settle_time_takes_files_as_they_are() {
        let mut settling = Settling::new(Duration::ZERO);
        assert!(settling.is_settled("a.png", 1, T0 + secs(5), T0 + secs(5)));
        assert!(settling.is_settled("b.png", 1, T0 + secs(9), T0 + secs(5)));
    }
}
