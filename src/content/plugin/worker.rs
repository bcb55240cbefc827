//! The catalog worker: a thread that scans the content folder whenever
//! inotify (through notify's debouncer) says something changed, when a
//! pending file should have settled, and every `rescan` interval as the
//! safety net (inotify is a hint, not the truth), and sends each scan back.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, RecommendedCache, new_debouncer_opt};

use crate::content::refused::RefusalMemory;
use crate::content::{Catalog, CatalogDiff, ScanOptions, Scanner};
use crate::media::DiscovererProbe;

/// Debounce window for file events: a burst of writes is one scan.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// While a file is still being written, look again this often.
const PENDING_RECHECK: Duration = Duration::from_millis(250);
/// While the folder is missing, look for it this often.
const MISSING_RECHECK: Duration = Duration::from_secs(2);

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
        Self::spawn_remembering(content_dir, options, cache, rescan, None)
    }

    /// [`spawn`](Self::spawn), comparing the first catalog's refusals with
    /// those the last run remembered in `refused` (see [`RefusalMemory`]).
    pub fn spawn_remembering(
        content_dir: PathBuf,
        options: ScanOptions,
        cache: Option<PathBuf>,
        rescan: Duration,
        refused: Option<PathBuf>,
    ) -> Self {
        let (trigger, triggers) = channel();
        let (send, updates) = channel();
        let own_trigger = trigger.clone();
        std::thread::Builder::new()
            .name("catalog".into())
            .spawn(move || {
                let scanner = Scanner::new(content_dir, options, cache);
                let refused = RefusalMemory::load(refused);
                worker_loop(scanner, refused, own_trigger, triggers, send, rescan);
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
    mut refused: RefusalMemory,
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
        let mut diff = last.diff(&catalog);
        if first {
            // The last run journaled these already.
            refused.drop_known(&mut diff.newly_rejected);
        }
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
        if changed {
            refused.remember(&catalog.rejected);
        }
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
        if changed {
            // Swapped in at once, even while the screen is still.
            crate::wake::wake();
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
        let on_events = move |result: DebounceEventResult| {
            let changed = match &result {
                Ok(events) => events.iter().any(|e| is_change(&e.kind)),
                // Events may have been lost (a full queue): look.
                Err(errors) => {
                    tracing::debug!("file events: {errors:?}");
                    true
                }
            };
            if changed {
                let _ = trigger.send(());
            }
        };
        // A symlink in the folder must not make the watch follow it out of
        // the folder (into /, or round a loop).
        let config = notify::Config::default().with_follow_symlinks(false);
        let made = new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
            DEBOUNCE,
            None,
            on_events,
            RecommendedCache::new(),
            config,
        );
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
                    tracing::warn!(
                        "cannot watch {} for changes ({e}); the periodic rescan keeps the loop up to date",
                        self.dir.display()
                    );
                }
            }
        }
        true
    }
}

/// Whether a file event means something in the folder changed. notify 8
/// always asks inotify for opens too, and a scan opens every file: were an
/// open a trigger, each scan would start the next one, forever.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_)
        | EventKind::Any
        | EventKind::Other => true,
    }
}

fn inode(dir: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir)
        .ok()
        .filter(|m| m.is_dir())
        .map(|m| m.ino())
}

#[cfg(test)]
mod tests;
