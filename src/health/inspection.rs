//! Inspections leave a record: every self-test (`infokiosk check`, the
//! overlay's, the daily one while the screen is closed) is journaled as an
//! `inspection` line with each check's verdict and who ran it.
//!
//! `check` runs in a process of its own beside the player, and the journal
//! must have one writer: two processes appending would interleave lines and
//! fork the hash chain (each line's `prev` is the hash of the line before,
//! known only to the writer). So the running player holds an exclusive lock
//! on `data_dir/state/player.lock` for its whole life, and `check`:
//! - when it can take that lock (no player runs), appends the line itself
//!   through `Journal::append`, holding the lock meanwhile (a player starting
//!   then waits for it before it writes its first line);
//! - when it cannot, writes the line's content atomically as a small JSON
//!   file into `data_dir/state/inspections/`; the player picks it up within
//!   two seconds, journals it through its own writer, and then deletes it
//!   (a file left by a player that stopped is journaled at its next start).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{CheckReport, CheckSettings, run_checks};
use crate::clock::Clock;
use crate::config::KioskConfig;
use crate::job::Job;
use crate::journal::plugin::Record;
use crate::journal::{Event, Journal};
use crate::screen_state::ScreenState;

/// Where `check` leaves inspections for the running player.
pub const WAITING_DIR: &str = "state/inspections";
/// The lock the running player holds.
pub const PLAYER_LOCK: &str = "state/player.lock";
/// A waiting file larger than this is not an inspection.
const MAX_WAITING_BYTES: u64 = 64 * 1024;
/// The daily inspection starts this long after the screen closed.
const DAILY_AFTER_CLOSING: chrono::Duration = chrono::Duration::minutes(5);

/// One inspection as its journal line says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub by: String,
    pub verdict: String,
    pub checks: BTreeMap<String, String>,
    pub ran: String,
}

