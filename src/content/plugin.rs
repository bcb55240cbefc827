//! `ContentPlugin`, the content folder followed live: a worker thread scans it
//! whenever inotify (through notify's debouncer) says something changed, when
//! a pending file should have settled, and every `rescan` interval as the
//! safety net (inotify is a hint, not the truth). Each scan that changes the
//! catalog is sent to the player as a [`ContentChanged`] message.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant, SystemTime};

use bevy::platform::cell::SyncCell;
use bevy::prelude::*;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::{Catalog, CatalogDiff, ScanOptions, Scanner};
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::media::DiscovererProbe;

/// Debounce window for file events: a burst of writes is one scan.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// While a file is still being written, look again this often.
const PENDING_RECHECK: Duration = Duration::from_millis(250);
/// While the folder is missing, look for it this often.
const MISSING_RECHECK: Duration = Duration::from_secs(2);

/// A new catalog and what changed since the previous one.
#[derive(Message, Debug, Clone)]
pub struct ContentChanged {
    pub catalog: Catalog,
    pub diff: CatalogDiff,
}

/// Ask the worker to scan now (the overlay's "reload content").
#[derive(Message, Debug, Clone, Copy)]
pub struct RescanNow;

/// What the watcher knows, for the overlay and status file.
#[derive(Resource, Debug, Default, Clone)]
pub struct ContentStatus {
    pub last_change: Option<SystemTime>,
    pub last_scan: Option<SystemTime>,
    pub watching: bool,
}

/// One scan's result from the worker.
#[derive(Debug)]
pub struct CatalogUpdate {
    /// `None` when the scan found nothing new.
    pub catalog: Option<Catalog>,
    pub diff: CatalogDiff,
    pub scanned_at: SystemTime,
    pub watching: bool,
}

/// The scanning thread, its triggers and its results.
///
/// A long-lived worker, not a `crate::job::Job`: a job runs once and yields
/// one result, while this thread keeps the scanner's caches and the inotify
/// watch for the life of the player, takes triggers (file events, "rescan
/// now") and sends a result per scan.
pub struct CatalogWorker {
    trigger: Sender<()>,
    pub updates: Receiver<CatalogUpdate>,
}

impl CatalogWorker {
    /// Starts the worker; the first scan runs at once.
    pub fn spawn(
        content_dir: PathBuf,
        options: ScanOptions,
        cache: Option<PathBuf>,
        rescan: Duration,
    ) -> Self {
        let (trigger, triggers) = channel();
        let (send, updates) = channel();
        let own_trigger = trigger.clone();
        std::thread::Builder::new()
            .name("catalog".into())
            .spawn(move || {
                let scanner = Scanner::new(content_dir, options, cache);
                worker_loop(scanner, own_trigger, triggers, send, rescan);
            })
            .expect("a thread can be started");
        Self { trigger, updates }
    }

    /// Asks for a scan now.
    pub fn rescan(&self) {
        let _ = self.trigger.send(());
    }
}

fn worker_loop(
    mut scanner: Scanner,
    trigger: Sender<()>,
    triggers: Receiver<()>,
    updates: Sender<CatalogUpdate>,
    rescan: Duration,
) {
    let mut probe = DiscovererProbe::new();
    let mut watch = FolderWatch::new(scanner.content_dir().to_owned(), trigger);
    let mut last = Catalog::default();
    let mut first = true;
    let mut wait = Duration::ZERO;
    loop {
        match triggers.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        while triggers.try_recv().is_ok() {}
        let exists = watch.ensure();
        let started = Instant::now();
        let catalog = scanner.scan(&mut probe, SystemTime::now());
        let diff = last.diff(&catalog);
        wait = if !exists {
            MISSING_RECHECK
        } else if !catalog.pending.is_empty() {
            PENDING_RECHECK
        } else {
            rescan
        };
        tracing::debug!(
            "content scan: {} items in {:?}",
            catalog.items.len(),
            started.elapsed()
        );
        // Unchanged scans are still reported (the time of the last rescan is
        // shown to technicians), but without a catalog to swap in.
        let changed = first || catalog != last;
        first = false;
        let update = CatalogUpdate {
            catalog: changed.then(|| catalog.clone()),
            diff,
            scanned_at: SystemTime::now(),
            watching: watch.is_watching(),
        };
        last = catalog;
        if updates.send(update).is_err() {
            return;
        }
    }
}

/// The inotify watch on the folder; re-established when the folder is
/// deleted and created again.
struct FolderWatch {
    dir: PathBuf,
    trigger: Sender<()>,
    debouncer: Option<
        notify_debouncer_full::Debouncer<
            notify::RecommendedWatcher,
            notify_debouncer_full::RecommendedCache,
        >,
    >,
    watched_inode: Option<u64>,
    limit_reported: bool,
}

