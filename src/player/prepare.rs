//! Opening the next item (a picture decoded on its thread, a clip
//! prerolled, a text slide fitted) and presenting it once it is ready.

use bevy::prelude::*;

use super::PlayerSettings;
use super::picture::PictureJob;
use super::playback::{
    HISTORY_LENGTH, IDLE_RETRY_SECS, PREPARE_TIMEOUT_SECS, Playback, Prep, Preparing, Showing,
    Slides, Staged, fail_item, item_name,
};
use super::stage::Screen;
use super::text_slide::spawn_text_slide;
use crate::content::{Item, Kind};
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::media::{VideoEvent, VideoPipeline};
use crate::playlist::Why;
use crate::text::{Article, parse_article};

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
    // Tests check that with signing on, this is a copy in the verified store.
    debug!("opening {}", item.path.display());
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
                &item_name(&item),
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
        staged: None,
    });
}

/// Gets the item being prepared onto the screen's free layer as soon as it
/// is ready (its first picture decoded and uploaded, its slide fitted),
/// ahead of its turn; skips it if it cannot be shown.
pub(super) fn stage_prepared(
    playback: &mut Playback,
    now: f64,
    record: &mut Record,
    screen: &mut Screen,
    slides: &Slides,
) {
    let Some(preparing) = &mut playback.preparing else {
        return;
    };
    if preparing.staged.is_some() {
        return;
    }
    match make_ready(preparing, now, screen, slides) {
        Ok(()) => {}
        Err(reason) => {
            let failed = playback.preparing.take().expect("checked above");
            fail_item(playback, &failed.item, reason, record);
            if let Prep::Text(slide) = failed.prep {
                playback.retired.push(slide);
            }
        }
    }
}

/// One step towards `preparing.staged`; `Err` when the item cannot be shown.
fn make_ready(
    preparing: &mut Preparing,
    now: f64,
    screen: &mut Screen,
    slides: &Slides,
) -> Result<(), String> {
    let timed_out = now - preparing.since > PREPARE_TIMEOUT_SECS;
    let item = &preparing.item;
    match &mut preparing.prep {
        Prep::Picture(job) => {
            if let Some(decoded) = job.try_finish() {
                let image = decoded?;
                let size = image.size_f32();
                preparing.prep = Prep::PictureReady(screen.add_picture(image), size);
            }
        }
        Prep::PictureReady(picture, size) => {
            if let Some(layer) = screen.free_layer() {
                screen.put_picture(layer, picture.clone(), *size, &item_name(item));
                preparing.staged = Some(Staged::OnLayer(layer));
            }
        }
        Prep::Text(slide) => match slides.slides.get(*slide) {
            Ok((state, _)) if state.pages.is_some() => preparing.staged = Some(Staged::Slide),
            _ if timed_out => {
                return Err(format!("text not laid out after {PREPARE_TIMEOUT_SECS} s"));
            }
            _ => {}
        },
        Prep::Video(pipeline) => {
            let mut ended = false;
            for event in pipeline.poll() {
                match event {
                    VideoEvent::Error(e) => return Err(e),
                    VideoEvent::Eos => ended = true,
                }
            }
            let Some(layer) = screen.free_layer() else {
                return Ok(());
            };
            match pipeline.take_frame() {
                Some(frame) => {
                    screen.put_frame(layer, frame, &item_name(item));
                    preparing.staged = Some(Staged::OnLayer(layer));
                }
                None if ended => return Err("the clip ended before its first picture".into()),
                None if timed_out => {
                    return Err(format!("no picture after {PREPARE_TIMEOUT_SECS} s"));
                }
                None => {}
            }
        }
    }
    Ok(())
}

/// Shows the staged item (the screen is free: the item before it ended);
/// shows the fallback slide when there is nothing that plays.
pub(super) fn present_prepared(
    playback: &mut Playback,
    now: f64,
    settings: &PlayerSettings,
    record: &mut Record,
    screen: &mut Screen,
    slides: &mut Slides,
) {
    let Some(preparing) = playback.preparing.take_if(|p| p.staged.is_some()) else {
        if playback.preparing.is_none()
            && playback.nothing_to_play
            && !matches!(playback.showing, Showing::Fallback)
        {
            playback.showing = Showing::Fallback;
            playback.retired.extend(playback.lingering.take());
            screen.hide();
        }
        return;
    };
    let Preparing {
        item, prep, staged, ..
    } = preparing;
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
    if let Some(Staged::OnLayer(layer)) = staged {
        screen.show(layer, now);
    }
    let seconds = item_seconds(&item, settings);
    playback.showing = match (prep, staged) {
        (Prep::Video(pipeline), Some(Staged::OnLayer(layer))) => {
            pipeline.set_volume(playback.volume);
            pipeline.play();
            Showing::Video {
                item,
                since: now,
                pipeline,
                layer,
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
        _ => Showing::Picture {
            until: now + seconds,
            item,
            since: now,
        },
    };
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
