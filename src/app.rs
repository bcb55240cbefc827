//! `AppPlugin`: the whole player, composed from one plugin per concern.

use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::window::{CursorOptions, MonitorSelection, WindowMode, WindowResolution};

use crate::clock::Clock;
use crate::config::KioskConfig;
use crate::hooks::TestHooks;
use crate::journal::Journal;
use crate::journal::plugin::Recorder;
use crate::player::{PlayerPlugin, PlayerSettings};
use crate::schedule::plugin::SchedulePlugin;
use crate::{
    backup, config, content, display, fonts, health, hooks, journal, outbox, overlay, report,
};

/// Everything `infokiosk run` needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config: KioskConfig,
    /// The file the config came from (archived with each monthly backup).
    pub config_path: Option<std::path::PathBuf>,
    /// The command line's folders, re-applied to a reloaded config.
    pub overrides: config::plugin::FolderOverrides,
    pub windowed: bool,
    /// The window's size with `windowed`.
    pub window_size: (u32, u32),
    pub hooks: TestHooks,
    pub clock: Clock,
}

/// The whole player.
pub struct AppPlugin {
    pub options: RunOptions,
}

impl Plugin for AppPlugin {
    fn build(&self, app: &mut App) {
        let options = &self.options;
        // Logging first, so that the first line says what runs before the
        // window system and the GPU have their say.
        app.add_plugins(log_plugin());
        // The downtime since the last run, read before this run writes.
        let schedule = options.config.operating_schedule();
        let now = options.clock.now();
        info!("{}", startup_line(options, &schedule, now));
        app.add_plugins(default_plugins(options.windowed, options.window_size));
        app.add_plugins(bevy_egui::EguiPlugin::default());
        app.add_plugins(crate::pacing::PacingPlugin {
            max_fps: options.config.max_fps,
        });
        let month = journal::month_at(now, schedule.timezone());
        let gap = journal::last_alive(&options.config.journal_dir(), &month)
            .and_then(|last| last.downtime_until(now, &schedule));
        app.insert_resource(options.clock.clone())
            .insert_resource(options.hooks.clone())
            .insert_resource(open_journal(&options.config))
            .insert_resource(journal::plugin::StartupGap(gap));
        if let Some(every) = options
            .hooks
            .heartbeat_seconds
            .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        {
            app.insert_resource(journal::plugin::HeartbeatInterval(every));
        }
        let config = &options.config;
        if let Some(path) = &options.config_path {
            app.add_plugins(config::plugin::ConfigWatchPlugin {
                path: path.clone(),
                running: config.clone(),
                overrides: options.overrides.clone(),
            });
        }
        app.add_plugins((fonts::plugin, hooks::plugin, journal::plugin::plugin))
            .add_plugins(SchedulePlugin {
                schedule: schedule.clone(),
                control_file: config.content_dir.join("control.yaml"),
                state_file: Some(config.data_dir.join("state/override.json")),
                control_state: Some(config.data_dir.join("state/control.json")),
                control_keys: crate::content::ControlKeys::required(&config.trust),
            })
            .add_plugins(display::DisplayPlugin {
                config: config.display.clone(),
            })
            .add_plugins(content::plugin::ContentPlugin {
                content_dir: config.content_dir.clone(),
                options: config.scan_options(),
                cache: Some(config.data_dir.join("probe-cache.json")),
                rescan: std::time::Duration::from_secs_f64(config.rescan_seconds),
                refused: Some(config.data_dir.join("state/refused.json")),
            })
            .add_plugins(PlayerPlugin {
                settings: PlayerSettings {
                    content_dir: config.content_dir.clone(),
                    image_seconds: config.image_seconds,
                    fit: config.fit,
                    volume: config.volume,
                    time_zone: schedule.timezone(),
                    playlist: config.playlist_policy(),
                    transition: config.transition(),
                    preroll_seconds: config.preroll_seconds,
                    objects_dir: Some(config.objects_dir()),
                    signed_manifest: config
                        .scan_options()
                        .trust_state
                        .filter(|_| config.trust.require_signature),
                },
                ticker: config.ticker.clone(),
                captions: config.captions.clone(),
                status_strip: config.status_strip.clone(),
                text: config.text.clone(),
            })
            .add_plugins(overlay::OverlayPlugin::new(config))
            .add_plugins(backup::plugin::BackupPlugin {
                settings: backup::plugin::BackupSettings {
                    kiosk: config.kiosk_id.clone(),
                    schedule: schedule.clone(),
                    content_dir: config.content_dir.clone(),
                    journal_dir: config.journal_dir(),
                    config_file: options.config_path.clone(),
                    backup_dir: config.backup_dir.clone(),
                    keep_months: config.backup_keep_months,
                    outbox_dir: config.outbox_dir.clone(),
                    export_to_outbox: config.backup_export == config::BackupExport::Outbox,
                },
            })
            .add_plugins(health::HealthPlugin {
                #[cfg(debug_assertions)]
                hang_after: options
                    .hooks
                    .hang_after
                    .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok()),
                ..health::HealthPlugin::from_env()
            })
            .add_plugins(health::InspectionPlugin {
                config: config.clone(),
            })
            .add_plugins(outbox::plugin::OutboxPlugin {
                settings: outbox::plugin::OutboxSettings {
                    outbox_dir: config.outbox_dir.clone(),
                    journal_dir: config.journal_dir(),
                    time_zone: schedule.timezone(),
                    screenshot_every: config.outbox.screenshot_every(),
                },
            })
            .add_plugins(report::plugin::ReportPlugin {
                settings: report::plugin::StatusSettings {
                    kiosk: config.kiosk_id.clone(),
                    outbox_dir: config.outbox_dir.clone(),
                    journal_dir: config.journal_dir(),
                    data_dir: config.data_dir.clone(),
                },
            });
    }
}

