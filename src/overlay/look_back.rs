//! The Now page's look-back: what was on screen at a local time of the last
//! 24 hours, and why — the screen state, the item, its language, file,
//! SHA-256 and archived copy — answered by `infokiosk at`'s own code
//! (`journal::at::look_back`), on a thread: it streams the month's journal.

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::OverlaySettings;
use crate::job::Job;
use crate::journal::at::{OnScreen, look_back};

/// The look-back running now, and the last answer (or why there is none).
#[derive(Resource, Default)]
pub struct LookBack {
    running: Option<Job<Result<OnScreen, String>>>,
    pub last: Option<Result<OnScreen, String>>,
}

impl LookBack {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts answering for the local time `time` (`HH:MM`) unless an
    /// answer is being read already.
    pub(super) fn start(&mut self, settings: &OverlaySettings, time: &str, now: DateTime<Utc>) {
        if self.is_running() {
            return;
        }
        let journal = settings.journal_dir.clone();
        let objects = settings.kiosk.objects_dir();
        let (tz, time) = (settings.time_zone, time.to_owned());
        let job = Job::start("look-back", move || {
            look_back(&journal, &objects, tz, &time, now)
        });
        self.running = Some(job);
    }
}

/// Takes the answer once it has been read.
pub(super) fn collect_look_back(mut look: ResMut<LookBack>) {
    let Some(job) = &mut look.running else {
        return;
    };
    let Some(result) = job.try_finish() else {
        return;
    };
    look.running = None;
    look.last = Some(result.unwrap_or_else(|e| Err(e.to_string())));
}
