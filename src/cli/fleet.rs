//! `infokiosk fleet`: every kiosk of the office on one page, from the outbox
//! folders Syncthing brings back; exits with status 2 while any alert stands.
//! `infokiosk fleet report`: the annual or interim report for the province
//! from the journal copies in the same folders.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::ValueEnum;

use infokiosk::config::KioskConfig;
use infokiosk::fleet::report::report_fleet;
use infokiosk::fleet::{Fleet, look, read_release};
use infokiosk::report::Period;
use infokiosk::schedule::OperatingSchedule;

/// How often `--watch` looks at the outboxes.
const POLL: Duration = Duration::from_secs(10);
/// `--watch` rewrites the page at least this often: ages and silence move on
/// even when no file changes.
const AT_LEAST_EVERY: Duration = Duration::from_secs(60);

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<FleetCommand>,
    /// The folder holding one outbox folder per kiosk (DIR/KIOSK_ID/).
    #[arg(long, value_name = "DIR", required = true)]
    outboxes: Option<PathBuf>,
    /// The configuration whose schedule the kiosks keep [default: the
    /// built-in legal hours, 07:00-11:00 and 14:00-18:00 Asia/Ho_Chi_Minh].
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print JSON ({"kiosks": [...], "alerts": [...]}) instead of text.
    #[arg(long)]
    json: bool,
    /// Write the page (self-contained HTML) here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Keep going: look at the outboxes every 10 s and write again when one
    /// changed (and at least every minute).
    #[arg(long)]
    watch: bool,
    /// The office's content folder: each kiosk's content version against
    /// its newest release (playlist.yaml, counted only if its signature
    /// verifies with --config's trust.public_keys).
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// Judge at this instant instead of now (RFC 3339; for tests and replays).
    #[arg(long, hide = true)]
    now: Option<DateTime<Utc>>,
}

#[derive(clap::Subcommand)]
enum FleetCommand {
    /// The annual or interim report for the province, every kiosk and the
    /// total, from the journal copies: legal hours required and shown,
    /// incidents, overrides, content updates, languages, security events,
    /// inspections, backups; and whether each journal is whole and verifies.
    Report(ReportArgs),
}

#[derive(clap::Args)]
struct ReportArgs {
    /// The folder holding one outbox folder per kiosk (DIR/KIOSK_ID/).
    #[arg(long, value_name = "DIR")]
    outboxes: PathBuf,
    /// The configuration whose schedule the kiosks keep [default: the
    /// built-in legal hours].
    #[arg(long)]
    config: Option<PathBuf>,
    /// A year (the annual report).
    #[arg(long, value_name = "YYYY", required_unless_present = "from",
        value_parser = clap::value_parser!(i32).range(YEARS))]
    year: Option<i32>,
    /// The first local date (the half-year review), with --to.
    #[arg(
        long,
        value_name = "YYYY-MM-DD",
        requires = "to",
        conflicts_with = "year"
    )]
    from: Option<NaiveDate>,
    /// The last local date, included.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Report as known at this instant instead of now (RFC 3339; for tests).
    #[arg(long, hide = true)]
    now: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Html,
    Csv,
    Json,
}

/// The years a report may cover: far enough from chrono's limits that a
/// period's last instant and the month after it always exist.
const YEARS: std::ops::RangeInclusive<i64> = 2000..=9999;

/// The schedule the kiosks keep: `--config`'s, else the built-in legal hours.
fn schedule(config: Option<&Path>) -> Result<OperatingSchedule> {
    Ok(match config {
        Some(path) => KioskConfig::load(path)?.operating_schedule(),
        None => KioskConfig::default().operating_schedule(),
    })
}

