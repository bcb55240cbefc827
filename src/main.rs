//! The `infokiosk` command line: `run` (the default) plays; the other
//! subcommands inspect and maintain a kiosk from a shell.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

mod kiosk_cli;
mod records_cli;

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use clap::{Args, Parser, Subcommand};

use infokiosk::RunOptions;
use infokiosk::clock::Clock;
use infokiosk::config::KioskConfig;
use infokiosk::config::plugin::FolderOverrides;
use infokiosk::hooks::TestHooks;

const DEFAULT_CONFIG: &str = "/etc/infokiosk/infokiosk.yaml";

#[derive(Parser)]
#[command(
    name = "infokiosk",
    version,
    about = "Kiosk player for outdoor information screens"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Play content fullscreen (the default).
    Run(RunArgs),
    /// Say whether the screens are open at an instant, why, and what comes next.
    Schedule(ScheduleArgs),
    /// List what the content folder will play, in order, and every file it
    /// will not play, with the reason.
    Catalog(CatalogArgs),
    /// Self-test of this kiosk (config, content, clips, pictures, disk,
    /// journal, clock, schedule, display command, last backup): PASS, WARN or
    /// FAIL for each, with the reason; exits with status 1 on any FAIL.
    Check(kiosk_cli::CheckArgs),
    /// Archive a month (content shown, journal, config) and verify it.
    Backup(records_cli::BackupArgs),
    /// Monthly or annual report from the journal (HTML, CSV or JSON).
    Report(records_cli::ReportArgs),
    /// Set the admin overlay's PIN for a role: asks for it twice (or reads
    /// one line from stdin) and writes only its argon2 hash into the config.
    Pin(infokiosk::overlay::pin_cli::PinArgs),
    /// Signed manifests: `build` writes sizes and SHA-256 into playlist.yaml;
    /// `verify` checks the signature and every file.
    Manifest {
        #[command(subcommand)]
        what: kiosk_cli::ManifestWhat,
    },
    /// Speed figures (they report; they never fail).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Args)]
struct CatalogArgs {
    #[command(flatten)]
    folders: Folders,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Folder scans of 1,000 and 10,000 files; rename-into-place latency.
    Catalog,
    /// CPU per frame of the video path beside GStreamer decoding alone, the
    /// switch gap between clips (cold and prerolled), memory over switches.
    Video {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Clip switches for the memory figure.
        #[arg(long, default_value_t = 1000)]
        switches: usize,
    },
}

#[derive(Args)]
struct ScheduleArgs {
    #[command(flatten)]
    folders: Folders,
    /// The instant to ask about (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<DateTime<Utc>>,
    /// Print the plan for this many days from that instant instead.
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// Where the configuration and the two folders are.
#[derive(Args, Clone)]
pub struct Folders {
    /// The configuration file (YAML) [default: /etc/infokiosk/infokiosk.yaml,
    /// or the built-in defaults when that file does not exist].
    #[arg(long)]
    config: Option<PathBuf>,
    /// Use this content folder instead of the config's `content_dir`.
    #[arg(long)]
    content: Option<PathBuf>,
    /// Use this data folder instead of the config's `data_dir`.
    #[arg(long)]
    data: Option<PathBuf>,
}

impl Folders {
    /// The config file in use, if there is one.
    fn path(&self) -> Option<PathBuf> {
        self.config.clone().or_else(|| {
            Path::new(DEFAULT_CONFIG)
                .exists()
                .then(|| DEFAULT_CONFIG.into())
        })
    }

    fn load(&self) -> Result<KioskConfig> {
        let config = match &self.config {
            Some(path) => KioskConfig::load(path)?,
            None if Path::new(DEFAULT_CONFIG).exists() => {
                KioskConfig::load(Path::new(DEFAULT_CONFIG))?
            }
            None => {
                eprintln!("note: {DEFAULT_CONFIG} does not exist; using the built-in defaults");
                KioskConfig::default()
            }
        };
        Ok(self.overrides().apply(config))
    }

