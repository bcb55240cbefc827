//! The playback state: what is on screen, what is being prepared, what
//! failed. Every change to it is a method here that returns the journal
//! events it causes, so the rules can be tested without a window; the
//! systems (`advance.rs`, `prepare.rs`, and `ending.rs`, `controls.rs`
//! beside this folder) do the stage's and the slides' part and write the
//! events.

mod advance;
mod prepare;
#[cfg(test)]
mod tests;

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bevy::prelude::*;

use super::PlayerSettings;
use super::stage::LayerId;
use crate::backup::objects::{ObjectError, ObjectStore, ShownObjects};
use crate::content::{Catalog, Item};
use crate::job::Job;
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};
use crate::media::VideoPipeline;
use crate::playlist::{Playlist, Why};

pub use advance::{advance_playback, apply_content_changes};

/// A clip that has not shown its first frame after this long is given up.
const PREPARE_TIMEOUT_SECS: f64 = 10.0;
/// How often the fallback slide asks the playlist again (items with a
/// `from` time may have come due).
const IDLE_RETRY_SECS: f64 = 2.0;
/// How many shown items are remembered for "previous".
const HISTORY_LENGTH: usize = 10;
/// How long after its preparation began a staged item waits for its bytes to
/// be hashed and stored before it is shown without a `sha256` (a first showing
/// of a large clip copied across file systems; normally the hash is ready
/// long before the item's turn).
const ARCHIVE_WAIT_SECS: f64 = 15.0;

/// What is on screen.
enum Showing {
    /// Nothing yet, or the current item ended and the next is not ready:
    /// the last picture stays on screen.
    Holding,
    /// The "no content" slide.
    Fallback,
    Picture {
        item: Item,
        since: f64,
        until: f64,
    },
    Video {
        item: Item,
        since: f64,
        pipeline: VideoPipeline,
        layer: LayerId,
        /// Frames put on screen so far.
        frames: u64,
    },
    Text {
        item: Item,
        since: f64,
        slide: Entity,
        page: usize,
        page_until: f64,
    },
}

/// The next item on its way to the screen.
enum Prep {
    /// A picture being decoded.
    Picture(Job<Result<Image, String>>),
    /// A decoded picture, uploaded, with its size in pixels.
    PictureReady(Handle<Image>, Vec2),
    /// A clip, prerolled (paused on its first frame) or getting there.
    Video(VideoPipeline),
    /// A text slide, spawned hidden, being fitted to the screen.
    Text(Entity),
}

struct Preparing {
    item: Item,
    since: f64,
    prep: Prep,
    /// Set once the item is ready to be shown.
    staged: Option<Staged>,
    /// The SHA-256 of its bytes, stored in the shown-content store.
    fingerprint: Fingerprint,
}

/// The SHA-256 its `play_started` line carries: the bytes are hashed and put
/// in the shown-content store on their own thread while the item prepares;
/// the item is shown once that is done (or after [`ARCHIVE_WAIT_SECS`]).
enum Fingerprint {
    Hashing(Job<Result<String, ObjectError>>),
    /// `None`: no store, or the store could not take the file (logged).
    Known(Option<String>),
}

/// Where a ready item waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Staged {
    /// Its first picture is on this (hidden) stage layer.
    OnLayer(LayerId),
    /// A text slide, fitted, hidden.
    Slide,
}

/// The playback state: the catalog, what is shown, what is being prepared.
#[derive(Resource)]
pub struct Playback {
    catalog: Catalog,
    playlist: Playlist,
    showing: Showing,
    preparing: Option<Preparing>,
    /// A text slide that ended: it stays on screen until the next item
    /// shows, then it is despawned (no black, no stale picture between).
    lingering: Option<Entity>,
    /// Slides to despawn.
    retired: Vec<Entity>,
    /// Files that failed to play, by path, size and modification time: not
    /// tried again until they change (a new copy arrives).
    failed: HashSet<(PathBuf, u64, SystemTime)>,
    retry_due: f64,
    /// Set while paused from the overlay: when the pause began.
    paused_at: Option<f64>,
    /// The items shown most recently, newest last (for "previous").
    history: VecDeque<Item>,
    /// An item asked for explicitly ("previous"), shown before the playlist's next.
    queued: Option<Item>,
    /// Clip volume now (the config's, or the overlay's).
    volume: f64,
    /// The playlist had nothing to play when last asked.
    nothing_to_play: bool,
    /// The shown-content store, shared with the threads that fill it.
    objects: Option<Arc<Mutex<ShownObjects>>>,
    /// No catalog has arrived yet: hold (black at start) rather than show
    /// the fallback slide for a folder not yet read.
    waiting_for_catalog: bool,
}

