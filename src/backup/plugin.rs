//! The player backs up the previous month by itself: once the screen is
//! closed (outside operating hours) and the month's archive is missing, it
//! runs the backup on a thread, then retention, and writes the month's
//! report into the outbox. Every result is a journal line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;

use super::{
    BackupJob, ObjectStore, archive_name, export_to_outbox, failure_event, prune, prune_objects,
    run_backup,
};
use crate::clock::Clock;
use crate::durable::write_atomically;
use crate::job::Job;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::report::{Month, Period, report_from_dir};
use crate::schedule::OperatingSchedule;
use crate::screen_state::ScreenState;

/// How often, while closed, the need for a backup is looked at (real time).
const CHECK_EVERY: Duration = Duration::from_secs(60);
/// How long after an attempt the next one may start (real time): a month
/// whose backup failed is tried again after this long.
const RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

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
    /// Copy each verified archive and its `.sha256` into `outbox_dir`.
    pub export_to_outbox: bool,
}

#[derive(Resource, Default)]
struct Monthly {
    /// The backup running now: its journal events once finished.
    running: Option<Job<Vec<Event>>>,
    /// When the last attempt started (real time since the player started).
    attempted_at: Option<Duration>,
}

pub struct BackupPlugin {
    pub settings: BackupSettings,
}

impl Plugin for BackupPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .init_resource::<Monthly>()
            // At closing, then every minute while closed.
            .add_systems(OnEnter(ScreenState::Closed), start_monthly_backup)
            .add_systems(
                Update,
                (
                    start_monthly_backup.run_if(
                        in_state(ScreenState::Closed).and_eager(on_real_timer(CHECK_EVERY)),
                    ),
                    finish_monthly_backup,
                ),
            );
    }
}

/// Journals the running backup's outcome once it is finished.
fn finish_monthly_backup(mut monthly: ResMut<Monthly>, mut record: Record) {
    let Some(finished) = monthly.running.as_mut().and_then(Job::try_finish) else {
        return;
    };
    monthly.running = None;
    match finished {
        Ok(events) => {
            for event in events {
                record.event(event);
            }
        }
        Err(e) => error!("monthly backup: {e}"),
    }
}

/// Starts the previous month's backup when its archive is missing.
fn start_monthly_backup(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<BackupSettings>,
    mut monthly: ResMut<Monthly>,
) {
    let now = time.elapsed();
    let resting = monthly
        .attempted_at
        .is_some_and(|at| now < at + RETRY_AFTER);
    if monthly.running.is_some() || resting {
        return;
    }
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
    monthly.attempted_at = Some(now);
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
    monthly.running = Some(Job::start_quietly("backup", move || {
        back_up_and_report(&job, &settings)
    }));
}

/// Runs on its own thread: backup, export, retention, the month's report.
fn back_up_and_report(job: &BackupJob, settings: &BackupSettings) -> Vec<Event> {
    let outcome = match run_backup(job, &mut |_, _| {}) {
        Ok(outcome) => outcome,
        Err(e) => {
            error!("monthly backup of {} failed: {e}", job.month);
            return vec![failure_event(job.month, &e)];
        }
    };
    let mut events = vec![outcome.to_event()];
    if settings.export_to_outbox {
        events.push(export(
            job,
            &outcome.summary().archive,
            &settings.outbox_dir,
        ));
    }
    match prune(&settings.backup_dir, &settings.kiosk, settings.keep_months) {
        Ok(pruned) => events.extend(pruned.removed.iter().map(|archive| Event::BackupPruned {
            archive: archive.display().to_string(),
        })),
        Err(e) => warn!("backup retention: {e}"),
    }
    events.extend(prune_store(job));
    write_monthly_report(job, settings);
    events
}

