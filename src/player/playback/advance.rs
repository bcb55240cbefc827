//! The per-frame systems: a new catalog swapped in, and one step of
//! playback (the item on screen polled, the next one prepared, staged and
//! presented).

use bevy::prelude::*;

use super::prepare::{Slides, prepare_next, present_prepared, stage_prepared};
use super::{Playback, Showing, item_name, item_seconds, write_events};
use crate::clock::Clock;
use crate::content::plugin::ContentChanged;
use crate::journal::Ending;
use crate::journal::plugin::Record;
use crate::media::VideoEvent;
use crate::player::PlayerSettings;
use crate::player::stage::StageLayers;

/// Swaps in each new catalog from the folder watcher; the place in the
/// loop and the item on screen are kept.
pub fn apply_content_changes(
    mut changes: MessageReader<ContentChanged>,
    mut playback: ResMut<Playback>,
) {
    let Some(change) = changes.read().last() else {
        return;
    };
    playback.apply_catalog(&change.catalog);
}

/// One step of playback, every frame.
pub fn advance_playback(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<PlayerSettings>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut stage: StageLayers,
    mut slides: Slides,
) {
    let now = time.elapsed_secs_f64();
    let now_local = clock.now().with_timezone(&settings.time_zone).naive_local();
    let playback = &mut *playback;
    for slide in playback.take_retired() {
        slides.commands.entity(slide).despawn();
    }
    if playback.is_paused() {
        return;
    }

    // A new urgent item cuts in at once.
    let mut interrupted = None;
    if let Some(preemption) = playback.preempt_for_urgent(now, now_local) {
        interrupted = preemption.interrupted;
        write_events(&mut record, preemption.ended);
    }

    // The current item: frames in, end detected.
    if let Some((ending, reason)) = poll_showing(playback, now, &settings, &mut stage, &mut slides)
    {
        write_events(&mut record, playback.end_showing(now, ending, reason));
    }

    // Start preparing the next item when the current one is about to end.
    let on_last_page = |slide, page: usize| {
        slides
            .slides
            .get(slide)
            .ok()
            .and_then(|(s, _)| s.pages.as_ref().map(|p| page + 1 >= p.len()))
            .unwrap_or(true)
    };
    if playback.wants_next(now, settings.preroll_seconds, on_last_page) {
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
    stage_prepared(playback, now, &mut record, &mut stage, &slides);
    let screen_free = matches!(playback.showing, Showing::Holding | Showing::Fallback);
    if screen_free {
        present_prepared(
            playback,
            now,
            &settings,
            &mut record,
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
    stage: &mut StageLayers,
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
                if let Err(e) = stage.put_frame(*layer, frame, &item_name(item)) {
                    return Some((Ending::Error, Some(e)));
                }
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
