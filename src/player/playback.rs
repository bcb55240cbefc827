//! Moving from item to item: prepare the next, present it when the current
//! one ends, journal every start, end and failure.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bevy::prelude::*;

use bevy::ecs::system::SystemParam;

use super::PlayerSettings;
use super::ending::end_showing;
use super::picture::PictureJob;
use super::prepare::{item_seconds, prepare_next, present_prepared, stage_prepared};
use super::stage::{LayerId, Screen, Stage};
use super::text_slide::TextSlide;
use crate::clock::Clock;
use crate::content::watch::ContentChanged;
use crate::content::{Catalog, Item};
use crate::fonts::Fonts;
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};
use crate::media::{VideoEvent, VideoPipeline};
use crate::playlist::{Playlist, Why};

/// A clip that has not shown its first frame after this long is given up.
pub(super) const PREPARE_TIMEOUT_SECS: f64 = 10.0;
/// How often the fallback slide asks the playlist again (items with a
/// `from` time may have come due).
pub(super) const IDLE_RETRY_SECS: f64 = 2.0;
/// How many shown items are remembered for "previous".
pub(super) const HISTORY_LENGTH: usize = 10;

/// What is on screen.
pub(super) enum Showing {
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

pub(super) enum Prep {
    /// A picture being decoded.
    Picture(PictureJob),
    /// A decoded picture, uploaded, with its size in pixels.
    PictureReady(Handle<Image>, Vec2),
    /// A clip, prerolled (paused on its first frame) or getting there.
    Video(VideoPipeline),
    /// A text slide, spawned hidden, being fitted to the screen.
    Text(Entity),
}

/// What playback needs to show text slides.
#[derive(SystemParam)]
pub struct Slides<'w, 's> {
    pub(super) commands: Commands<'w, 's>,
    pub(super) fonts: Res<'w, Fonts>,
    pub(super) slides:
        Query<'w, 's, (&'static mut TextSlide, &'static mut Visibility), Without<Stage>>,
}

pub(super) struct Preparing {
    pub(super) item: Item,
    pub(super) since: f64,
    pub(super) prep: Prep,
    /// Set once the item is ready to be shown.
    pub(super) staged: Option<Staged>,
}

/// Where a ready item waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Staged {
    /// Its first picture is on this (hidden) stage layer.
    OnLayer(LayerId),
    /// A text slide, fitted, hidden.
    Slide,
}

/// The playback state: the catalog, what is shown, what is being prepared.
#[derive(Resource)]
pub struct Playback {
    pub(super) catalog: Catalog,
    pub(super) playlist: Playlist,
    pub(super) showing: Showing,
    pub(super) preparing: Option<Preparing>,
    /// A text slide that ended: it stays on screen until the next item
    /// shows, then it is despawned (no black, no stale picture between).
    pub(super) lingering: Option<Entity>,
    /// Slides to despawn.
    pub(super) retired: Vec<Entity>,
    /// Files that failed to play, by path, size and modification time: not
    /// tried again until they change (a new copy arrives).
    pub(super) failed: HashSet<(PathBuf, u64, SystemTime)>,
    pub(super) retry_due: f64,
    /// Set while paused from the overlay: when the pause began.
    pub(super) paused_at: Option<f64>,
    /// The items shown most recently, newest last (for "previous").
    pub(super) history: VecDeque<Item>,
    /// An item asked for explicitly ("previous"), shown before the playlist's next.
    pub(super) queued: Option<Item>,
    /// Clip volume now (the config's, or the overlay's).
    pub(super) volume: f64,
    /// The playlist had nothing to play when last asked.
    pub(super) nothing_to_play: bool,
    /// No catalog has arrived yet: hold (black at start) rather than show
    /// the fallback slide for a folder not yet read.
    pub(super) waiting_for_catalog: bool,
}

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

    /// The next item to show that has not failed before.
    pub(super) fn take_next(&mut self, now_local: chrono::NaiveDateTime) -> Option<(Item, Why)> {
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
}

pub(super) fn item_name(item: &Item) -> String {
    item.rel.display().to_string()
}

/// Swaps in each new catalog from the folder watcher; the place in the
/// loop and the item on screen are kept.
pub fn apply_content_changes(
    mut changes: MessageReader<ContentChanged>,
    mut playback: ResMut<Playback>,
) {
    let Some(change) = changes.read().last() else {
        return;
    };
    playback.playlist.update(&change.catalog);
    playback.catalog = change.catalog.clone();
    playback.waiting_for_catalog = false;
    playback.nothing_to_play = false;
}