impl FolderWatch {
    fn new(dir: PathBuf, trigger: Sender<()>) -> Self {
        Self {
            dir,
            trigger,
            debouncer: None,
            watched_inode: None,
            limit_reported: false,
        }
    }

    fn is_watching(&self) -> bool {
        self.debouncer.is_some()
    }

    /// Watches the folder if it exists (again, if it was replaced).
    /// Returns whether the folder exists.
    fn ensure(&mut self) -> bool {
        let Some(inode) = inode(&self.dir) else {
            self.debouncer = None;
            self.watched_inode = None;
            return false;
        };
        if self.watched_inode == Some(inode) && self.debouncer.is_some() {
            return true;
        }
        let trigger = self.trigger.clone();
        let made = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            if let Err(errors) = &result {
                tracing::debug!("file events: {errors:?}");
            }
            let _ = trigger.send(());
        });
        let watched =
            made.and_then(|mut d| d.watch(&self.dir, RecursiveMode::Recursive).map(|()| d));
        match watched {
            Ok(d) => {
                self.debouncer = Some(d);
                self.watched_inode = Some(inode);
            }
            Err(e) => {
                self.debouncer = None;
                if !self.limit_reported {
                    self.limit_reported = true;
                    warn!(
                        "cannot watch {} for changes ({e}); the periodic rescan keeps the loop up to date",
                        self.dir.display()
                    );
                }
            }
        }
        true
    }
}

fn inode(dir: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| m.ino())
}

/// The worker as a Bevy resource (its receiver is not `Sync`: a `SyncCell`
/// hands it to one system at a time).
#[derive(Resource)]
struct Feed(SyncCell<CatalogWorker>);

/// Scans the content folder on the worker thread and turns each new catalog
/// into a [`ContentChanged`] message and journal lines.
pub struct ContentPlugin {
    pub content_dir: PathBuf,
    pub options: ScanOptions,
    pub cache: Option<PathBuf>,
    pub rescan: Duration,
}

impl Plugin for ContentPlugin {
    fn build(&self, app: &mut App) {
        let worker = CatalogWorker::spawn(
            self.content_dir.clone(),
            self.options.clone(),
            self.cache.clone(),
            self.rescan,
        );
        app.add_message::<ContentChanged>()
            .add_message::<RescanNow>()
            .insert_resource(Feed(SyncCell::new(worker)))
            .init_resource::<ContentStatus>()
            .add_systems(PreUpdate, (request_rescan, receive_catalog).chain());
    }
}

fn request_rescan(mut requests: MessageReader<RescanNow>, mut feed: ResMut<Feed>) {
    if requests.read().count() > 0 {
        feed.0.get().rescan();
    }
}

fn receive_catalog(
    mut feed: ResMut<Feed>,
    mut status: ResMut<ContentStatus>,
    mut changes: MessageWriter<ContentChanged>,
    mut record: Record,
) {
    let worker = feed.0.get();
    for update in worker.updates.try_iter() {
        status.last_scan = Some(update.scanned_at);
        status.watching = update.watching;
        let Some(catalog) = update.catalog else {
            continue;
        };
        status.last_change = Some(update.scanned_at);
        journal_diff(&update.diff, &mut record);
        if let Some(error) = &catalog.manifest_error {
            warn!("{error}");
        }
        changes.write(ContentChanged {
            catalog,
            diff: update.diff,
        });
    }
}

fn journal_diff(diff: &CatalogDiff, record: &mut Record) {
    let name = |p: &PathBuf| p.display().to_string();
    for added in &diff.added {
        info!("content added: {}", added.display());
        record.event(Event::ContentAdded { item: name(added) });
    }
    for removed in &diff.removed {
        info!("content removed: {}", removed.display());
        record.event(Event::ContentRemoved {
            item: name(removed),
        });
    }
    for detail in &diff.new_integrity {
        error!("integrity: {detail}");
        record.event(Event::Integrity {
            detail: detail.clone(),
        });
    }
    for rejected in diff.newly_rejected.iter().filter(|r| !r.is_temporary()) {
        warn!(
            "not playing {}: {}",
            rejected.rel.display(),
            rejected.reason
        );
        record.event(Event::ItemFailed {
            item: name(&rejected.rel),
            kind: super::Kind::of_path(&rejected.rel)
                .map_or("other", |k| k.name())
                .into(),
            reason: rejected.reason.clone(),
            stage: "catalog".into(),
        });
    }
}
