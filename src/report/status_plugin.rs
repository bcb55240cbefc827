//! The player's `status.json` in the outbox, written every minute so that
//! the office sees every kiosk through the same sync.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;
use chrono::Duration;

use super::{KioskStatus, NowShowing, recent_errors, status_json, write_atomically};
use crate::clock::Clock;
use crate::journal::{month_files, read_file};
use crate::player::Playback;
use crate::schedule::plugin::Operating;

const STATUS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Resource, Clone)]
pub struct StatusSettings {
    pub kiosk: String,
    pub outbox_dir: PathBuf,
    pub journal_dir: PathBuf,
    pub data_dir: PathBuf,
}

pub struct StatusPlugin {
    pub settings: StatusSettings,
}

impl Plugin for StatusPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            // At start, then every minute.
            .add_systems(
                Update,
                write_status.run_if(run_once.or_eager(on_real_timer(STATUS_EVERY))),
            );
    }
}

fn write_status(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<StatusSettings>,
    operating: Res<Operating>,
    playback: Res<Playback>,
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
    let status = KioskStatus {
        kiosk: settings.kiosk.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
        time: now,
        screen: status.state,
        screen_reason: status.reason.to_string(),
        now_showing,
        last_heartbeat: Some(now),
        disk_free_bytes: crate::health::disk_space(&settings.data_dir)
            .ok()
            .map(|s| s.free),
        last_errors: Vec::new(),
    };
    let tz = operating.schedule.timezone();
    let settings = settings.clone();
    // Reading the month's journal for the last errors is file work: not on
    // the render loop.
    std::thread::spawn(move || {
        let mut status = status;
        if let Some(newest) = month_files(&settings.journal_dir).last() {
            status.last_errors = recent_errors(&read_file(newest).records, tz, 10);
        }
        let path = settings.outbox_dir.join("status.json");
        let written = std::fs::create_dir_all(&settings.outbox_dir)
            .and_then(|()| write_atomically(&path, status_json(&status, tz).as_bytes()));
        if let Err(e) = written {
            warn!("cannot write {}: {e}", path.display());
        }
    });
}
