//! Moving from item to item: prepare the next, present it when the current
//! one ends, journal every start, end and failure.

use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use bevy::ecs::system::SystemParam;

use super::picture::PictureJob;
use super::text_slide::{TextSlide, spawn_text_slide};
use super::{PlayerSettings, Stage};
use crate::clock::Clock;
use crate::content::watch::ContentChanged;
use crate::content::{Catalog, Item, Kind};
use crate::fonts::Fonts;
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};
use crate::media::{Frame, VideoEvent, VideoPipeline};
use crate::playlist::{Playlist, Why};
use crate::text::{Article, parse_article};

/// A clip that has not shown its first frame after this long is given up.
const PREPARE_TIMEOUT_SECS: f64 = 10.0;
/// How often the fallback slide asks the playlist again (items with a
/// `from` time may have come due).
const IDLE_RETRY_SECS: f64 = 2.0;
/// How many shown items are remembered for "previous".
const HISTORY_LENGTH: usize = 10;
/// A picture's successor starts decoding this long before the switch.
const PICTURE_LEAD_SECS: f64 = 1.0;

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
        texture: Handle<Image>,
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

enum Prep {
    Picture(PictureJob),
    Video(VideoPipeline),
    /// A text slide, spawned hidden, being fitted to the screen.
    Text(Entity),
}

/// What playback needs to show text slides.
#[derive(SystemParam)]
pub struct Slides<'w, 's> {
    commands: Commands<'w, 's>,
    fonts: Res<'w, Fonts>,
    slides: Query<'w, 's, (&'static mut TextSlide, &'static mut Visibility), Without<Stage>>,
}

struct Preparing {
    item: Item,
    since: f64,
    prep: Prep,
}

/// The playback state: the catalog, what is shown, what is being prepared.
#[derive(Resource)]
pub struct Playback {
    catalog: Catalog,
    playlist: Playlist,
    showing: Showing,
    preparing: Option<Preparing>,
    picture_size: Vec2,
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
    /// No catalog has arrived yet: hold (black at start) rather than show
    /// the fallback slide for a folder not yet read.
    waiting_for_catalog: bool,
}

