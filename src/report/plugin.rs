//! The player's `status.json` in the outbox, written every minute so that
//! the office sees every kiosk through the same sync.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;
use chrono::Duration;

use super::status::RecentErrors;
use super::{KioskStatus, NowShowing, status_json_of, write_atomically};
use crate::clock::Clock;
use crate::content::plugin::ReleaseInForce;
use crate::job::Job;
use crate::player::Playback;
use crate::schedule::plugin::Operating;

const STATUS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// How many of the latest problems the status carries.
const LAST_ERRORS: usize = 10;

#[derive(Resource, Clone)]
pub struct StatusSettings {
    pub kiosk: String,
    pub outbox_dir: PathBuf,
    pub journal_dir: PathBuf,
    pub data_dir: PathBuf,
}

pub struct ReportPlugin {
    pub settings: StatusSettings,
}

impl Plugin for ReportPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .insert_resource(StatusWriter::new())
            .add_systems(
                Update,
                (
                    finish_status,
                    // At start, then every minute, and when another content
                    // release comes into force.
                    write_status.run_if(
                        run_once
                            .or_eager(on_real_timer(STATUS_EVERY))
                            .or_eager(resource_exists_and_changed::<ReleaseInForce>),
                    ),
                )
                    .chain(),
            );
    }
}

/// Writing `status.json` off the render loop: one job at a time (a slow disk
/// skips a minute rather than piling up threads), handing the journal's
/// recent errors from one job to the next so that each reads only the lines
/// appended since.
#[derive(Resource)]
struct StatusWriter {
    job: Option<Job<RecentErrors>>,
    /// `None` while a job holds them.
    errors: Option<RecentErrors>,
}

impl StatusWriter {
    fn new() -> Self {
        Self {
            job: None,
            errors: Some(RecentErrors::new(LAST_ERRORS)),
        }
    }

    /// Starts `work` on the recent errors, unless a job still runs.
    fn start(&mut self, work: impl FnOnce(RecentErrors) -> RecentErrors + Send + 'static) -> bool {
        let Some(errors) = self.errors.take() else {
            return false;
        };
        self.job = Some(Job::start_quietly("status", move || work(errors)));
        true
    }

    /// Takes the finished job's errors back.
    fn poll(&mut self) {
        let Some(finished) = self.job.as_mut().and_then(Job::try_finish) else {
            return;
        };
        self.job = None;
        // A crashed job lost them: the next one reads the month again.
        self.errors = Some(finished.unwrap_or_else(|_| RecentErrors::new(LAST_ERRORS)));
    }
}

fn finish_status(mut writer: ResMut<StatusWriter>) {
    writer.poll();
}

fn write_status(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<StatusSettings>,
    operating: Res<Operating>,
    playback: Res<Playback>,
    release: Option<Res<ReleaseInForce>>,
    mut writer: ResMut<StatusWriter>,
) {
    let real = time.elapsed_secs_f64();
    let now = clock.now();
    let status = operating.status(&clock);
    let now_showing = playback.current_item().map(|item| NowShowing {
        item: item.rel.display().to_string(),
        kind: item.kind.name().into(),
        language: item.language.code().into(),
        since: playback
            .position(real)
            .and_then(|(p, _)| Duration::from_std(p).ok())
            .map_or(now, |p| now - p),
    });
    let disk = crate::health::disk_space(&settings.data_dir).ok();
    let status = KioskStatus {
        kiosk: settings.kiosk.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        time: now,
        screen: status.state,
        screen_reason: status.reason.to_string(),
        now_showing,
        last_heartbeat: Some(now),
        disk_free_bytes: disk.as_ref().map(|s| s.free),
        disk_total_bytes: disk.as_ref().map(|s| s.total),
        last_errors: Vec::new(),
        content: release.and_then(|r| r.now),
    };
    let tz = operating.schedule.timezone();
    let settings = settings.clone();
    // Reading the journal for the last errors is file work: not on the
    // render loop.
    let started = writer.start(move |mut errors| {
        let mut status = status;
        if let Err(e) = errors.update(&settings.journal_dir, tz) {
            warn!("cannot read the journal for status.json: {e}");
        }
        status.last_errors = errors.errors();
        let path = settings.outbox_dir.join("status.json");
        let written = std::fs::create_dir_all(&settings.outbox_dir).and_then(|()| {
            write_atomically(&path, status_json_of(&status, &errors, tz).as_bytes())
        });
        if let Err(e) = written {
            warn!("cannot write {}: {e}", path.display());
        }
        errors
    });
    if !started {
        warn!("status.json: the previous minute's is still being written; skipped");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use super::*;

    #[test]
    fn one_status_job_at_a_time() {
        let mut writer = StatusWriter::new();
        let (release, released) = channel::<()>();
        assert!(writer.start(move |errors| {
            let _ = released.recv();
            errors
        }));
        writer.poll();
        assert!(
            !writer.start(|errors| errors),
            "a second job while one runs"
        );
        release.send(()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while writer.errors.is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
            writer.poll();
        }
        assert!(writer.start(|errors| errors), "the next once it is done");
    }
}