/// Copies the month's archive into the outbox: where it went, or why not.
fn export(job: &BackupJob, archive: &Path, outbox: &Path) -> Event {
    let month = job.month.to_string();
    match export_to_outbox(archive, outbox) {
        Ok(copy) => {
            info!("backup exported to {}", copy.display());
            let path = copy.display().to_string();
            Event::BackupExported { month, path }
        }
        Err(e) => {
            error!(
                "cannot copy the backup {} into the outbox {}: {e}",
                archive.display(),
                outbox.display()
            );
            Event::BackupExportFailed {
                month,
                path: outbox.display().to_string(),
                error: e.to_string(),
            }
        }
    }
}

/// Removes the objects every month showing them has an archive of.
fn prune_store(job: &BackupJob) -> Option<Event> {
    // Only here, while the screen is closed: nothing is being shown, so no
    // object is between its hashing and its `play_started` line.
    let store = ObjectStore::new(job.objects_dir());
    match prune_objects(&store, &job.journal_dir, &job.backup_dir, &job.kiosk) {
        Ok(pruned) if !pruned.removed.is_empty() => {
            info!(
                "shown-content store: {} objects removed (every month showing them is archived and verified), {} still needed",
                pruned.removed.len(),
                pruned.needed
            );
            Some(Event::ObjectsPruned {
                count: pruned.removed.len() as u64,
                bytes: pruned.bytes,
            })
        }
        Ok(_) => None,
        Err(e) => {
            warn!("shown-content store not pruned: {e}");
            None
        }
    }
}

/// The month's report, as HTML, into the outbox.
fn write_monthly_report(job: &BackupJob, settings: &BackupSettings) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::tests::Fixture;
    use crate::schedule::ScheduleConfig;

    fn settings(fx: &Fixture, job: &BackupJob, outbox: PathBuf) -> BackupSettings {
        BackupSettings {
            kiosk: job.kiosk.clone(),
            schedule: OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap(),
            content_dir: fx.content_dir(),
            journal_dir: fx.journal_dir(),
            config_file: Some(job.config_file.clone()),
            backup_dir: fx.backup_dir(),
            keep_months: 12,
            outbox_dir: outbox,
            export_to_outbox: true,
        }
    }

    #[test]
    fn the_export_and_the_objects_pruned_are_journaled() {
        let fx = Fixture::new();
        let job = fx.job("2026-11", false);
        let store = ObjectStore::new(job.objects_dir());
        let sha256 = store.put_bytes("Tin thứ nhất\n".as_bytes()).unwrap();
        let line = Event::ContentInForce {
            kind: "ticker".into(),
            file: "ticker.vi.txt".into(),
            sha256: sha256.clone(),
        };
        fx.journal_at("2026-11-02 07:00", &line);
        let root = tempfile::tempdir().unwrap();
        let outbox = root.path().join("outbox");

        let events = back_up_and_report(&job, &settings(&fx, &job, outbox.clone()));
        assert!(
            matches!(events[0], Event::BackupWritten { .. }),
            "{events:?}"
        );
        let copy = outbox.join("infokiosk-tb-1-2026-11.tar.zst");
        assert!(copy.is_file());
        assert!(events.contains(&Event::BackupExported {
            month: "2026-11".into(),
            path: copy.display().to_string(),
        }));
        assert!(events.contains(&Event::ObjectsPruned {
            count: 1,
            bytes: "Tin thứ nhất\n".len() as u64,
        }));
        assert!(!store.path_of(&sha256).unwrap().is_file());

        // An outbox that cannot be written: said, and nothing pruned twice.
        let blocked = root.path().join("not-a-folder");
        std::fs::write(&blocked, "").unwrap();
        let events = back_up_and_report(&job, &settings(&fx, &job, blocked.clone()));
        let failed = events
            .iter()
            .find_map(|e| match e {
                Event::BackupExportFailed { month, path, error } => Some((month, path, error)),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{events:?}"));
        assert_eq!(failed.0, "2026-11");
        assert_eq!(*failed.1, blocked.display().to_string());
        assert!(
            !events.iter().any(|e| matches!(
                e,
                Event::ObjectsPruned { .. } | Event::BackupExported { .. }
            )),
            "{events:?}"
        );
    }
}