pub fn exec(args: Args) -> Result<()> {
    if let Some(FleetCommand::Report(report)) = args.command {
        return exec_report(report);
    }
    let schedule = schedule(args.config.as_deref())?;
    let fleet = write_once(&args, &schedule)?;
    if !args.watch {
        if !fleet.alerts.is_empty() {
            std::process::exit(2);
        }
        return Ok(());
    }
    let outboxes = args.outboxes.as_deref().context("--outboxes DIR")?;
    let (mut seen, mut written) = (fingerprint(outboxes), Instant::now());
    loop {
        std::thread::sleep(POLL);
        let now_seen = fingerprint(outboxes);
        if now_seen != seen || written.elapsed() >= AT_LEAST_EVERY {
            write_once(&args, &schedule)?;
            (seen, written) = (now_seen, Instant::now());
        }
    }
}

fn write_once(args: &Args, schedule: &OperatingSchedule) -> Result<Fleet> {
    let now = args.now.unwrap_or_else(Utc::now);
    let outboxes = args.outboxes.as_deref().context("--outboxes DIR")?;
    let mut fleet =
        look(outboxes, schedule, now).with_context(|| format!("reading {}", outboxes.display()))?;
    if let Some(content) = &args.content {
        // Read again each time: `--watch` sees a new release.
        let trust = match &args.config {
            Some(path) => KioskConfig::load(path)?.trust,
            None => Default::default(),
        };
        fleet.compare_content(read_release(content, &trust), schedule);
    }
    if let Some(path) = &args.html {
        let refresh = args.watch.then_some(POLL.as_secs() as u32);
        let page = fleet.to_html(schedule, refresh);
        infokiosk::durable::write_atomically(path, page.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    match (args.json, args.watch && args.html.is_some()) {
        (true, _) => print!("{}", fleet.to_json()),
        (false, true) => eprintln!(
            "{}: {} kiosk(s), {} alert(s)",
            now.format("%H:%M:%S"),
            fleet.kiosks.len(),
            fleet.alerts.len()
        ),
        (false, false) => print!("{}", fleet.to_text(schedule)),
    }
    Ok(fleet)
}

/// Names, sizes and modification times of every file two levels down
/// (DIR/KIOSK/FILE and DIR/KIOSK/journal/FILE), without following links.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut seen = Vec::new();
    let walk = |dir: &Path, seen: &mut Vec<_>| -> Vec<PathBuf> {
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                folders.push(entry.path());
            }
            seen.push((entry.path(), meta.len(), meta.modified().ok()));
        }
        folders
    };
    for kiosk in walk(dir, &mut seen) {
        for sub in walk(&kiosk, &mut seen) {
            walk(&sub, &mut seen);
        }
    }
    seen.sort();
    seen
}

fn exec_report(args: ReportArgs) -> Result<()> {
    let schedule = schedule(args.config.as_deref())?;
    let period = match (args.year, args.from, args.to) {
        (Some(year), None, None) => Period::Year(year),
        (None, Some(from), Some(to)) => {
            for date in [from, to] {
                if !YEARS.contains(&i64::from(date.year())) {
                    anyhow::bail!("{date}: not a date this report covers (years {YEARS:?})");
                }
            }
            Period::dates(from, to)
                .map_err(|_| anyhow::anyhow!("--from {from} is after --to {to}"))?
        }
        _ => anyhow::bail!("give --year YYYY, or --from YYYY-MM-DD --to YYYY-MM-DD"),
    };
    let now = args.now.unwrap_or_else(Utc::now);
    let report = report_fleet(&args.outboxes, &schedule, period, now)
        .with_context(|| format!("reading {}", args.outboxes.display()))?;
    let text = match args.format {
        Format::Html => report.to_html(),
        Format::Csv => report.to_csv(),
        Format::Json => report.to_json(),
    };
    match &args.out {
        Some(path) => infokiosk::durable::write_atomically(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => print!("{text}"),
    }
    // The journals the figures cannot rest on, said where a cron job logs it.
    for kiosk in report.kiosks.iter().filter(|k| !k.problems.is_empty()) {
        let verdict = kiosk.verdict().english();
        eprintln!(
            "{}: {verdict}: {}",
            kiosk.kiosk_id,
            kiosk.problems.join("; ")
        );
    }
    Ok(())
}