impl Playback {
    pub fn new(settings: &PlayerSettings) -> Self {
        let catalog = Catalog::default();
        Self {
            playlist: Playlist::new(&catalog, settings.playlist.clone()),
            catalog,
            showing: Showing::Holding,
            preparing: None,
            picture_size: Vec2::ZERO,
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

    /// Pixel size of the picture on the stage.
    pub fn picture_size(&self) -> Vec2 {
        self.picture_size
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

    /// Ends the item on screen now; the next one follows.
    pub(super) fn skip(&mut self, now: f64, record: &mut Record) {
        self.set_paused(false, now);
        end_showing(self, now, Ending::Skipped, None, record);
    }

    /// Shows the item before the one on screen again.
    pub(super) fn go_back(&mut self, now: f64, record: &mut Record) {
        let Some(previous) = self.history.iter().rev().nth(1).cloned() else {
            return;
        };
        self.queued = Some(previous);
        self.drop_preparing();
        self.skip(now, record);
    }

    /// Forgets the item being prepared (its slide, if any, is despawned).
    fn drop_preparing(&mut self) {
        if let Some(Preparing {
            prep: Prep::Text(slide),
            ..
        }) = self.preparing.take()
        {
            self.retired.push(slide);
        }
    }

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

    pub(super) fn set_volume(&mut self, volume: f64) {
        self.volume = volume.clamp(0.0, 1.0);
        if let Showing::Video { pipeline, .. } = &self.showing {
            pipeline.set_volume(self.volume);
        }
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
}

fn item_name(item: &Item) -> String {
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
#[expect(
    clippy::too_many_arguments,
    reason = "a Bevy system: each parameter is one resource or query"
)]
pub fn advance_playback(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<PlayerSettings>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut images: ResMut<Assets<Image>>,
    mut stage: Single<(&mut Sprite, &mut Visibility), With<Stage>>,
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
    if let Some((ending, reason)) = poll_showing(playback, now, &settings, &mut images, &mut slides)
    {
        end_showing(playback, now, ending, reason, &mut record);
    }

    // Start preparing the next item when the current one is about to end.
    let wants_next = match &playback.showing {
        Showing::Holding => !playback.waiting_for_catalog,
        Showing::Fallback => now >= playback.retry_due,
        Showing::Picture { until, .. } => now >= until - PICTURE_LEAD_SECS,
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
            last_page && now >= page_until - PICTURE_LEAD_SECS
        }
        // A clip's successor is prepared once the clip ends; prerolling in
        // parallel is the gapless work of a later step.
        Showing::Video { .. } => false,
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

    // Present the prepared item once the screen is free.
    let screen_free = matches!(playback.showing, Showing::Holding | Showing::Fallback);
    if screen_free {
        present_prepared(
            playback,
            now,
            &settings,
            &mut record,
            &mut images,
            &mut stage,
            &mut slides,
        );
    }
}

/// Polls the item on screen; `Some` when it has ended.
fn poll_showing(
    playback: &mut Playback,
    now: f64,
    settings: &PlayerSettings,
    images: &mut Assets<Image>,
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
            pipeline,
            texture,
            frames,
            ..
        } => {
            if let Some(frame) = pipeline.take_frame() {
                let size = Vec2::new(frame.width as f32, frame.height as f32);
                upload_frame(images, texture, frame);
                *frames += 1;
                playback.picture_size = size;
            }
            pipeline.poll().into_iter().next().map(|event| match event {
                VideoEvent::Eos => (Ending::Completed, None),
                VideoEvent::Error(e) => (Ending::Error, Some(e)),
            })
        }
        Showing::Holding | Showing::Fallback => None,
    }
}

/// Writes a frame into the clip's one texture (reused frame after frame; a
/// new texture only when the picture size changes).
fn upload_frame(images: &mut Assets<Image>, texture: &Handle<Image>, frame: Frame) {
    let Some(mut image) = images.get_mut(texture) else {
        return;
    };
    let size = image.texture_descriptor.size;
    if size.width == frame.width && size.height == frame.height {
        image.data = Some(frame.data);
    } else {
        *image = frame_image(frame);
    }
}

fn frame_image(frame: Frame) -> Image {
    Image::new(
        Extent3d {
            width: frame.width,
            height: frame.height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        frame.data,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    )
}

/// Journals the end of the item on screen and frees the screen for the
/// next one (its last picture stays until then).
fn end_showing(
    playback: &mut Playback,
    now: f64,
    ended: Ending,
    reason: Option<String>,
    record: &mut Record,
) {
    let (item, since, frames, pages) =
        match std::mem::replace(&mut playback.showing, Showing::Holding) {
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
                // The slide stays up until the next item shows.
                if let Some(old) = playback.lingering.replace(slide) {
                    playback.retired.push(old);
                }
                (item, since, None, Some(page as u64 + 1))
            }
            other => {
                playback.showing = other;
                return;
            }
        };
    if let Some(reason) = &reason {
        warn!("{}: stopped with an error: {reason}", item.path.display());
    }
    record.event(Event::PlayEnded {
        item: item_name(&item),
        kind: item.kind.name().into(),
        language: item.language.code().into(),
        shown_ms: ((now - since).max(0.0) * 1000.0).round() as u64,
        frames,
        pages,
        ended,
        reason,
    });
}

fn prepare_next(
    playback: &mut Playback,
    now: f64,
    now_local: chrono::NaiveDateTime,
    record: &mut Record,
    slides: &mut Slides,
    interrupted: Option<String>,
) {
    let Some((item, why)) = playback.take_next(now_local) else {
        playback.nothing_to_play = true;
        playback.retry_due = now + IDLE_RETRY_SECS;
        return;
    };
    playback.nothing_to_play = false;
    if why == Why::Urgent {
        info!("urgent: {}", item.path.display());
        record.event(Event::Preempted {
            item: item_name(&item),
            interrupted,
        });
    }
    let prep = match item.kind {
        Kind::Image => Prep::Picture(PictureJob::start(item.path.clone())),
        Kind::Video => match VideoPipeline::open(&item.path, playback.volume) {
            Ok(pipeline) => Prep::Video(pipeline),
            Err(e) => {
                fail_item(playback, &item, e.to_string(), record);
                return;
            }
        },
        Kind::Text => match read_article(&item) {
            Ok(article) => Prep::Text(spawn_text_slide(
                &mut slides.commands,
                &slides.fonts,
                &article,
            )),
            Err(e) => {
                fail_item(playback, &item, e, record);
                return;
            }
        },
    };
    playback.preparing = Some(Preparing {
        item,
        since: now,
        prep,
    });
}

fn fail_item(playback: &mut Playback, item: &Item, reason: String, record: &mut Record) {
    warn!("skipping {}: {reason}", item.path.display());
    record.event(Event::ItemFailed {
        item: item_name(item),
        kind: item.kind.name().into(),
        reason,
        stage: "play".into(),
    });
    playback.failed.insert(failure_key(item));
}

fn failure_key(item: &Item) -> (PathBuf, u64, SystemTime) {
    (item.path.clone(), item.size, item.modified)
}

/// Shows the prepared item if it is ready; skips it if it failed; shows the
/// fallback slide when there is nothing that plays.
fn present_prepared(
    playback: &mut Playback,
    now: f64,
    settings: &PlayerSettings,
    record: &mut Record,
    images: &mut Assets<Image>,
    stage: &mut (Mut<Sprite>, Mut<Visibility>),
    slides: &mut Slides,
) {
    let Some(mut preparing) = playback.preparing.take() else {
        if playback.nothing_to_play && !matches!(playback.showing, Showing::Fallback) {
            playback.showing = Showing::Fallback;
            playback.retired.extend(playback.lingering.take());
            *stage.1 = Visibility::Hidden;
        }
        return;
    };
    let ready = match check_ready(&mut preparing, now, images, slides) {
        Ok(None) => {
            playback.preparing = Some(preparing);
            return;
        }
        Err(reason) => {
            fail_item(playback, &preparing.item, reason, record);
            if let Prep::Text(slide) = preparing.prep {
                playback.retired.push(slide);
            }
            return;
        }
        Ok(Some(ready)) => ready,
    };
    let Preparing { item, prep, .. } = preparing;
    info!("showing {}", item.path.display());
    playback.history.push_back(item.clone());
    if playback.history.len() > HISTORY_LENGTH {
        playback.history.pop_front();
    }
    playback.retired.extend(playback.lingering.take());
    record.event(Event::PlayStarted {
        item: item_name(&item),
        kind: item.kind.name().into(),
        language: item.language.code().into(),
    });
    if let Some((handle, size)) = ready {
        playback.picture_size = size;
        stage.0.image = handle;
        *stage.1 = Visibility::Visible;
    }
    let seconds = item_seconds(&item, settings);
    playback.showing = match (prep, &stage.0.image) {
        (Prep::Picture(_), _) => Showing::Picture {
            until: now + seconds,
            item,
            since: now,
        },
        (Prep::Video(pipeline), texture) => {
            pipeline.play();
            Showing::Video {
                item,
                since: now,
                pipeline,
                texture: texture.clone(),
                frames: 1,
            }
        }
        (Prep::Text(slide), _) => {
            if let Ok((mut state, mut visibility)) = slides.slides.get_mut(slide) {
                state.page = 0;
                *visibility = Visibility::Visible;
            }
            Showing::Text {
                item,
                since: now,
                slide,
                page: 0,
                page_until: now + seconds,
            }
        }
    };
}

/// `Some(Some(texture, size))` once the prepared picture or clip has its
/// first picture decoded, `Some(None)` once a text slide is fitted; `Err`
/// when it cannot be shown.
#[expect(
    clippy::type_complexity,
    reason = "a one-off result shape, named in the doc"
)]
fn check_ready(
    preparing: &mut Preparing,
    now: f64,
    images: &mut Assets<Image>,
    slides: &Slides,
) -> Result<Option<Option<(Handle<Image>, Vec2)>>, String> {
    let timed_out = now - preparing.since > PREPARE_TIMEOUT_SECS;
    match &mut preparing.prep {
        Prep::Picture(job) => match job.try_finish() {
            None => Ok(None),
            Some(Err(e)) => Err(e),
            Some(Ok(image)) => {
                let size = image.size_f32();
                Ok(Some(Some((images.add(image), size))))
            }
        },
        Prep::Text(slide) => match slides.slides.get(*slide) {
            Ok((state, _)) if state.pages.is_some() => Ok(Some(None)),
            _ if timed_out => Err(format!("text not laid out after {PREPARE_TIMEOUT_SECS} s")),
            _ => Ok(None),
        },
        Prep::Video(pipeline) => {
            let error = pipeline.poll().into_iter().find_map(|e| match e {
                VideoEvent::Error(e) => Some(e),
                VideoEvent::Eos => None,
            });
            if let Some(error) = error {
                return Err(error);
            }
            match pipeline.take_frame() {
                Some(frame) => {
                    let size = Vec2::new(frame.width as f32, frame.height as f32);
                    Ok(Some(Some((images.add(frame_image(frame)), size))))
                }
                None if timed_out => Err(format!("no picture after {PREPARE_TIMEOUT_SECS} s")),
                None => Ok(None),
            }
        }
    }
}