/// What the rest of the app reads.
impl Playback {
    pub fn new(settings: &PlayerSettings) -> Self {
        let catalog = Catalog::default();
        Self {
            playlist: Playlist::new(&catalog, settings.playlist.clone()),
            catalog,
            showing: Showing::Holding,
            preparing: None,
            failed: HashSet::new(),
            lingering: None,
            retired: Vec::new(),
            retry_due: 0.0,
            paused_at: None,
            history: VecDeque::new(),
            queued: None,
            volume: settings.volume,
            nothing_to_play: false,
            waiting_for_catalog: true,
            objects: settings
                .objects_dir
                .as_ref()
                .map(|dir| Arc::new(Mutex::new(ShownObjects::new(ObjectStore::new(dir))))),
        }
    }

    /// The catalog the loop plays from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The playlist (for the overlay's "next items").
    pub fn playlist(&self) -> &Playlist {
        &self.playlist
    }

    /// Whether the "no content" slide is up.
    pub fn is_fallback(&self) -> bool {
        matches!(self.showing, Showing::Fallback)
    }

    /// The item on screen, if any.
    pub fn current_item(&self) -> Option<&Item> {
        match &self.showing {
            Showing::Picture { item, .. }
            | Showing::Video { item, .. }
            | Showing::Text { item, .. } => Some(item),
            Showing::Holding | Showing::Fallback => None,
        }
    }

    /// Whether playback is paused (from the overlay).
    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    pub fn volume(&self) -> f64 {
        self.volume
    }

    /// An item is being readied and not yet staged: its preparation is
    /// polled every frame (a text slide is laid out over frames).
    pub fn is_readying(&self) -> bool {
        !self.is_paused() && self.preparing.as_ref().is_some_and(|p| p.staged.is_none())
    }

    /// The next real time (`Time<Real>`'s seconds) after `now` at which
    /// playback has something to do by the clock: a picture's or a page's
    /// end, the next item's preparation `lead` seconds before it, the
    /// fallback slide asking again. A clip moves on with its frames instead.
    pub fn next_due(&self, now: f64, lead: f64) -> Option<f64> {
        if self.is_paused() {
            return None;
        }
        let ends = match &self.showing {
            Showing::Picture { until, .. } => [until - lead, *until],
            Showing::Text { page_until, .. } => [page_until - lead, *page_until],
            Showing::Fallback => [self.retry_due; 2],
            Showing::Holding | Showing::Video { .. } => return None,
        };
        ends.into_iter().filter(|t| *t > now).reduce(f64::min)
    }

    /// How far into the item on screen, and its length where known.
    pub fn position(&self, now: f64) -> Option<(Duration, Option<Duration>)> {
        let now = self.paused_at.unwrap_or(now);
        match &self.showing {
            Showing::Picture { since, until, .. } => Some((
                Duration::from_secs_f64((now - since).max(0.0)),
                Some(Duration::from_secs_f64((until - since).max(0.0))),
            )),
            Showing::Video { pipeline, .. } => Some((pipeline.position()?, pipeline.duration())),
            Showing::Text { since, .. } => {
                Some((Duration::from_secs_f64((now - since).max(0.0)), None))
            }
            Showing::Holding | Showing::Fallback => None,
        }
    }
}

/// The moves from item to item, each returning what it journals.
impl Playback {
    /// A new catalog from the folder watcher: the place in the loop and the
    /// item on screen are kept.
    fn apply_catalog(&mut self, catalog: &Catalog) {
        self.playlist.update(catalog);
        self.catalog = catalog.clone();
        self.waiting_for_catalog = false;
        self.nothing_to_play = false;
    }

    /// Slides that left the screen, to despawn.
    pub(super) fn take_retired(&mut self) -> Vec<Entity> {
        std::mem::take(&mut self.retired)
    }