/// How a run of the player ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It stopped: the overlay's Quit, `--exit-after`, or an error.
    Exit(AppExit),
    /// The config changed: start again from it.
    Restart,
}

/// Runs the player until it exits.
pub fn run(options: RunOptions) -> Outcome {
    let restart = config::plugin::RestartRequest::default();
    let exit = App::new()
        .insert_resource(restart.clone())
        .add_plugins(AppPlugin { options })
        .run();
    match restart.reason() {
        Some(_) => Outcome::Restart,
        None => Outcome::Exit(exit),
    }
}

fn default_plugins(windowed: bool, (width, height): (u32, u32)) -> impl PluginGroup {
    let window = if windowed {
        Window {
            title: "infokiosk".into(),
            resolution: WindowResolution::new(width, height),
            resizable: true,
            ..default()
        }
    } else {
        Window {
            title: "infokiosk".into(),
            mode: WindowMode::BorderlessFullscreen(MonitorSelection::Primary),
            decorations: false,
            ..default()
        }
    };
    DefaultPlugins
        .set(WindowPlugin {
            primary_window: Some(window),
            primary_cursor_options: Some(CursorOptions {
                visible: windowed,
                ..default()
            }),
            // Nothing but the overlay's Quit closes the player: not Alt+F4,
            // not a window manager's close button.
            close_when_requested: false,
            ..default()
        })
        // A pipeline compiled in the background leaves what it draws off
        // the screen until it is ready, and the stage's shader is compiled
        // for each kind of source when one is first shown. A clip is
        // prerolled behind the picture before its turn, so its pipeline is
        // ready in time; compiled at once, nothing is ever left undrawn for
        // want of one, the frame that needs it comes late instead.
        .set(RenderPlugin {
            synchronous_pipeline_compilation: true,
            ..default()
        })
        // Added on its own, first (see `AppPlugin::build`).
        .disable::<LogPlugin>()
}

fn log_plugin() -> LogPlugin {
    LogPlugin {
        filter: "warn,infokiosk=info,wgpu=error,naga=warn".into(),
        // The overlay's health page shows the last warnings and errors.
        custom_layer: overlay::log_tail::layer,
        // Colour only on a terminal; priorities for journald.
        fmt_layer: crate::logging::fmt_layer,
        ..default()
    }
}

/// The first line the player logs: what runs, from where, and in which state.
fn startup_line(
    options: &RunOptions,
    schedule: &crate::schedule::OperatingSchedule,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let config = &options.config;
    let status = schedule.state_at(now, None);
    let config_file = options
        .config_path
        .as_ref()
        .map_or("(built-in defaults)".into(), |p| p.display().to_string());
    format!(
        "infokiosk {} ({}): config {config_file}, content {}, data {}, schedule says {} ({}), display {}",
        env!("CARGO_PKG_VERSION"),
        config.kiosk_id,
        config.content_dir.display(),
        config.data_dir.display(),
        status.state,
        status.reason,
        config.display.backend.name()
    )
}

fn open_journal(config: &KioskConfig) -> Recorder {
    let tz = config.operating_schedule().timezone();
    match Journal::open(&config.journal_dir(), &config.kiosk_id, tz) {
        Ok(journal) => Recorder::new(journal.sealing_into(&config.outbox_dir)),
        Err(e) => {
            // Playing on without a journal beats a dark screen; the error is
            // loud in the log and the self-test.
            error!("{e}; playing without a journal");
            Recorder::default()
        }
    }
}
