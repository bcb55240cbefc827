//! Catalog speed: scanning 1,000 and 10,000 files, how often the live worker
//! scans a folder where nothing changes, and the time from a file renamed
//! into place to the item being in the catalog.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::content::plugin::CatalogWorker;
use crate::content::{MediaInfo, Probe, ScanOptions, Scanner};

use super::median_and_worst;

/// A 1x1 PNG: scanning reads only the header.
pub(crate) const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The bench needs no real videos: every file is a picture.
struct NoVideos;

impl Probe for NoVideos {
    fn probe_video(&mut self, _: &Path) -> Result<MediaInfo, String> {
        Err("no videos in this bench".into())
    }
}

/// Writes `count` files (in folders of 100) with old modification times.
fn populate(dir: &Path, count: usize) -> std::io::Result<()> {
    for i in 0..count {
        let folder = dir.join(format!("campaign-{:03}", i / 100));
        std::fs::create_dir_all(&folder)?;
        let lang = ["vi", "en", "km"][i % 3];
        std::fs::write(folder.join(format!("item-{i:05}.{lang}.png")), TINY_PNG)?;
    }
    Ok(())
}

fn time_scans(dir: &Path, count: usize, cache: &Path) -> String {
    // Judge the files as of an hour from now: settled, none pending.
    let later = SystemTime::now() + Duration::from_secs(3600);
    let mut scanner = Scanner::new(
        dir.to_owned(),
        ScanOptions::default(),
        Some(cache.to_owned()),
    );
    let started = Instant::now();
    let first = scanner.scan(&mut NoVideos, later);
    let cold = started.elapsed();
    let mut warm = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let again = scanner.scan(&mut NoVideos, later);
        warm.push(started.elapsed());
        assert_eq!(again.items.len(), first.items.len());
    }
    let (median, worst) = median_and_worst(warm);
    format!(
        "scan {count:>6} files: first {:>7.1} ms, cached median {:>7.1} ms, worst {:>7.1} ms ({} playable)",
        cold.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        first.items.len()
    )
}

/// Scans the live worker makes of an idle 10,000-file folder during `span`
/// (the periodic rescan every 60 s alone, when its own reads are not taken
/// for changes), and the CPU time of its thread.
fn count_idle_scans(span: Duration) -> std::io::Result<String> {
    let dir = tempfile::tempdir()?;
    let content = dir.path().join("content");
    populate(&content, 10_000)?;
    let old = SystemTime::now() - Duration::from_secs(3600);
    settle(&content, old)?;
    let worker = CatalogWorker::spawn(
        content,
        ScanOptions::default(),
        None,
        Duration::from_secs(60),
    );
    let first = worker.updates.recv_timeout(Duration::from_secs(120));
    if first.is_err() {
        return Ok("idle folder: no first scan within 120 s".into());
    }
    let cpu_before = catalog_cpu();
    let until = Instant::now() + span;
    let mut scans = 0;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if worker.updates.recv_timeout(left).is_ok() {
            scans += 1;
        }
    }
    let cpu = match (cpu_before, catalog_cpu()) {
        (Some(before), Some(after)) => format!("{:.2} s", (after - before).as_secs_f64()),
        _ => "unknown".into(),
    };
    Ok(format!(
        "idle folder of 10,000 files, {} s: {scans} scans after the first, catalog thread CPU {cpu}",
        span.as_secs()
    ))
}

/// Gives every file under `dir` the modification time `at`.
fn settle(dir: &Path, at: SystemTime) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            settle(&path, at)?;
        } else {
            std::fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(at)?;
        }
    }
    Ok(())
}

/// CPU time (user and system) of this process's thread named `catalog`.
fn catalog_cpu() -> Option<Duration> {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let ticks = u64::try_from(ticks).ok().filter(|t| *t > 0)?;
    std::fs::read_dir("/proc/self/task").ok()?.find_map(|task| {
        let stat = std::fs::read_to_string(task.ok()?.path().join("stat")).ok()?;
        let (name, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
        if name != "catalog" {
            return None;
        }
        // After the name: state is field 3, utime 14 and stime 15.
        let fields: Vec<&str> = rest.split(' ').collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some(Duration::from_millis((utime + stime) * 1000 / ticks))
    })
}

/// Rename-into-place latency through the live watcher (inotify + scan).
fn time_renames(rounds: usize) -> std::io::Result<String> {
    let dir = tempfile::tempdir()?;
    let content = dir.path().join("content");
    populate(&content, 300)?;
    let worker = CatalogWorker::spawn(
        content.clone(),
        ScanOptions::default(),
        None,
        Duration::from_secs(60),
    );
    let wait_for = |name: &str| -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(update) = worker.updates.recv_timeout(Duration::from_millis(50))
                && let Some(catalog) = update.catalog
                && catalog.items.iter().any(|i| i.rel.to_str() == Some(name))
            {
                return Some(started.elapsed());
            }
        }
        None
    };
    // The first scan.
    while worker
        .updates
        .recv_timeout(Duration::from_secs(5))
        .is_ok_and(|u| u.catalog.is_none())
    {}
    let mut samples = Vec::new();
    let mut missed = 0;
    for round in 0..rounds {
        let name = format!("arrived-{round:02}.png");
        let temp = content.join(format!(".syncthing.{name}.tmp"));
        std::fs::write(&temp, TINY_PNG)?;
        // Syncthing keeps the sender's modification time: an old one.
        let old = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&temp)?
            .set_modified(old)?;
        let started = Instant::now();
        std::fs::rename(&temp, content.join(&name))?;
        match wait_for(&name) {
            Some(_) => samples.push(started.elapsed()),
            None => missed += 1,
        }
    }
    let (median, worst) = median_and_worst(samples);
    Ok(format!(
        "rename into place -> in catalog, {rounds} rounds: median {:.0} ms, worst {:.0} ms{}",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        if missed > 0 {
            format!(", {missed} not seen within 10 s")
        } else {
            String::new()
        }
    ))
}

/// Runs the catalog benchmark and returns its report; `idle` is how long
/// the idle folder is watched (60 s for the figure in the README).
pub fn bench_catalog(idle: Duration) -> std::io::Result<String> {
    let mut report = Vec::new();
    for count in [1_000, 10_000] {
        let dir = tempfile::tempdir()?;
        populate(dir.path(), count)?;
        report.push(time_scans(
            dir.path(),
            count,
            &dir.path().join(".cache.json"),
        ));
    }
    // Before the renames: the only catalog thread whose CPU is counted.
    report.push(count_idle_scans(idle)?);
    report.push(time_renames(20)?);
    Ok(report.join("\n"))
}