    /// When a new urgent item is due, it cuts in at once: the item on
    /// screen ends `skipped` and the one being prepared is dropped.
    fn preempt_for_urgent(
        &mut self,
        now: f64,
        now_local: chrono::NaiveDateTime,
    ) -> Option<Preemption> {
        if !self.playlist.has_new_urgent(now_local) {
            return None;
        }
        let interrupted = self.current_item().map(item_name);
        let ended = self.end_showing(now, Ending::Skipped, None);
        self.drop_preparing();
        Some(Preemption { interrupted, ended })
    }

    /// Whether to start preparing the next item: nothing is being prepared
    /// and the item on screen is within `lead` seconds of its end.
    /// `on_last_page` tells whether a text slide shows its last page.
    fn wants_next(
        &self,
        now: f64,
        lead: f64,
        on_last_page: impl FnOnce(Entity, usize) -> bool,
    ) -> bool {
        if self.preparing.is_some() {
            return false;
        }
        match &self.showing {
            Showing::Holding => !self.waiting_for_catalog,
            Showing::Fallback => now >= self.retry_due,
            Showing::Picture { until, .. } => now >= until - lead,
            Showing::Text {
                slide,
                page,
                page_until,
                ..
            } => on_last_page(*slide, *page) && now >= page_until - lead,
            // A clip of unknown length gets its successor at its end.
            Showing::Video { pipeline, .. } => match (pipeline.position(), pipeline.duration()) {
                (Some(position), Some(duration)) => {
                    position.as_secs_f64() >= duration.as_secs_f64() - lead
                }
                _ => false,
            },
        }
    }

    /// The next item to open, one that has not failed before; with it, a
    /// `preempted` line when it is a new urgent item (`interrupted` names
    /// what it cut short). `None` when nothing plays now: asked again after
    /// [`IDLE_RETRY_SECS`].
    fn next_item(
        &mut self,
        now: f64,
        now_local: chrono::NaiveDateTime,
        interrupted: Option<String>,
    ) -> Option<(Item, Option<Event>)> {
        let Some((item, why)) = self.take_next(now_local) else {
            self.nothing_to_play = true;
            self.retry_due = now + IDLE_RETRY_SECS;
            return None;
        };
        self.nothing_to_play = false;
        let preempted = (why == Why::Urgent).then(|| {
            info!("urgent: {}", item.path.display());
            Event::Preempted {
                item: item_name(&item),
                interrupted,
            }
        });
        Some((item, preempted))
    }

    /// The next item to show that has not failed before.
    fn take_next(&mut self, now_local: chrono::NaiveDateTime) -> Option<(Item, Why)> {
        if let Some(item) = self.queued.take() {
            return Some((item, Why::Regular));
        }
        // Bounded: every failed item could come round once before a good one.
        for _ in 0..=self.catalog.items.len() {
            let entry = self.playlist.next(now_local)?;
            if !self.failed.contains(&failure_key(&entry.item)) {
                return Some((entry.item, entry.reason));
            }
        }
        None
    }

    /// `item` is being opened; its bytes start being hashed and stored.
    fn start_preparing(&mut self, item: Item, now: f64, prep: Prep) {
        let fingerprint = match &self.objects {
            Some(objects) => {
                let (objects, path) = (objects.clone(), item.path.clone());
                Fingerprint::Hashing(Job::start("archive", move || {
                    let mut objects = objects.lock().unwrap_or_else(PoisonError::into_inner);
                    objects.archive(&path)
                }))
            }
            None => Fingerprint::Known(None),
        };
        self.preparing = Some(Preparing {
            item,
            since: now,
            prep,
            staged: None,
            fingerprint,
        });
    }

    /// Takes the item's SHA-256 once its thread has it; gives up waiting
    /// after [`ARCHIVE_WAIT_SECS`] (the thread still stores the bytes, for
    /// the item's next showing).
    fn poll_fingerprint(&mut self, now: f64) {
        let Some(preparing) = &mut self.preparing else {
            return;
        };
        let Fingerprint::Hashing(job) = &mut preparing.fingerprint else {
            return;
        };
        let path = preparing.item.path.display();
        let known = match job.try_finish() {
            Some(Ok(Ok(sha256))) => Some(sha256),
            Some(Ok(Err(e))) => {
                warn!("{path}: not kept in the shown-content store: {e}");
                None
            }
            Some(Err(e)) => {
                warn!("{path}: not kept in the shown-content store: {e}");
                None
            }
            None if now - preparing.since > ARCHIVE_WAIT_SECS => {
                warn!("{path}: not hashed after {ARCHIVE_WAIT_SECS} s: shown without its sha256");
                None
            }
            None => return,
        };
        preparing.fingerprint = Fingerprint::Known(known);
    }

