//! Opening the next item (a picture decoded on its thread, a clip
//! prerolled, a text slide fitted), staging it on the stage's free layer,
//! and presenting it once the screen is free.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::{
    PREPARE_TIMEOUT_SECS, Playback, Prep, Preparing, Staged, item_name, item_seconds, write_events,
};
use crate::content::{Item, Kind, Sidecar};
use crate::fonts::Fonts;
use crate::job::Job;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::media::{VideoEvent, VideoPipeline};
use crate::player::PlayerSettings;
use crate::player::picture::decode_picture;
use crate::player::stage::{Stage, StageLayers};
use crate::player::text_slide::{SlideTheme, TextSlide, spawn_text_slide};
use crate::text::{Article, parse_article};

/// What playback needs to show text slides.
#[derive(SystemParam)]
pub struct Slides<'w, 's> {
    pub(super) commands: Commands<'w, 's>,
    pub(super) fonts: Res<'w, Fonts>,
    pub(super) theme: Res<'w, SlideTheme>,
    pub(super) slides:
        Query<'w, 's, (&'static mut TextSlide, &'static mut Visibility), Without<Stage>>,
}

/// Opens the playlist's next item; a file that cannot be opened is
/// journaled and skipped.
pub(super) fn prepare_next(
    playback: &mut Playback,
    now: f64,
    now_local: chrono::NaiveDateTime,
    record: &mut Record,
    slides: &mut Slides,
    interrupted: Option<String>,
) {
    let Some((item, preempted)) = playback.next_item(now, now_local, interrupted) else {
        return;
    };
    write_events(record, preempted);
    // Tests check that with signing on, this is a copy in the verified store.
    debug!("opening {}", item.path.display());
    let background = playback.catalog().background_for(&item).cloned();
    let prep = match open(&item, playback.volume, background, slides) {
        Ok(prep) => prep,
        Err(reason) => {
            record.event(playback.fail(&item, reason));
            return;
        }
    };
    playback.start_preparing(item, now, prep);
}

/// Starts getting `item` ready: its picture decoding, its clip prerolling,
/// its slide spawned hidden.
fn open(
    item: &Item,
    volume: f64,
    background: Option<Sidecar>,
    slides: &mut Slides,
) -> Result<Prep, String> {
    Ok(match item.kind {
        Kind::Image => {
            let path = item.path.clone();
            Prep::Picture(Job::start("picture", move || decode_picture(&path)))
        }
        Kind::Video => {
            Prep::Video(VideoPipeline::open(&item.path, volume).map_err(|e| e.to_string())?)
        }
        Kind::Text => Prep::Text(spawn_text_slide(
            &mut slides.commands,
            &slides.fonts,
            &slides.theme,
            &read_article(item)?,
            &item_name(item),
            background,
        )),
    })
}

/// Gets the item being prepared onto the stage's free layer as soon as it
/// is ready (its first picture decoded and uploaded, its slide fitted),
/// ahead of its turn; skips it if it cannot be shown.
pub(super) fn stage_prepared(
    playback: &mut Playback,
    now: f64,
    record: &mut Record,
    stage: &mut StageLayers,
    slides: &Slides,
) {
    playback.poll_fingerprint(now);
    let Some(preparing) = &mut playback.preparing else {
        return;
    };
    if preparing.staged.is_some() {
        return;
    }
    if let Err(reason) = make_ready(preparing, now, stage, slides) {
        write_events(record, playback.fail_preparing(reason));
    }
}

/// One step towards `preparing.staged`; `Err` when the item cannot be shown.
fn make_ready(
    preparing: &mut Preparing,
    now: f64,
    stage: &mut StageLayers,
    slides: &Slides,
) -> Result<(), String> {
    let timed_out = now - preparing.since > PREPARE_TIMEOUT_SECS;
    let item = &preparing.item;
    match &mut preparing.prep {
        Prep::Picture(job) => {
            if let Some(decoded) = job.try_finish() {
                let image = decoded.map_err(|_| "the decoder crashed".to_string())??;
                let size = image.size_f32();
                preparing.prep = Prep::PictureReady(stage.add_picture(image), size);
            }
        }
        Prep::PictureReady(picture, size) => {
            if let Some(layer) = stage.free_layer() {
                stage.put_picture(layer, picture.clone(), *size, &item_name(item));
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
            let Some(layer) = stage.free_layer() else {
                return Ok(());
            };
            match pipeline.take_frame() {
                Some(frame) => {
                    stage.put_frame(layer, frame, &item_name(item))?;
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
    stage: &mut StageLayers,
    slides: &mut Slides,
) {
    let Some(preparing) = playback.take_staged() else {
        if playback.show_fallback_if_idle() {
            stage.hide();
            record.event(Event::FallbackShown);
        }
        return;
    };
    if let Some(Staged::OnLayer(layer)) = preparing.staged {
        stage.show(layer, now);
    }
    if let Prep::Text(slide) = preparing.prep
        && let Ok((mut state, mut visibility)) = slides.slides.get_mut(slide)
    {
        state.page = 0;
        *visibility = Visibility::Visible;
    }
    let seconds = item_seconds(&preparing.item, settings);
    record.event(playback.present(preparing, now, seconds));
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
