//! Following the config file while the player runs. A file that does not
//! load is reported (log and journal) and the running config stays; a valid
//! change restarts the player in place (the same command line, `exec`), so
//! that every part starts from the new config.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;

use super::KioskConfig;
use crate::journal::Event;
use crate::journal::plugin::Record;

/// How often the file is looked at.
const POLL: Duration = Duration::from_secs(2);

/// Set when the player should be started again after it exits (the config
/// changed). A handle: `run` keeps a clone and reads it once the App, which
/// the window's event loop consumes, is gone.
#[derive(Resource, Clone, Debug, Default)]
pub struct RestartRequest(Arc<OnceLock<&'static str>>);

impl RestartRequest {
    /// Asks for a restart once the player has exited; the first reason stays.
    pub fn ask(&self, reason: &'static str) {
        let _ = self.0.set(reason);
    }

    /// Why the player is about to restart itself, as its `app_stopped` line
    /// says (`restart`); `None` when it is not.
    pub fn reason(&self) -> Option<&'static str> {
        self.0.get().copied()
    }
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
        })
        .init_resource::<RestartRequest>()
        .add_systems(Update, follow_config_file.run_if(on_real_timer(POLL)));
    }
}

fn stamp(path: &std::path::Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn follow_config_file(
    mut watched: ResMut<Watched>,
    restart: Res<RestartRequest>,
    mut record: Record,
    mut exit: MessageWriter<AppExit>,
) {
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
            restart.ask("config_changed");
            exit.write(AppExit::Success);
        }
    }
}
