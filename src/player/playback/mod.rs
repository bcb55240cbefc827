//! The playback state: what is on screen, what is being prepared, what
//! failed. Every change to it is a method (the moves in `moves.rs`, the
//! overlay's controls here) that returns the journal events it causes, so
//! the rules can be tested without a window; the systems (`advance.rs`,
//! `prepare.rs`, and `ending.rs`, `controls.rs` beside this folder) do the
//! stage's and the slides' part and write the events.

mod advance;
mod fingerprint;
mod moves;
mod prepare;
#[cfg(test)]
mod tests;

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bevy::prelude::*;

use super::PlayerSettings;
use super::stage::LayerId;
use crate::backup::objects::{ObjectStore, ShownObjects};
use crate::content::{Catalog, Item};
use crate::job::Job;
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};
use crate::media::VideoPipeline;
use crate::playlist::Playlist;
use fingerprint::Fingerprint;

pub use advance::{advance_playback, apply_content_changes};

/// A clip that has not shown its first frame after this long is given up.
const PREPARE_TIMEOUT_SECS: f64 = 10.0;
/// How often the fallback slide asks the playlist again (items with a
/// `from` time may have come due).
const IDLE_RETRY_SECS: f64 = 2.0;
/// How many shown items are remembered for "previous".
const HISTORY_LENGTH: usize = 10;

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
    /// polled every frame (a text slide is laid out over frames). Not while
    /// a picture decodes: its thread wakes the loop when it is done.
    pub fn is_readying(&self) -> bool {
        !self.is_paused()
            && self
                .preparing
                .as_ref()
                .is_some_and(|p| p.staged.is_none() && !matches!(p.prep, Prep::Picture(_)))
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