    /// An item that cannot be shown: not tried again until its file changes
    /// (path, size and modification time). Returns its `item_failed`.
    fn fail(&mut self, item: &Item, reason: String) -> Event {
        warn!("skipping {}: {reason}", item.path.display());
        self.failed.insert(failure_key(item));
        Event::ItemFailed {
            item: item_name(item),
            kind: item.kind.name().into(),
            reason,
            stage: "play".into(),
        }
    }

    /// The item being prepared cannot be shown: dropped (its slide retired)
    /// and remembered as failed.
    fn fail_preparing(&mut self, reason: String) -> Option<Event> {
        let failed = self.preparing.take()?;
        let event = self.fail(&failed.item, reason);
        if let Prep::Text(slide) = failed.prep {
            self.retired.push(slide);
        }
        Some(event)
    }

    /// The GPU refused a texture of the item named `item`: whether it is
    /// being prepared or on screen, it is dropped or ended as an error, and
    /// not tried again until its file changes. Returns what that journals.
    pub(super) fn fail_rendering(&mut self, item: &str, reason: String, now: f64) -> Vec<Event> {
        let preparing = self.preparing.as_ref().map(|p| item_name(&p.item));
        if preparing.as_deref() == Some(item) {
            return self.fail_preparing(reason).into_iter().collect();
        }
        let Some(showing) = self
            .current_item()
            .filter(|i| item_name(i) == item)
            .cloned()
        else {
            return Vec::new();
        };
        let failed = self.fail(&showing, reason.clone());
        let ended = self.end_showing(now, Ending::Error, Some(reason));
        [Some(failed), ended].into_iter().flatten().collect()
    }

    /// The prepared item, once it is staged (ready to show at once) and its
    /// SHA-256 is known.
    fn take_staged(&mut self) -> Option<Preparing> {
        self.preparing
            .take_if(|p| p.staged.is_some() && matches!(p.fingerprint, Fingerprint::Known(_)))
    }

    /// Nothing is being prepared and the playlist had nothing to play: the
    /// fallback slide goes up. `true` when it just did (the stage is then
    /// to be hidden).
    fn show_fallback_if_idle(&mut self) -> bool {
        if self.preparing.is_some() || !self.nothing_to_play || self.is_fallback() {
            return false;
        }
        self.showing = Showing::Fallback;
        self.retired.extend(self.lingering.take());
        true
    }

    /// The staged item goes on screen (its layer already brought to the
    /// front, its slide made visible) for `seconds` (a text slide: per
    /// page). Returns its `play_started`.
    fn present(&mut self, preparing: Preparing, now: f64, seconds: f64) -> Event {
        let Preparing {
            item,
            prep,
            staged,
            fingerprint,
            ..
        } = preparing;
        info!("showing {}", item.path.display());
        self.history.push_back(item.clone());
        if self.history.len() > HISTORY_LENGTH {
            self.history.pop_front();
        }
        self.retired.extend(self.lingering.take());
        let started = Event::PlayStarted {
            item: item_name(&item),
            kind: item.kind.name().into(),
            language: item.language.code().into(),
            sha256: match fingerprint {
                Fingerprint::Known(sha256) => sha256,
                Fingerprint::Hashing(_) => None,
            },
        };
        self.showing = match (prep, staged) {
            (Prep::Video(pipeline), Some(Staged::OnLayer(layer))) => {
                pipeline.set_volume(self.volume);
                pipeline.play();
                Showing::Video {
                    item,
                    since: now,
                    pipeline,
                    layer,
                    frames: 1,
                }
            }
            (Prep::Text(slide), _) => Showing::Text {
                item,
                since: now,
                slide,
                page: 0,
                page_until: now + seconds,
            },
            _ => Showing::Picture {
                until: now + seconds,
                item,
                since: now,
            },
        };
        started
    }

