//! `infokiosk fleet`: every kiosk of the office on one page, from the outbox
//! folders Syncthing brings back; exits with status 2 while any alert stands.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use infokiosk::config::KioskConfig;
use infokiosk::fleet::{Fleet, look};
use infokiosk::schedule::OperatingSchedule;

/// How often `--watch` looks at the outboxes.
const POLL: Duration = Duration::from_secs(10);
/// `--watch` rewrites the page at least this often: ages and silence move on
/// even when no file changes.
const AT_LEAST_EVERY: Duration = Duration::from_secs(60);

#[derive(clap::Args)]
pub struct Args {
    /// The folder holding one outbox folder per kiosk (DIR/KIOSK_ID/).
    #[arg(long, value_name = "DIR")]
    outboxes: PathBuf,
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
    /// Judge at this instant instead of now (RFC 3339; for tests and replays).
    #[arg(long, hide = true)]
    now: Option<DateTime<Utc>>,
}

pub fn exec(args: Args) -> Result<()> {
    let schedule = match &args.config {
        Some(path) => KioskConfig::load(path)?.operating_schedule(),
        None => KioskConfig::default().operating_schedule(),
    };
    let fleet = write_once(&args, &schedule)?;
    if !args.watch {
        if !fleet.alerts.is_empty() {
            std::process::exit(2);
        }
        return Ok(());
    }
    let (mut seen, mut written) = (fingerprint(&args.outboxes), Instant::now());
    loop {
        std::thread::sleep(POLL);
        let now_seen = fingerprint(&args.outboxes);
        if now_seen != seen || written.elapsed() >= AT_LEAST_EVERY {
            write_once(&args, &schedule)?;
            (seen, written) = (now_seen, Instant::now());
        }
    }
}

fn write_once(args: &Args, schedule: &OperatingSchedule) -> Result<Fleet> {
    let now = args.now.unwrap_or_else(Utc::now);
    let fleet = look(&args.outboxes, schedule, now)
        .with_context(|| format!("reading {}", args.outboxes.display()))?;
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
