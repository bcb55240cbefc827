//! `infokiosk run` (the default): plays content fullscreen until told to
//! stop, and starts itself again, same command line, when the config changes.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use anyhow::{Context, Result};
use bevy::app::AppExit;
use chrono::{DateTime, SecondsFormat, Utc};

use infokiosk::clock::Clock;
use infokiosk::hooks::{TestHooks, TimedScreenshot};
use infokiosk::{Outcome, RunOptions};

use super::Folders;

#[derive(clap::Args, Clone)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    /// A 1280x720 window instead of fullscreen (development).
    #[arg(long)]
    windowed: bool,
    /// The window's size with --windowed, WIDTHxHEIGHT.
    #[arg(long, value_name = "WxH", default_value = "1280x720", value_parser = parse_size)]
    window_size: (u32, u32),
    /// Exit after this many seconds (tests, demonstrations).
    #[arg(long, value_name = "SECONDS")]
    exit_after: Option<f64>,
    /// Save a PNG of the window just before exiting (with --exit-after).
    #[arg(long, value_name = "PATH")]
    screenshot: Option<PathBuf>,
    /// Save a PNG of the window this many seconds after the start (may be
    /// given more than once). With --exit-after, the player exits with an
    /// error if a screenshot asked for was not written.
    #[arg(long, value_name = "SECONDS:PATH")]
    screenshot_at: Vec<TimedScreenshot>,
    /// Write one line per rendered frame to this file: what the stage shows
    /// (item and frame number, a text slide's page, the fallback slide, or
    /// black). For tests and for checking transitions by hand.
    #[arg(long, value_name = "PATH")]
    frame_log: Option<PathBuf>,
    /// Start the player's clock at this instant (RFC 3339), then run it.
    #[arg(long, value_name = "RFC3339")]
    clock: Option<DateTime<Utc>>,
    /// Run the player's clock this many times faster than real time.
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    clock_speed: f64,
    /// Write a heartbeat line this often instead of every 60 s (tests).
    #[arg(long, value_name = "SECONDS", hide = true)]
    heartbeat_seconds: Option<f64>,
    /// Debug builds only: the main loop hangs for good after this many
    /// seconds, so the systemd watchdog can be seen restarting the player.
    #[cfg(debug_assertions)]
    #[arg(long, value_name = "SECONDS")]
    debug_hang_after: Option<f64>,
}

pub fn exec(args: Args) -> Result<()> {
    let config = args.folders.load()?;
    if !(args.clock_speed > 0.0 && args.clock_speed.is_finite()) {
        anyhow::bail!("--clock-speed must be a positive number");
    }
    if args
        .heartbeat_seconds
        .is_some_and(|s| !(s > 0.0 && s.is_finite()))
    {
        anyhow::bail!("--heartbeat-seconds must be a positive number");
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data folder {}", config.data_dir.display()))?;
    let clock = match args.clock {
        Some(start) => Clock::starting_at(start, args.clock_speed),
        None if args.clock_speed != 1.0 => Clock::starting_at(Utc::now(), args.clock_speed),
        None => Clock::system(),
    };
    let test_clock = args.clock.is_some() || args.clock_speed != 1.0;
    let outcome = infokiosk::run(RunOptions {
        config,
        config_path: args.folders.path(),
        overrides: args.folders.overrides(),
        windowed: args.windowed,
        window_size: args.window_size,
        hooks: TestHooks {
            exit_after: args.exit_after,
            screenshot: args.screenshot,
            screenshots_at: args.screenshot_at,
            frame_log: args.frame_log,
            heartbeat_seconds: args.heartbeat_seconds,
            #[cfg(debug_assertions)]
            hang_after: args.debug_hang_after,
        },
        clock: clock.clone(),
    });
    match outcome {
        Outcome::Exit(AppExit::Success) => Ok(()),
        Outcome::Exit(AppExit::Error(code)) => anyhow::bail!("player exited with code {code}"),
        // A test clock goes on from where it is rather than starting over,
        // so that the journal's time never runs back across the restart.
        Outcome::Restart => restart(test_clock.then(|| clock.now())),
    }
}

/// The config changed: start again from it, same command line (`exec`, so
/// the process and its supervisor stay the same).
fn restart(test_clock: Option<DateTime<Utc>>) -> Result<()> {
    let program = std::env::current_exe().context("cannot find this program to restart it")?;
    let error = std::process::Command::new(program)
        .args(restart_args(std::env::args_os().skip(1), test_clock))
        .exec();
    anyhow::bail!("cannot restart with the new config: {error}");
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once('x')
        .ok_or("expected WIDTHxHEIGHT, e.g. 1920x1080")?;
    let size = |v: &str| v.parse::<u32>().ok().filter(|n| (100..=8192).contains(n));
    match (size(w), size(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!("{text}: expected WIDTHxHEIGHT, each 100 to 8192")),
    }
}

/// The arguments to start again with: the same, except that a test clock
/// (`--clock`, given or implied by `--clock-speed`) is set to `clock`.
fn restart_args(
    args: impl IntoIterator<Item = OsString>,
    clock: Option<DateTime<Utc>>,
) -> Vec<OsString> {
    let Some(clock) = clock else {
        return args.into_iter().collect();
    };
    let mut kept = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--clock" {
            args.next();
        } else if !arg.to_string_lossy().starts_with("--clock=") {
            kept.push(arg);
        }
    }
    kept.push("--clock".into());
    kept.push(clock.to_rfc3339_opts(SecondsFormat::Micros, true).into());
    kept
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn a_restart_goes_on_with_the_test_clock_where_it_was() {
        let at: DateTime<Utc> = "2026-11-28T01:00:12.5Z".parse().unwrap();
        let line = |text: &str| text.split(' ').map(OsString::from).collect::<Vec<_>>();
        for given in [
            "run --windowed --clock 2026-11-28T01:00:00Z --clock-speed 2",
            "--clock=2026-11-28T01:00:00Z --windowed --clock-speed 2",
            "run --windowed --clock-speed 2",
        ] {
            let args = restart_args(line(given), Some(at));
            let cli = Cli::try_parse_from(std::iter::once("infokiosk".into()).chain(args.clone()))
                .unwrap_or_else(|e| panic!("{given}: {e}"));
            let run = match cli.command {
                Some(Command::Run(run)) => run,
                _ => cli.run,
            };
            assert_eq!((run.clock, run.clock_speed), (Some(at), 2.0), "{args:?}");
            assert!(run.windowed, "{args:?}");
        }
        // On the wall clock, the very same command line.
        let given = line("run --windowed --exit-after 8");
        assert_eq!(restart_args(given.clone(), None), given);
    }
}