/// One step of playback, every frame.
pub fn advance_playback(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<PlayerSettings>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut screen: Screen,
    mut slides: Slides,
) {
    let now = time.elapsed_secs_f64();
    let now_local = clock.now().with_timezone(&settings.time_zone).naive_local();
    let playback = &mut *playback;
    for slide in playback.retired.drain(..) {
        slides.commands.entity(slide).despawn();
    }
    if playback.is_paused() {
        return;
    }

    // A new urgent item cuts in at once.
    let mut interrupted = None;
    if playback.playlist.has_new_urgent(now_local) {
        interrupted = playback.current_item().map(item_name);
        end_showing(playback, now, Ending::Skipped, None, &mut record);
        playback.drop_preparing();
    }

    // The current item: frames in, end detected.
    if let Some((ending, reason)) = poll_showing(playback, now, &settings, &mut screen, &mut slides)
    {
        end_showing(playback, now, ending, reason, &mut record);
    }

    // Start preparing the next item when the current one is about to end.
    let lead = settings.preroll_seconds;
    let wants_next = match &playback.showing {
        Showing::Holding => !playback.waiting_for_catalog,
        Showing::Fallback => now >= playback.retry_due,
        Showing::Picture { until, .. } => now >= until - lead,
        Showing::Text {
            slide,
            page,
            page_until,
            ..
        } => {
            let last_page = slides
                .slides
                .get(*slide)
                .ok()
                .and_then(|(s, _)| s.pages.as_ref().map(|p| *page + 1 >= p.len()))
                .unwrap_or(true);
            last_page && now >= page_until - lead
        }
        // A clip of unknown length gets its successor at its end.
        Showing::Video { pipeline, .. } => match (pipeline.position(), pipeline.duration()) {
            (Some(position), Some(duration)) => {
                position.as_secs_f64() >= duration.as_secs_f64() - lead
            }
            _ => false,
        },
    };
    if wants_next && playback.preparing.is_none() {
        prepare_next(
            playback,
            now,
            now_local,
            &mut record,
            &mut slides,
            interrupted,
        );
    }

    // Ready the next item ahead of its turn; show it once the screen is free.
    stage_prepared(playback, now, &mut record, &mut screen, &slides);
    let screen_free = matches!(playback.showing, Showing::Holding | Showing::Fallback);
    if screen_free {
        present_prepared(
            playback,
            now,
            &settings,
            &mut record,
            &mut screen,
            &mut slides,
        );
    }
}

/// Polls the item on screen; `Some` when it has ended.
fn poll_showing(
    playback: &mut Playback,
    now: f64,
    settings: &PlayerSettings,
    screen: &mut Screen,
    slides: &mut Slides,
) -> Option<(Ending, Option<String>)> {
    match &mut playback.showing {
        Showing::Picture { until, .. } => (now >= *until).then_some((Ending::Completed, None)),
        Showing::Text {
            item,
            slide,
            page,
            page_until,
            ..
        } => {
            if now < *page_until {
                return None;
            }
            let Ok((mut state, _)) = slides.slides.get_mut(*slide) else {
                return Some((Ending::Error, Some("the slide vanished".into())));
            };
            let pages = state.pages.as_ref().map_or(1, Vec::len);
            if *page + 1 >= pages {
                return Some((Ending::Completed, None));
            }
            *page += 1;
            *page_until = now + item_seconds(item, settings);
            state.page = *page;
            None
        }
        Showing::Video {
            item,
            pipeline,
            layer,
            frames,
            ..
        } => {
            if let Some(frame) = pipeline.take_frame() {
                screen.put_frame(*layer, frame, &item_name(item));
                *frames += 1;
            }
            pipeline.poll().into_iter().next().map(|event| match event {
                VideoEvent::Eos => (Ending::Completed, None),
                VideoEvent::Error(e) => (Ending::Error, Some(e)),
            })
        }
        Showing::Holding | Showing::Fallback => None,
    }
}

pub(super) fn fail_item(playback: &mut Playback, item: &Item, reason: String, record: &mut Record) {
    warn!("skipping {}: {reason}", item.path.display());
    record.event(Event::ItemFailed {
        item: item_name(item),
        kind: item.kind.name().into(),
        reason,
        stage: "play".into(),
    });
    playback.failed.insert(failure_key(item));
}

pub(super) fn failure_key(item: &Item) -> (PathBuf, u64, SystemTime) {
    (item.path.clone(), item.size, item.modified)
}
