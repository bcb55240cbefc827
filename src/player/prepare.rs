//! Opening the next item (a picture decoded on its thread, a clip
//! prerolled, a text slide fitted) and presenting it once it is ready.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::PlayerSettings;
use super::picture::PictureJob;
use super::playback::{
    HISTORY_LENGTH, IDLE_RETRY_SECS, PREPARE_TIMEOUT_SECS, Playback, Prep, Preparing, Showing,
    Slides, fail_item, item_name,
};
use super::text_slide::spawn_text_slide;
use crate::content::{Item, Kind};
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::media::{Frame, VideoEvent, VideoPipeline};
use crate::playlist::Why;
use crate::text::{Article, parse_article};

/// Writes a frame into the clip's one texture (reused frame after frame; a
/// new texture only when the picture size changes).
pub(super) fn upload_frame(images: &mut Assets<Image>, texture: &Handle<Image>, frame: Frame) {
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

pub(super) fn prepare_next(
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

/// Shows the prepared item if it is ready; skips it if it failed; shows the
/// fallback slide when there is nothing that plays.
pub(super) fn present_prepared(
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

pub(super) fn item_seconds(item: &Item, settings: &PlayerSettings) -> f64 {
    item.duration
        .map(|d| d.as_secs_f64())
        .unwrap_or(settings.image_seconds)
}