    /// The item on screen ends as `ended` (with `reason` for an error):
    /// returns its `play_ended`, `None` when nothing was playing. The
    /// screen is free for the next item; the last picture (or text slide)
    /// stays until that shows.
    fn end_showing(&mut self, now: f64, ended: Ending, reason: Option<String>) -> Option<Event> {
        let (item, since, frames, pages) =
            match std::mem::replace(&mut self.showing, Showing::Holding) {
                Showing::Picture { item, since, .. } => (item, since, None, None),
                Showing::Video {
                    item,
                    since,
                    frames,
                    ..
                } => (item, since, Some(frames), None),
                Showing::Text {
                    item,
                    since,
                    slide,
                    page,
                    ..
                } => {
                    if let Some(old) = self.lingering.replace(slide) {
                        self.retired.push(old);
                    }
                    (item, since, None, Some(page as u64 + 1))
                }
                other => {
                    self.showing = other;
                    return None;
                }
            };
        if let Some(reason) = &reason {
            warn!("{}: stopped with an error: {reason}", item.path.display());
        }
        Some(Event::PlayEnded {
            item: item_name(&item),
            kind: item.kind.name().into(),
            language: item.language.code().into(),
            shown_ms: ((now - since).max(0.0) * 1000.0).round() as u64,
            frames,
            pages,
            ended,
            reason,
        })
    }

    /// Forgets the item being prepared (its slide, if any, is retired).
    fn drop_preparing(&mut self) {
        if let Some(Preparing {
            prep: Prep::Text(slide),
            ..
        }) = self.preparing.take()
        {
            self.retired.push(slide);
        }
    }

    /// Closing time: the item on screen ends `stopped`, the next one is
    /// dropped, and every slide is retired (the stage goes dark).
    pub(super) fn close(&mut self, now: f64) -> Option<Event> {
        let ended = self.end_showing(now, Ending::Stopped, None);
        self.showing = Showing::Holding;
        self.drop_preparing();
        let lingering = self.lingering.take();
        self.retired.extend(lingering);
        ended
    }

    /// The player exits: the item on screen ends `stopped`.
    pub(super) fn stop_at_exit(&mut self, now: f64) -> Option<Event> {
        let ended = self.end_showing(now, Ending::Stopped, None);
        self.preparing = None;
        ended
    }
}

/// The overlay's controls.
impl Playback {
    /// Ends the item on screen now (`skipped`); the next one follows.
    pub(super) fn skip(&mut self, now: f64) -> Option<Event> {
        self.set_paused(false, now);
        self.end_showing(now, Ending::Skipped, None)
    }

    /// Shows the item before the one on screen again.
    pub(super) fn go_back(&mut self, now: f64) -> Option<Event> {
        let previous = self.history.iter().rev().nth(1).cloned()?;
        self.queued = Some(previous);
        self.drop_preparing();
        self.skip(now)
    }

    /// Pauses or resumes: a picture or text page gets the paused time back.
    pub(super) fn set_paused(&mut self, paused: bool, now: f64) {
        match (self.paused_at, paused) {
            (None, true) => {
                self.paused_at = Some(now);
                if let Showing::Video { pipeline, .. } = &self.showing {
                    pipeline.pause();
                }
            }
            (Some(at), false) => {
                self.paused_at = None;
                match &mut self.showing {
                    Showing::Picture { until, .. } => *until += now - at,
                    Showing::Text { page_until, .. } => *page_until += now - at,
                    Showing::Video { pipeline, .. } => pipeline.play(),
                    Showing::Holding | Showing::Fallback => {}
                }
            }
            _ => {}
        }
    }

    /// 0.0 (silent) to 1.0; the clip on screen follows at once.
    pub(super) fn set_volume(&mut self, volume: f64) {
        self.volume = volume.clamp(0.0, 1.0);
        if let Showing::Video { pipeline, .. } = &self.showing {
            pipeline.set_volume(self.volume);
        }
    }
}

/// An urgent item cutting in: the name of what it interrupted (for its
/// `preempted` line) and how that ended.
struct Preemption {
    interrupted: Option<String>,
    ended: Option<Event>,
}

/// Writes the events a state change returned.
pub(super) fn write_events(record: &mut Record, events: impl IntoIterator<Item = Event>) {
    for event in events {
        record.event(event);
    }
}

fn item_name(item: &Item) -> String {
    item.rel.display().to_string()
}

/// How long `item` shows (a text slide: each page).
fn item_seconds(item: &Item, settings: &PlayerSettings) -> f64 {
    item.duration
        .map(|d| d.as_secs_f64())
        .unwrap_or(settings.image_seconds)
}

fn failure_key(item: &Item) -> (PathBuf, u64, SystemTime) {
    (item.path.clone(), item.size, item.modified)
}
