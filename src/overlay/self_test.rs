//! The self-test from the overlay: the same checks as `infokiosk check`,
//! run on a thread (they probe every clip), the report shown when done.
//! Like `check`, it is an inspection: it does not touch the player's own
//! verified copies or trust state while they are in use.

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::OverlaySettings;
use crate::health::{CheckReport, CheckSettings, Inspection, run_checks};
use crate::job::Job;
use crate::journal::plugin::Record;

/// The self-test running now, and the last report.
#[derive(Resource, Default)]
pub struct SelfTest {
    /// Who asked (`Name (role)`), and the checks.
    running: Option<(String, Job<CheckReport>)>,
    pub last: Option<CheckReport>,
}

impl SelfTest {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the checks for `role` unless they are running already.
    pub(super) fn start(&mut self, settings: &OverlaySettings, role: &str, now: DateTime<Utc>) {
        if self.is_running() {
            return;
        }
        let config = settings.kiosk.clone();
        let check = CheckSettings {
            backup_dir: config.backup_dir.clone(),
            ..CheckSettings::default()
        };
        let job = Job::start("self-test", move || run_checks(Ok(config), &check, now));
        self.running = Some((role.to_owned(), job));
    }
}

/// Takes the report when the checks are done, and journals it as an
/// `inspection` by the person and role that unlocked the overlay.
pub(super) fn collect_self_test(mut test: ResMut<SelfTest>, mut record: Record) {
    let Some((_, job)) = &mut test.running else {
        return;
    };
    let Some(result) = job.try_finish() else {
        return;
    };
    let (role, _) = test.running.take().expect("checked above");
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            error!("the self-test ended without a report: {e}");
            return;
        }
    };
    let verdict = report.verdict().label();
    info!("self-test from the overlay by {role}: {verdict}");
    record.event(Inspection::of(&report, &role).to_event());
    test.last = Some(report);
}
