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
use crate::content::{Catalog, Item, Kind, Scanner};
use crate::journal::plugin::Record;
use crate::journal::{Ending, Event};
use crate::media::{DiscovererProbe, Frame, VideoEvent, VideoPipeline};

/// A clip that has not shown its first frame after this long is given up.
const PREPARE_TIMEOUT_SECS: f64 = 10.0;
/// How often an empty (or all-failing) folder is looked at again.
const IDLE_RESCAN_SECS: f64 = 2.0;
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
    scanner: Scanner,
    probe: DiscovererProbe,
    catalog: Catalog,
    /// Index into the playable items of the next item to prepare.
    next: usize,
    showing: Showing,
    preparing: Option<Preparing>,
    picture_size: Vec2,
    /// Files that failed to play, by path, size and modification time: not
    /// tried again until they change (a new copy arrives).
    failed: HashSet<(PathBuf, u64, SystemTime)>,
    scan_due: f64,
}

impl Playback {
    pub fn new(settings: &PlayerSettings) -> Self {
        Self {
            scanner: Scanner::new(
                settings.content_dir.clone(),
                Default::default(),
                settings.probe_cache.clone(),
            ),
            probe: DiscovererProbe::new(),
            catalog: Catalog::default(),
            next: 0,
            showing: Showing::Holding,
            preparing: None,
            picture_size: Vec2::ZERO,
            failed: HashSet::new(),
            scan_due: 0.0,
        }
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

    fn playable(&self) -> impl Iterator<Item = &Item> {
        self.catalog
            .items
            .iter()
            .filter(|i| matches!(i.kind, Kind::Image | Kind::Video))
            .filter(|i| !self.failed.contains(&failure_key(i)))
    }

    fn rescan(&mut self, record: &mut Record) {
        let fresh = self.scanner.scan(&mut self.probe, SystemTime::now());
        let diff = self.catalog.diff(&fresh);
        for rejected in &diff.newly_rejected {
            warn!("not playing {}: {}", rejected.rel.display(), rejected.reason);
            record.event(Event::ItemFailed {
                item: rejected.rel.display().to_string(),
                kind: kind_of_path(&rejected.rel).into(),
                reason: rejected.reason.clone(),
                stage: "catalog".into(),
            });
        }
        if let Some(error) = &fresh.manifest_error {
            warn!("{error}");
        }
        self.catalog = fresh;
    }

    /// Takes the next playable item in loop order; rescans the folder at the
    /// start of each pass so that changes are picked up.
    fn take_next(&mut self, record: &mut Record) -> Option<Item> {
        let count = self.playable().count();
        if self.next >= count {
            self.next = 0;
            self.rescan(record);
        }
        let item = self.playable().nth(self.next).cloned()?;
        self.next += 1;
        Some(item)
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Image => "image",
        Kind::Video => "video",
        Kind::Text => "text",
    }
}

fn kind_of_path(rel: &std::path::Path) -> &'static str {
    let ext = rel
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" | "png" | "webp" => "image",
        "mp4" | "mkv" | "webm" | "mov" => "video",
        "txt" | "md" => "text",
        _ => "other",
    }
}

fn item_name(item: &Item) -> String {
    item.rel.display().to_string()
}

/// One step of playback, every frame.
pub fn advance_playback(
    time: Res<Time<Real>>,
    settings: Res<PlayerSettings>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut images: ResMut<Assets<Image>>,
    mut stage: Single<(&mut Sprite, &mut Visibility), With<Stage>>,
) {
    let now = time.elapsed_secs_f64();
    let playback = &mut *playback;

    // The current item: frames in, end detected.
    if let Some((ending, reason)) = poll_showing(playback, now, &mut images) {
        end_showing(playback, now, ending, reason, &mut record);
    }

    // Start preparing the next item when the current one is about to end.
    let wants_next = match &playback.showing {
        Showing::Holding => true,
        Showing::Fallback => now >= playback.scan_due,
        Showing::Picture { until, .. } => now >= until - PICTURE_LEAD_SECS,
        // A clip's successor is prepared once the clip ends; prerolling in
        // parallel is the gapless work of a later step.
        Showing::Video { .. } => false,
    };
    if wants_next && playback.preparing.is_none() {
        prepare_next(playback, now, &settings, &mut record);
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
        kind: kind_name(item.kind).into(),
        language: item.language.code().into(),
        shown_ms: ((now - since).max(0.0) * 1000.0).round() as u64,
        frames,
        ended,
        reason,
    });
}

fn prepare_next(playback: &mut Playback, now: f64, settings: &PlayerSettings, record: &mut Record) {
    if matches!(playback.showing, Showing::Fallback) || playback.catalog.items.is_empty() {
        playback.scan_due = now + IDLE_RESCAN_SECS;
    }
    let Some(item) = playback.take_next(record) else {
        return;
    };
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
        kind: kind_name(item.kind).into(),
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
        let nothing_plays = playback.playable().next().is_none();
        if nothing_plays && !matches!(playback.showing, Showing::Fallback) {
            playback.showing = Showing::Fallback;
            playback.scan_due = now + IDLE_RESCAN_SECS;
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
                kind: kind_name(item.kind).into(),
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
