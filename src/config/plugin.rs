//! Following the config file while the player runs. A file that does not
//! load is reported (log and journal) and the running config stays; a valid
//! change restarts the player in place (the same command line, `exec`), so
//! that every part starts from the new config.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use bevy::prelude::*;

use super::KioskConfig;
use crate::journal::Event;
use crate::journal::plugin::Record;

/// How often the file is looked at.
const POLL_SECS: f64 = 2.0;

/// Set when the player should be started again after it exits (the config
/// changed). `main` reads it after `run` returns.
pub static RESTART_REQUESTED: AtomicBool = AtomicBool::new(false);

/// Why the player is about to restart itself, as its `app_stopped` line says
/// (`restart`); `None` when it is not.
pub fn requested_restart() -> Option<&'static str> {
    RESTART_REQUESTED
        .load(Ordering::SeqCst)
        .then_some("config_changed")
}

/// The config file and what the command line changed in it.
pub struct ConfigWatchPlugin {
    pub path: PathBuf,
    /// The config in force, as loaded with the command line's overrides.
    pub running: KioskConfig,
    /// The command line's `--content` / `--data`, applied to a fresh load.
    pub overrides: FolderOverrides,
}

/// Folders given on the command line instead of the config's.
#[derive(Debug, Clone, Default)]
pub struct FolderOverrides {
    pub content: Option<PathBuf>,
    pub data: Option<PathBuf>,
}

impl FolderOverrides {
    pub fn apply(&self, mut config: KioskConfig) -> KioskConfig {
        if let Some(dir) = &self.content {
            config.content_dir = dir.clone();
        }
        if let Some(dir) = &self.data {
            config.data_dir = dir.clone();
        }
        config
    }
}

#[derive(Resource)]
struct Watched {
    path: PathBuf,
    running: KioskConfig,
    overrides: FolderOverrides,
    seen: Option<(SystemTime, u64)>,
    /// The last error reported, so a broken file is reported once.
    reported: Option<String>,
    next_check: f64,
}

impl Plugin for ConfigWatchPlugin {
    fn build(&self, app: &mut App) {
        let seen = stamp(&self.path);
        app.insert_resource(Watched {
            path: self.path.clone(),
            running: self.running.clone(),
            overrides: self.overrides.clone(),
            seen,
            reported: None,
            next_check: 0.0,
        })
        .add_systems(Update, follow_config_file);
    }
}

fn stamp(path: &std::path::Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn follow_config_file(
    time: Res<Time<Real>>,
    mut watched: ResMut<Watched>,
    mut record: Record,
    mut exit: MessageWriter<AppExit>,
) {
    let now = time.elapsed_secs_f64();
    if now < watched.next_check {
        return;
    }
    watched.next_check = now + POLL_SECS;
    let seen = stamp(&watched.path);
    if seen == watched.seen {
        return;
    }
    watched.seen = seen;
    let file = watched.path.display().to_string();
    match KioskConfig::load(&watched.path).map(|c| watched.overrides.apply(c)) {
        Err(e) => {
            let reason = e.to_string();
            if watched.reported.as_ref() != Some(&reason) {
                error!("{reason}; the running configuration stays in force");
                record.event(Event::ConfigRejected {
                    file,
                    reason: reason.clone(),
                });
                watched.reported = Some(reason);
            }
        }
        Ok(config) if config == watched.running => watched.reported = None,
        Ok(_) => {
            info!("{file} changed: restarting the player to apply it");
            record.event(Event::ConfigChanged { file });
            RESTART_REQUESTED.store(true, Ordering::SeqCst);
            exit.write(AppExit::Success);
        }
    }
}
