//! The player backs up the previous month by itself: once the screen is
//! closed (outside operating hours) and the month's archive is missing, it
//! runs the backup on a thread, then retention, and writes the month's
//! report into the outbox. Every result is a journal line.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};

use bevy::prelude::*;

use super::{BackupJob, archive_name, failure_event, prune, run_backup};
use crate::clock::Clock;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::report::{Month, Period, report_from_dir, write_atomically};
use crate::schedule::OperatingSchedule;
use crate::schedule::plugin::ScreenState;

/// How often the need for a backup is looked at, and how long after a
/// failed attempt the next one waits (seconds, real time).
const CHECK_SECS: f64 = 60.0;
const RETRY_SECS: f64 = 6.0 * 3600.0;

/// Where backups and reports go, from the config.
#[derive(Resource, Clone)]
pub struct BackupSettings {
    pub kiosk: String,
    pub schedule: OperatingSchedule,
    pub content_dir: PathBuf,
    pub journal_dir: PathBuf,
    pub config_file: Option<PathBuf>,
    pub backup_dir: PathBuf,
    pub keep_months: usize,
    pub outbox_dir: PathBuf,
}

#[derive(Resource, Default)]
struct Monthly {
    next_check: f64,
    running: Option<Mutex<Receiver<Vec<Event>>>>,
}

pub struct BackupPlugin {
    pub settings: BackupSettings,
}

impl Plugin for BackupPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .init_resource::<Monthly>()
            .add_systems(Update, run_monthly_backup);
    }
}

fn run_monthly_backup(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    state: Res<State<ScreenState>>,
    settings: Res<BackupSettings>,
    mut monthly: ResMut<Monthly>,
    mut record: Record,
) {
    let now = time.elapsed_secs_f64();
    if let Some(running) = &monthly.running {
        let finished = running.lock().unwrap_or_else(|e| e.into_inner()).try_recv();
        if let Ok(events) = finished {
            for event in events {
                record.event(event);
            }
            monthly.running = None;
        }
        return;
    }
    if now < monthly.next_check || *state.get() != ScreenState::Closed {
        return;
    }
    monthly.next_check = now + CHECK_SECS;
    let Some(config_file) = settings.config_file.clone() else {
        return;
    };
    let tz = settings.schedule.timezone();
    let month = Month::previous_of(clock.now(), tz);
    if settings
        .backup_dir
        .join(archive_name(&settings.kiosk, month))
        .exists()
    {
        return;
    }
    if !month.journal_file(&settings.journal_dir).exists() {
        // Nothing was recorded that month (a new kiosk): nothing to keep.
        return;
    }
    monthly.next_check = now + RETRY_SECS;
    info!("monthly backup of {month} started");
    let job = BackupJob {
        kiosk: settings.kiosk.clone(),
        month,
        timezone: tz,
        content_dir: settings.content_dir.clone(),
        journal_dir: settings.journal_dir.clone(),
        config_file,
        backup_dir: settings.backup_dir.clone(),
        force: false,
        now: clock.now(),
    };
    let settings = settings.clone();
    let (send, receive) = channel();
    std::thread::spawn(move || {
        let _ = send.send(back_up_and_report(&job, &settings));
    });
    monthly.running = Some(Mutex::new(receive));
}

/// Runs on its own thread: backup, retention, the month's report.
fn back_up_and_report(job: &BackupJob, settings: &BackupSettings) -> Vec<Event> {
    let mut events = Vec::new();
    match run_backup(job, &mut |_, _| {}) {
        Ok(outcome) => events.push(outcome.to_event()),
        Err(e) => {
            error!("monthly backup of {} failed: {e}", job.month);
            events.push(failure_event(job.month, &e));
            return events;
        }
    }
    match prune(&settings.backup_dir, &settings.kiosk, settings.keep_months) {
        Ok(pruned) => events.extend(pruned.removed.iter().map(|archive| Event::BackupPruned {
            archive: archive.display().to_string(),
        })),
        Err(e) => warn!("backup retention: {e}"),
    }
    match report_from_dir(
        &settings.journal_dir,
        &settings.schedule,
        Period::Month(job.month),
        &settings.kiosk,
        job.now,
    ) {
        Ok(report) => {
            let path = settings
                .outbox_dir
                .join(format!("report-{}-{}.html", settings.kiosk, job.month));
            if let Err(e) = std::fs::create_dir_all(&settings.outbox_dir)
                .and_then(|()| write_atomically(&path, report.to_html().as_bytes()))
            {
                warn!("cannot write the monthly report {}: {e}", path.display());
            }
        }
        Err(e) => warn!("monthly report: {e}"),
    }
    events
}