impl Inspection {
    /// The record of `report`, run by `by`.
    pub fn of(report: &CheckReport, by: &str) -> Self {
        Self {
            by: by.to_owned(),
            verdict: report.verdict().label().into(),
            checks: report
                .checks
                .iter()
                .map(|c| (c.name.to_owned(), c.verdict.label().to_owned()))
                .collect(),
            ran: report.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }

    pub fn to_event(&self) -> Event {
        Event::Inspection {
            by: self.by.clone(),
            verdict: self.verdict.clone(),
            checks: self.checks.clone(),
            ran: self.ran.clone(),
        }
    }
}

/// How `check` handed its inspection to the journal.
#[derive(Debug, PartialEq, Eq)]
pub enum HandedOver {
    /// No player ran: journaled by `check` itself.
    Journaled,
    /// The player runs: left for it in this file.
    LeftForPlayer(PathBuf),
}

/// Journals `inspection` from a process beside the player (see the module
/// documentation): itself when no player holds the lock, else through a
/// file the player picks up.
pub fn hand_over(
    inspection: &Inspection,
    data_dir: &Path,
    journal: impl FnOnce() -> Option<(PathBuf, String, Tz)>,
    now: DateTime<Utc>,
) -> std::io::Result<HandedOver> {
    let lock = open_lock(data_dir)?;
    if lock.try_lock().is_ok()
        && let Some((dir, kiosk, tz)) = journal()
    {
        let mut journal = Journal::open(&dir, &kiosk, tz).map_err(std::io::Error::other)?;
        journal
            .append(now, &inspection.to_event())
            .map_err(std::io::Error::other)?;
        return Ok(HandedOver::Journaled);
    }
    let dir = data_dir.join(WAITING_DIR);
    std::fs::create_dir_all(&dir)?;
    give_to_data_owner(&dir, data_dir);
    let name = format!(
        "{}-{}.json",
        now.format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    );
    let path = dir.join(name);
    let bytes = serde_json::to_vec_pretty(inspection).map_err(std::io::Error::other)?;
    crate::durable::write_atomically(&path, &bytes)?;
    Ok(HandedOver::LeftForPlayer(path))
}

/// The lock file, opened read-only when it exists (a lock needs no write
/// access: one made by `check` as root still serves the player's user).
fn open_lock(data_dir: &Path) -> std::io::Result<File> {
    let path = data_dir.join(PLAYER_LOCK);
    match File::open(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        opened => return opened,
    }
    let state = path.parent().expect("a file in state/");
    std::fs::create_dir_all(state)?;
    give_to_data_owner(state, data_dir);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
}

/// `check` runs as root, the player as its own user: a folder `check` makes
/// under `data_dir` goes to `data_dir`'s owner, or the player could not
/// delete the inspections it journaled. Best effort.
fn give_to_data_owner(dir: &Path, data_dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    let (Ok(owner), Ok(made)) = (std::fs::metadata(data_dir), std::fs::metadata(dir)) else {
        return;
    };
    if (made.uid(), made.gid()) != (owner.uid(), owner.gid()) {
        let _ = std::os::unix::fs::chown(dir, Some(owner.uid()), Some(owner.gid()));
    }
}

/// The player's lock (see the module documentation), taken at start.
/// Waits up to 5 s for a `check` appending its line; `None` (logged) when
/// the lock cannot be had: the player plays on.
fn hold_player_lock(data_dir: &Path) -> Option<File> {
    let file = match open_lock(data_dir) {
        Ok(file) => file,
        Err(e) => {
            warn!(
                "{}: {e}; `check` cannot tell that the player runs",
                data_dir.join(PLAYER_LOCK).display()
            );
            return None;
        }
    };
    for _ in 0..50 {
        if file.try_lock().is_ok() {
            return Some(file);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    warn!(
        "{} is held by another process (a second player?); going on without it",
        data_dir.join(PLAYER_LOCK).display()
    );
    None
}

/// Deletes the files in `done` (journaled since), then reads the waiting
/// inspections. A file that is not one is named in the log and removed.
pub fn take_waiting(data_dir: &Path, done: &[PathBuf]) -> Vec<(PathBuf, Inspection)> {
    for path in done {
        if let Err(e) = std::fs::remove_file(path) {
            warn!("{}: {e}", path.display());
        }
    }
    let Ok(entries) = std::fs::read_dir(data_dir.join(WAITING_DIR)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .filter(|p| !done.contains(p))
        .collect();
    paths.sort();
    let mut found = Vec::new();
    for path in paths {
        let read = crate::guard::read_bytes_limited(&path, MAX_WAITING_BYTES)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<Inspection>(&b).map_err(|e| e.to_string()));
        match read {
            Ok(inspection) => found.push((path, inspection)),
            Err(e) => {
                warn!("{}: not an inspection ({e}); removed", path.display());
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    found
}

/// Journals the inspections of `check` beside the player, and runs the
/// daily one while the screen is closed.
pub struct InspectionPlugin {
    pub config: KioskConfig,
}

#[derive(Resource)]
struct Inspections {
    data_dir: PathBuf,
    config: KioskConfig,
    tz: Tz,
    /// Held for the player's life.
    _lock: Option<File>,
    waiting: Option<Job<Vec<(PathBuf, Inspection)>>>,
    /// Journaled, to delete at the next look.
    done: Vec<PathBuf>,
    /// Every file journaled in this run: one that cannot be deleted is
    /// never journaled twice.
    journaled: std::collections::HashSet<PathBuf>,
    daily: Option<Job<CheckReport>>,
    /// The local day the last daily inspection ran.
    daily_done: Option<NaiveDate>,
    closed_since: Option<DateTime<Utc>>,
}

impl Plugin for InspectionPlugin {
    fn build(&self, app: &mut App) {
        let config = self.config.clone();
        let data_dir = config.data_dir.clone();
        app.insert_resource(Inspections {
            _lock: hold_player_lock(&data_dir),
            tz: config.operating_schedule().timezone(),
            data_dir,
            config,
            waiting: None,
            done: Vec::new(),
            journaled: Default::default(),
            daily: None,
            daily_done: None,
            closed_since: None,
        })
        .add_systems(OnEnter(ScreenState::Closed), note_closing)
        .add_systems(
            Update,
            (
                journal_waiting_inspections,
                look_for_inspections.run_if(on_real_timer(Duration::from_secs(2))),
                run_daily_inspection.run_if(in_state(ScreenState::Closed)),
            ),
        );
    }
}

fn note_closing(mut inspections: ResMut<Inspections>, clock: Res<Clock>) {
    inspections.closed_since = Some(clock.now());
}

fn look_for_inspections(mut inspections: ResMut<Inspections>) {
    if inspections.waiting.is_some() {
        return;
    }
    let data_dir = inspections.data_dir.clone();
    let done = std::mem::take(&mut inspections.done);
    inspections.waiting = Some(Job::start_quietly("inspections", move || {
        take_waiting(&data_dir, &done)
    }));
}

fn journal_waiting_inspections(mut inspections: ResMut<Inspections>, mut record: Record) {
    let Some(job) = &mut inspections.waiting else {
        return;
    };
    let Some(result) = job.try_finish() else {
        return;
    };
    inspections.waiting = None;
    for (path, inspection) in result.unwrap_or_default() {
        if !inspections.journaled.insert(path.clone()) {
            continue;
        }
        info!(
            "inspection by {} ({}) journaled from {}",
            inspection.by,
            inspection.verdict,
            path.display()
        );
        record.event(inspection.to_event());
        inspections.done.push(path);
    }
}

/// Once a local day, a while after closing: the checks, off the render
/// thread, journaled `by: daily`. (The day done is kept in memory: a
/// restart while closed runs it once more.)
fn run_daily_inspection(
    mut inspections: ResMut<Inspections>,
    clock: Res<Clock>,
    mut record: Record,
) {
    let now = clock.now();
    if let Some(job) = &mut inspections.daily {
        let Some(result) = job.try_finish() else {
            return;
        };
        inspections.daily = None;
        match result {
            Ok(report) => {
                info!("daily inspection: {}", report.verdict().label());
                record.event(Inspection::of(&report, "daily").to_event());
            }
            Err(e) => error!("the daily inspection ended without a report: {e}"),
        }
        return;
    }
    let today = now.with_timezone(&inspections.tz).date_naive();
    if !daily_due(inspections.closed_since, inspections.daily_done, now, today) {
        return;
    }
    inspections.daily_done = Some(today);
    let config = inspections.config.clone();
    let settings = CheckSettings {
        backup_dir: config.backup_dir.clone(),
        ..CheckSettings::default()
    };
    inspections.daily = Some(Job::start_quietly("daily-inspection", move || {
        run_checks(Ok(config), &settings, now)
    }));
}

/// Whether the daily inspection is due: the screen closed at least
/// [`DAILY_AFTER_CLOSING`] ago, and none ran on `today` (local).
fn daily_due(
    closed_since: Option<DateTime<Utc>>,
    done: Option<NaiveDate>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> bool {
    closed_since.is_some_and(|since| now - since >= DAILY_AFTER_CLOSING) && done != Some(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{Check, Verdict};

    fn report() -> CheckReport {
        CheckReport {
            kiosk_id: "tb-1".into(),
            at: crate::test_support::hcm("2026-11-28 19:00"),
            timezone: "Asia/Ho_Chi_Minh".into(),
            checks: vec![
                Check::new("config", Verdict::Pass, "ok"),
                Check::new("backup", Verdict::Warn, "old"),
            ],
        }
    }

    #[test]
    fn the_event_names_each_check_its_verdict_and_who_ran_it() {
        let line = serde_json::to_value(Inspection::of(&report(), "cli").to_event()).unwrap();
        assert_eq!(line["event"], "inspection");
        assert_eq!(line["by"], "cli");
        assert_eq!(line["verdict"], "WARN");
        assert_eq!(line["checks"]["config"], "PASS");
        assert_eq!(line["checks"]["backup"], "WARN");
        assert_eq!(line["ran"], "2026-11-28T12:00:00Z");
    }

    #[test]
    fn without_a_player_check_journals_itself_and_with_one_leaves_a_file() {
        let data = tempfile::tempdir().unwrap();
        let journal_dir = data.path().join("journal");
        let tz = crate::test_support::HCM;
        let journal = || Some((journal_dir.clone(), "tb-1".to_owned(), tz));
        let inspection = Inspection::of(&report(), "cli");
        let now = report().at;
        let handed = hand_over(&inspection, data.path(), journal, now).unwrap();
        assert_eq!(handed, HandedOver::Journaled);
        let lines = crate::journal::read_file(&journal_dir.join("2026-11.jsonl"));
        assert_eq!(lines.records[0]["event"], "inspection");
        // A player holds the lock: the line waits in a file for it.
        let player = hold_player_lock(data.path()).expect("the lock is free");
        let handed = hand_over(&inspection, data.path(), journal, now).unwrap();
        let HandedOver::LeftForPlayer(path) = handed else {
            panic!("journaled beside a running player");
        };
        assert_eq!(
            crate::journal::read_file(&journal_dir.join("2026-11.jsonl"))
                .records
                .len(),
            1
        );
        let waiting = take_waiting(data.path(), &[]);
        assert_eq!(waiting, vec![(path.clone(), inspection)]);
        assert!(
            take_waiting(data.path(), &[path]).is_empty(),
            "deleted once journaled"
        );
        drop(player);
    }

    #[test]
    fn a_file_that_is_not_an_inspection_is_removed() {
        let data = tempfile::tempdir().unwrap();
        let dir = data.path().join(WAITING_DIR);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("junk.json"), b"{not json").unwrap();
        assert!(take_waiting(data.path(), &[]).is_empty());
        assert!(!dir.join("junk.json").exists());
    }

    #[test]
    fn the_daily_inspection_runs_once_a_day_a_while_after_closing() {
        use crate::test_support::hcm;
        let closed = Some(hcm("2026-11-28 18:00"));
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert!(
            !daily_due(None, None, hcm("2026-11-28 19:00"), day(28)),
            "never closed"
        );
        assert!(
            !daily_due(closed, None, hcm("2026-11-28 18:04"), day(28)),
            "just closed"
        );
        assert!(daily_due(closed, None, hcm("2026-11-28 18:05"), day(28)));
        assert!(
            !daily_due(closed, Some(day(28)), hcm("2026-11-28 23:00"), day(28)),
            "done today"
        );
        assert!(
            daily_due(closed, Some(day(28)), hcm("2026-11-29 00:10"), day(29)),
            "the next day"
        );
    }
}
