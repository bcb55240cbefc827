//! Moving from item to item: prepare the next, present it when the current
//! one ends, journal every start, end and failure.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::SystemTime;

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::picture::PictureJob;
use super::{PlayerSettings, Stage};
use crate::clock::Clock;
use crate::content::watch::ContentChanged;
use crate::content::{Catalog, Item, Kind};
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};
use crate::media::{Frame, VideoEvent, VideoPipeline};
use crate::playlist::{Playlist, Why};

/// A clip that has not shown its first frame after this long is given up.
const PREPARE_TIMEOUT_SECS: f64 = 10.0;
/// How often the fallback slide asks the playlist again (items with a
/// `from` time may have come due).
const IDLE_RETRY_SECS: f64 = 2.0;
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
}

enum Prep {
    Picture(PictureJob),
    Video(VideoPipeline),
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
    /// Files that failed to play, by path, size and modification time: not
    /// tried again until they change (a new copy arrives).
    failed: HashSet<(PathBuf, u64, SystemTime)>,
    retry_due: f64,
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
            retry_due: 0.0,
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
            Showing::Picture { item, .. } | Showing::Video { item, .. } => Some(item),
            Showing::Holding | Showing::Fallback => None,
        }
    }

    /// The next item to show that has not failed before.
    fn take_next(&mut self, now_local: chrono::NaiveDateTime) -> Option<(Item, Why)> {
        // Bounded: every unplayable item could come round once before a
        // good one. Text slides are not drawn yet.
        for _ in 0..=self.catalog.items.len() {
            let entry = self.playlist.next(now_local)?;
            let playable = matches!(entry.item.kind, Kind::Image | Kind::Video);
            if playable && !self.failed.contains(&failure_key(&entry.item)) {
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
pub fn apply_content_changes(mut changes: MessageReader<ContentChanged>, mut playback: ResMut<Playback>) {
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
    mut images: ResMut<Assets<Image>>,
    mut stage: Single<(&mut Sprite, &mut Visibility), With<Stage>>,
) {
    let now = time.elapsed_secs_f64();
    let now_local = clock.now().with_timezone(&settings.time_zone).naive_local();
    let playback = &mut *playback;

    // A new urgent item cuts in at once.
    let mut interrupted = None;
    if playback.playlist.has_new_urgent(now_local) {
        interrupted = playback.current_item().map(item_name);
        end_showing(playback, now, Ending::Skipped, None, &mut record);
        playback.preparing = None;
    }

    // The current item: frames in, end detected.
    if let Some((ending, reason)) = poll_showing(playback, now, &mut images) {
        end_showing(playback, now, ending, reason, &mut record);
    }

    // Start preparing the next item when the current one is about to end.
    let wants_next = match &playback.showing {
        Showing::Holding => !playback.waiting_for_catalog,
        Showing::Fallback => now >= playback.retry_due,
        Showing::Picture { until, .. } => now >= until - PICTURE_LEAD_SECS,
        // A clip's successor is prepared once the clip ends; prerolling in
        // parallel is the gapless work of a later step.
        Showing::Video { .. } => false,
    };
    if wants_next && playback.preparing.is_none() {
        prepare_next(playback, now, now_local, &settings, &mut record, interrupted);
    }

    // Present the prepared item once the screen is free.
    let screen_free = matches!(playback.showing, Showing::Holding | Showing::Fallback);
    if screen_free {
        present_prepared(playback, now, &settings, &mut record, &mut images, &mut stage);
    }
}

/// Polls the item on screen; `Some` when it has ended.
fn poll_showing(
    playback: &mut Playback,
    now: f64,
    images: &mut Assets<Image>,
) -> Option<(Ending, Option<String>)> {
    match &mut playback.showing {
        Showing::Picture { until, .. } => (now >= *until).then_some((Ending::Completed, None)),
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
            pipeline.poll().into_iter().find_map(|event| match event {
                VideoEvent::Eos => Some((Ending::Completed, None)),
                VideoEvent::Error(e) => Some((Ending::Error, Some(e))),
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
    let (item, since, frames) = match std::mem::replace(&mut playback.showing, Showing::Holding) {
        Showing::Picture { item, since, .. } => (item, since, None),
        Showing::Video {
            item, since, frames, ..
        } => (item, since, Some(frames)),
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
        ended,
        reason,
    });
}

fn prepare_next(
    playback: &mut Playback,
    now: f64,
    now_local: chrono::NaiveDateTime,
    settings: &PlayerSettings,
    record: &mut Record,
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
        Kind::Video => match VideoPipeline::open(&item.path, settings.volume) {
            Ok(pipeline) => Prep::Video(pipeline),
            Err(e) => {
                fail_item(playback, &item, e.to_string(), record);
                return;
            }
        },
        Kind::Text => return,
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
) {
    let Some(mut preparing) = playback.preparing.take() else {
        if playback.nothing_to_play && !matches!(playback.showing, Showing::Fallback) {
            playback.showing = Showing::Fallback;
            *stage.1 = Visibility::Hidden;
        }
        return;
    };
    match check_ready(&mut preparing, now, images) {
        Ok(None) => playback.preparing = Some(preparing),
        Err(reason) => fail_item(playback, &preparing.item, reason, record),
        Ok(Some((handle, size))) => {
            let Preparing { item, prep, .. } = preparing;
            info!("showing {}", item.path.display());
            record.event(Event::PlayStarted {
                item: item_name(&item),
                kind: item.kind.name().into(),
                language: item.language.code().into(),
            });
            playback.showing = match prep {
                Prep::Picture(_) => Showing::Picture {
                    until: now + item_seconds(&item, settings),
                    item,
                    since: now,
                },
                Prep::Video(pipeline) => {
                    pipeline.play();
                    Showing::Video {
                        item,
                        since: now,
                        pipeline,
                        texture: handle.clone(),
                        frames: 1,
                    }
                }
            };
            playback.picture_size = size;
            stage.0.image = handle;
            *stage.1 = Visibility::Visible;
        }
    }
}

/// `Some(texture, size)` once the prepared item has its first picture
/// decoded; `Err` when it cannot be shown.
fn check_ready(
    preparing: &mut Preparing,
    now: f64,
    images: &mut Assets<Image>,
) -> Result<Option<(Handle<Image>, Vec2)>, String> {
    match &mut preparing.prep {
        Prep::Picture(job) => match job.try_finish() {
            None => Ok(None),
            Some(Err(e)) => Err(e),
            Some(Ok(image)) => {
                let size = image.size_f32();
                Ok(Some((images.add(image), size)))
            }
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
                    Ok(Some((images.add(frame_image(frame)), size)))
                }
                None if now - preparing.since > PREPARE_TIMEOUT_SECS => {
                    Err(format!("no picture after {PREPARE_TIMEOUT_SECS} s"))
                }
                None => Ok(None),
            }
        }
    }
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
) {
    let now = time.elapsed_secs_f64();
    end_showing(&mut playback, now, Ending::Stopped, None, &mut record);
    playback.showing = Showing::Holding;
    playback.preparing = None;
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
