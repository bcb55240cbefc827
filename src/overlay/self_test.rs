//! The self-test from the overlay: the same checks as `infokiosk check`,
//! run on a thread (they probe every clip), the report shown when done.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::OverlaySettings;
use crate::health::{CheckReport, CheckSettings, run_checks};
use crate::journal::Event;
use crate::journal::plugin::Record;

/// The self-test running now, and the last report.
#[derive(Resource, Default)]
pub struct SelfTest {
    running: Option<(String, Mutex<Receiver<CheckReport>>)>,
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
        let (send, receive) = channel();
        std::thread::Builder::new()
            .name("self-test".into())
            .spawn(move || {
                let _ = send.send(run_checks(Ok(config), &check, now));
            })
            .expect("a thread can be started");
        self.running = Some((role.to_owned(), Mutex::new(receive)));
    }
}

/// Takes the report when the checks are done, and journals its verdict.
pub(super) fn collect_self_test(mut test: ResMut<SelfTest>, mut record: Record) {
    let Some((role, receiver)) = &test.running else {
        return;
    };
    let result = receiver
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .try_recv();
    let report = match result {
        Ok(report) => report,
        Err(std::sync::mpsc::TryRecvError::Empty) => return,
        Err(std::sync::mpsc::TryRecvError::Disconnected) => {
            error!("the self-test thread ended without a report");
            test.running = None;
            return;
        }
    };
    let verdict = report.verdict().label();
    info!("self-test from the overlay: {verdict}");
    record.event(Event::AdminAction {
        action: "self_test_done".into(),
        by: role.clone(),
        reason: None,
        detail: Some(verdict.into()),
    });
    test.running = None;
    test.last = Some(report);
}