/// Reads and parses a text slide's file.
fn read_article(item: &Item) -> Result<Article, String> {
    let text = crate::captions::read_text(&item.path).map_err(|e| e.to_string())?;
    let markdown = item
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    let article = parse_article(&text, markdown);
    if article.title.is_empty() && article.paragraphs.is_empty() {
        return Err("the text file is empty".into());
    }
    Ok(article)
}

fn item_seconds(item: &Item, settings: &PlayerSettings) -> f64 {
    item.duration
        .map(|d| d.as_secs_f64())
        .unwrap_or(settings.image_seconds)
}

/// Closing time: the item on screen stops at once and the stage goes dark.
pub fn stop_for_closing(
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut stage: Single<&mut Visibility, With<Stage>>,
    mut commands: Commands,
) {
    let now = time.elapsed_secs_f64();
    end_showing(&mut playback, now, Ending::Stopped, None, &mut record);
    playback.showing = Showing::Holding;
    playback.drop_preparing();
    let lingering = playback.lingering.take();
    playback.retired.extend(lingering);
    for slide in playback.retired.drain(..) {
        commands.entity(slide).despawn();
    }
    **stage = Visibility::Hidden;
}

/// On exit: the item on screen ends as `stopped`, then `app_stopped`.
pub fn stop_on_exit(
    mut exits: MessageReader<AppExit>,
    time: Res<Time<Real>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
) {
    if exits.read().next().is_none() {
        return;
    }
    let now = time.elapsed_secs_f64();
    end_showing(&mut playback, now, Ending::Stopped, None, &mut record);
    playback.preparing = None;
    record.event(Event::AppStopped {
        reason: "exit requested".into(),
    });
}
