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
use bevy::render::renderer::RenderDevice;
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, RecommendedCache, new_debouncer_opt};

use super::refused::RefusalMemory;
use super::{Catalog, CatalogDiff, Rejected, ScanOptions, Scanner};
use crate::clock::Clock;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::media::DiscovererProbe;
use crate::report::ContentInForce;

/// Debounce window for file events: a burst of writes is one scan.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// While a file is still being written, look again this often.
const PENDING_RECHECK: Duration = Duration::from_millis(250);
/// While the folder is missing, look for it this often.
const MISSING_RECHECK: Duration = Duration::from_secs(2);
/// Up to this many files refused at once get an `item_failed` line each;
/// more make one `content_refused` summary line.
const REFUSALS_LINE_EACH: usize = 10;
/// Names listed in a `content_refused` line, and reasons counted apart.
const REFUSALS_NAMED: usize = 5;
const REFUSAL_REASONS: usize = 10;

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

/// The content release in force, for `status.json`: changed only when the
/// manifest version in use changes (or at the first catalog).
#[derive(Resource, Debug, Default, Clone)]
pub struct ReleaseInForce {
    /// `trust.require_signature`: without it no version is a signed one.
    signed: bool,
    pub now: Option<ContentInForce>,
}

impl ReleaseInForce {
    /// What is in force once `catalog` is, at `now`, if that differs from
    /// what was: `since` moves only when the version does.
    fn after(
        &self,
        catalog: &Catalog,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<ContentInForce> {
        let version = catalog.manifest_version.filter(|_| self.signed);
        let same = self.now.is_some_and(|known| known.version == version);
        (!same).then_some(ContentInForce {
            version,
            since: now,
        })
    }
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
    /// Where the refusals journaled are remembered across restarts.
    pub refused: Option<PathBuf>,
}

impl Plugin for ContentPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<ContentChanged>()
            .add_message::<RescanNow>()
            .init_resource::<ContentStatus>()
            .insert_resource(ReleaseInForce {
                signed: self.options.trust.require_signature,
                now: None,
            })
            .add_systems(PreUpdate, (request_rescan, receive_catalog).chain());
    }

    /// The worker starts once the render device is known (the render plugin
    /// finishes first), so that the first scan already refuses clips larger
    /// than the GPU's largest texture.
    fn finish(&self, app: &mut App) {
        let mut options = self.options.clone();
        if let Some(device) = app.world().get_resource::<RenderDevice>() {
            options.max_texture_side = Some(device.limits().max_texture_dimension_2d);
        }
        let worker = CatalogWorker::spawn_remembering(
            self.content_dir.clone(),
            options,
            self.cache.clone(),
            self.rescan,
            self.refused.clone(),
        );
        app.insert_resource(Feed(SyncCell::new(worker)));
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
    mut release: ResMut<ReleaseInForce>,
    clock: Res<Clock>,
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
        // Only a new version is a change: status.json is written again for it.
        if let Some(new) = release.after(&catalog, clock.now()) {
            release.now = Some(new);
        }
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
    let refused: Vec<&Rejected> = diff
        .newly_rejected
        .iter()
        .filter(|r| !r.is_temporary())
        .collect();
    if refused.len() > REFUSALS_LINE_EACH {
        let summary = refusal_summary(&refused);
        warn!("not playing {} files: {summary:?}", refused.len());
        record.event(summary);
        return;
    }
    for rejected in refused {
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

/// One `content_refused` line for many refused files: how many, how many
/// for each reason (the most common few, the rest together), the first
/// names. Bounded whatever the folder holds.
fn refusal_summary(refused: &[&Rejected]) -> Event {
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for rejected in refused {
        *counts.entry(rejected.reason.as_str()).or_default() += 1;
    }
    let mut counts: Vec<(&str, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut by_reason: std::collections::BTreeMap<String, u64> = counts
        .iter()
        .take(REFUSAL_REASONS)
        .map(|(reason, n)| ((*reason).to_owned(), *n))
        .collect();
    let others: u64 = counts.iter().skip(REFUSAL_REASONS).map(|(_, n)| n).sum();
    if others > 0 {
        by_reason.insert("other reasons".into(), others);
    }
    Event::ContentRefused {
        count: refused.len() as u64,
        by_reason,
        first: refused
            .iter()
            .take(REFUSALS_NAMED)
            .map(|r| r.rel.display().to_string())
            .collect(),
    }
}

#[cfg(test)]
mod worker_tests;

#[cfg(test)]
mod refusal_tests {
    use super::*;
    use crate::clock::Clock;
    use crate::journal::plugin::Recorder;
    use crate::journal::{Journal, month_files, read_file};
    use bevy::ecs::system::RunSystemOnce;
    use chrono::TimeZone;

    fn junk(n: usize) -> Vec<Rejected> {
        (0..n)
            .map(|i| Rejected {
                rel: PathBuf::from(format!("{i}.docx")),
                reason: "not a picture, video or text slide".into(),
            })
            .collect()
    }

    /// The journal lines `journal_diff` writes for `newly_rejected`.
    fn journaled(newly_rejected: Vec<Rejected>) -> Vec<serde_json::Value> {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::new();
        app.insert_resource(Clock::starting_at(
            chrono::Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap(),
            0.0,
        ))
        .insert_resource(Recorder::synchronous(
            Journal::open(dir.path(), "test", chrono_tz::Asia::Ho_Chi_Minh).unwrap(),
        ));
        let diff = CatalogDiff {
            newly_rejected,
            ..default()
        };
        app.world_mut()
            .run_system_once(move |mut record: Record| journal_diff(&diff, &mut record))
            .unwrap();
        month_files(dir.path())
            .iter()
            .flat_map(|f| read_file(f).records)
            .collect()
    }

    #[test]
    fn thousands_of_refused_files_make_one_summary_line() {
        let lines = journaled(junk(20_000));
        assert_eq!(lines.len(), 1, "{lines:?}");
        let summary = &lines[0];
        assert_eq!(summary["event"], "content_refused");
        assert_eq!(summary["count"], 20_000);
        assert_eq!(
            summary["by_reason"]["not a picture, video or text slide"],
            20_000
        );
        assert_eq!(summary["first"].as_array().unwrap().len(), REFUSALS_NAMED);
    }

    #[test]
    fn a_few_refused_files_get_a_line_each() {
        let lines = journaled(junk(1));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["event"], "item_failed");
        assert_eq!(lines[0]["item"], "0.docx");
        assert_eq!(lines[0]["stage"], "catalog");
    }

    #[test]
    fn a_summary_counts_few_reasons_apart_whatever_the_reasons() {
        let mut many = junk(1000);
        for (i, r) in many.iter_mut().enumerate() {
            r.reason = format!("reason {i}");
        }
        let lines = journaled(many);
        let by_reason = lines[0]["by_reason"].as_object().unwrap();
        assert_eq!(by_reason.len(), REFUSAL_REASONS + 1);
        assert_eq!(by_reason["other reasons"], 1000 - REFUSAL_REASONS as u64);
    }
}

#[cfg(test)]
mod release_tests {
    use super::*;
    use crate::test_support::hcm;

    fn catalog(version: Option<u64>) -> Catalog {
        Catalog {
            manifest_version: version,
            ..Catalog::default()
        }
    }

    #[test]
    fn a_release_comes_into_force_when_its_version_changes_and_only_signed() {
        let mut release = ReleaseInForce {
            signed: true,
            now: None,
        };
        let first = release.after(&catalog(Some(3)), hcm("2026-12-01 09:00"));
        assert_eq!(
            first,
            Some(ContentInForce {
                version: Some(3),
                since: hcm("2026-12-01 09:00")
            })
        );
        release.now = first;
        // Another scan, other files, the same release: no change, no rewrite.
        assert_eq!(
            release.after(&catalog(Some(3)), hcm("2026-12-01 10:00")),
            None
        );
        let next = release.after(&catalog(Some(4)), hcm("2026-12-01 11:00"));
        assert_eq!(next.map(|n| n.since), Some(hcm("2026-12-01 11:00")));

        // Without trust.require_signature a version is only a number in a file.
        let unsigned = ReleaseInForce {
            signed: false,
            now: None,
        };
        let first = unsigned.after(&catalog(Some(3)), hcm("2026-12-01 09:00"));
        assert_eq!(first.map(|f| f.version), Some(None));
    }
}