    fn overrides(&self) -> FolderOverrides {
        FolderOverrides {
            content: self.content.clone(),
            data: self.data.clone(),
        }
    }
}

#[derive(Args, Clone)]
struct RunArgs {
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
    screenshot_at: Vec<infokiosk::hooks::TimedScreenshot>,
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

/// Video frames are megabytes each, made on GStreamer's streaming threads
/// and freed on the render thread. With glibc's default of one heap per
/// thread, freed frames pile up in heaps that never shrink (861 MiB after a
/// few clips in `bench video`). Two heaps keep it near 220 MiB, flat over
/// hundreds of clip switches, for the same CPU per frame. (A fixed mmap
/// threshold kept it at 107 MiB but cost 30 % more CPU in page faults.)
fn keep_large_buffers_off_the_heap() {
    // SAFETY: mallopt only sets an allocator parameter; called before any
    // thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
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

fn main() -> Result<()> {
    keep_large_buffers_off_the_heap();
    let cli = Cli::parse();
    match cli.command {
        None => run(cli.run),
        Some(Command::Run(args)) => run(args),
        Some(Command::Schedule(args)) => schedule(args),
        Some(Command::Catalog(args)) => catalog(args),
        Some(Command::Check(args)) => kiosk_cli::check(args),
        Some(Command::Backup(args)) => records_cli::backup(args),
        Some(Command::Manifest { what }) => kiosk_cli::manifest(what),
        Some(Command::Report(args)) => records_cli::report(args),
        Some(Command::Pin(args)) => Ok(infokiosk::overlay::pin_cli::run(&args)?),
        Some(Command::Bench {
            what: BenchWhat::Video { files, switches },
        }) => {
            let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            println!(
                "{}",
                infokiosk::bench::bench_video(&files, switches).map_err(anyhow::Error::msg)?
            );
            Ok(())
        }
        Some(Command::Bench {
            what: BenchWhat::Catalog,
        }) => {
            println!("{}", infokiosk::bench::bench_catalog()?);
            Ok(())
        }
    }
}

fn catalog(args: CatalogArgs) -> Result<()> {
    use infokiosk::content::Scanner;
    let config = args.folders.load()?;
    // The probe cache is shared with the player when the data folder is writable.
    let cache = std::fs::create_dir_all(&config.data_dir)
        .ok()
        .map(|()| config.data_dir.join("probe-cache.json"));
    // Never the player's verified store: this scan must not clean it.
    let options = infokiosk::content::ScanOptions {
        verified_store: None,
        ..config.scan_options()
    };
    let mut scanner = Scanner::new(config.content_dir.clone(), options, cache);
    let mut probe = infokiosk::media::DiscovererProbe::new();
    let catalog = scanner.scan(&mut probe, std::time::SystemTime::now());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&catalog.to_json())?);
    } else {
        print!("{}", infokiosk::content::describe_catalog(&catalog));
    }
    Ok(())
}

fn schedule(args: ScheduleArgs) -> Result<()> {
    use infokiosk::schedule::{describe, describe_json, plan_json, render_plan};
    let config = args.folders.load()?;
    let schedule = config.operating_schedule();
    let at = args.at.unwrap_or_else(Utc::now);
    // The override in force on this kiosk, as the player keeps it.
    let active = std::fs::read_to_string(config.data_dir.join("state/override.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let text = match (args.days, args.json) {
        (Some(days), true) => serde_json::to_string_pretty(&plan_json(&schedule, at, days))?,
        (Some(days), false) => render_plan(&schedule, at, days),
        (None, true) => {
            serde_json::to_string_pretty(&describe_json(&schedule, at, active.as_ref()))?
        }
        (None, false) => describe(&schedule, at, active.as_ref()),
    };
    println!("{}", text.trim_end());
    Ok(())
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

fn run(args: RunArgs) -> Result<()> {
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
    let exit = infokiosk::run(RunOptions {
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
    if infokiosk::config::plugin::RESTART_REQUESTED.load(std::sync::atomic::Ordering::SeqCst) {
        // The config changed: start again from it, same command line. A test
        // clock goes on from where it is rather than starting over, so that
        // the journal's time never runs back across the restart.
        use std::os::unix::process::CommandExt;
        let test_clock = (args.clock.is_some() || args.clock_speed != 1.0).then(|| clock.now());
        let program = std::env::current_exe().context("cannot find this program to restart it")?;
        let error = std::process::Command::new(program)
            .args(restart_args(std::env::args_os().skip(1), test_clock))
            .exec();
        anyhow::bail!("cannot restart with the new config: {error}");
    }
    match exit {
        bevy::app::AppExit::Success => Ok(()),
        bevy::app::AppExit::Error(code) => anyhow::bail!("player exited with code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
