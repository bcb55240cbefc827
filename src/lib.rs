//! infokiosk: a kiosk player for outdoor information screens.
//!
//! `AppPlugin` composes the player from one plugin per concern; the pure
//! modules (config, content, journal) know nothing of Bevy or GStreamer.

pub mod clock;
pub mod config;
pub mod content;
pub mod display;
pub mod fonts;
pub mod hooks;
pub mod journal;
pub mod media;
pub mod bench;
pub mod captions;
pub mod player;
pub mod playlist;
pub mod schedule;

use bevy::log::LogPlugin;
use bevy::prelude::*;
use bevy::window::{CursorOptions, MonitorSelection, WindowMode, WindowResolution};

use clock::Clock;
use config::KioskConfig;
use hooks::TestHooks;
use journal::plugin::{Record, Recorder};
use journal::{Event, Journal};
use player::{PlayerPlugin, PlayerSettings};
use schedule::plugin::SchedulePlugin;

/// Everything `infokiosk run` needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config: KioskConfig,
    pub windowed: bool,
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
        app.add_plugins(default_plugins(options.windowed));
        app.insert_resource(options.clock.clone())
            .insert_resource(options.hooks.clone())
            .insert_resource(open_journal(&options.config));
        let config = &options.config;
        app.add_plugins((fonts::plugin, hooks::plugin))
            .add_plugins(SchedulePlugin {
                schedule: config.operating_schedule(),
                control_file: config.content_dir.join("control.yaml"),
                state_file: Some(config.data_dir.join("state/override.json")),
            })
            .add_plugins(display::DisplayPlugin {
                config: config.display.clone(),
            })
            .add_plugins(content::watch::WatchPlugin {
                content_dir: config.content_dir.clone(),
                options: config.scan_options(),
                cache: Some(config.data_dir.join("probe-cache.json")),
                rescan: std::time::Duration::from_secs_f64(config.rescan_seconds),
            })
            .add_plugins(PlayerPlugin {
                settings: PlayerSettings {
                    content_dir: config.content_dir.clone(),
                    image_seconds: config.image_seconds,
                    fit: config.fit,
                    volume: config.volume,
                    time_zone: config.operating_schedule().timezone(),
                    playlist: config.playlist_policy(),
                },
            })
            .add_systems(Startup, record_start);
    }
}

/// Runs the player until it exits.
pub fn run(options: RunOptions) -> AppExit {
    App::new().add_plugins(AppPlugin { options }).run()
}

fn default_plugins(windowed: bool) -> impl PluginGroup {
    let window = if windowed {
        Window {
            title: "infokiosk".into(),
            resolution: WindowResolution::new(1280, 720),
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
            // On the kiosk nothing but the overlay's Quit may close the
            // player; in a development window closing is expected.
            close_when_requested: windowed,
            ..default()
        })
        .set(LogPlugin {
            filter: "warn,infokiosk=info,wgpu=error,naga=warn".into(),
            ..default()
        })
}

fn open_journal(config: &KioskConfig) -> Recorder {
    let tz = config.operating_schedule().timezone();
    match Journal::open(&config.journal_dir(), &config.kiosk_id, tz) {
        Ok(journal) => Recorder(Some(journal)),
        Err(e) => {
            // Playing on without a journal beats a dark screen; the error is
            // loud in the log and the self-test.
            error!("{e}; playing without a journal");
            Recorder(None)
        }
    }
}

fn record_start(mut record: Record) {
    record.event(Event::AppStarted {
        version: env!("CARGO_PKG_VERSION").into(),
    });
}
