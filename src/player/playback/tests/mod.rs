//! The playback rules without a window: what each move from item to item
//! journals, which items are tried again, what preemption and closing do;
//! the overlay's controls in `controls.rs`, the SHA-256 of what is shown in
//! `fingerprint.rs`.

mod controls;
mod fingerprint;

use std::path::{Path, PathBuf};
use std::time::Duration;

use bevy::prelude::*;
use chrono::NaiveDateTime;

use super::{Playback, Prep, Staged};
use crate::config::{Fit, Transition};
use crate::content::{Catalog, Item, Language};
use crate::journal::{Ending, Event};
use crate::player::PlayerSettings;
use crate::playlist::PlaylistPolicy;

fn settings() -> PlayerSettings {
    PlayerSettings {
        content_dir: PathBuf::from("/srv/infokiosk/content"),
        image_seconds: 8.0,
        fit: Fit::Contain,
        volume: 0.5,
        time_zone: chrono_tz::Asia::Ho_Chi_Minh,
        playlist: PlaylistPolicy::default(),
        transition: Transition::Cut,
        preroll_seconds: 1.0,
        objects_dir: None,
        signed_manifest: None,
    }
}

/// 09:00 local: no item has a time range, any time will do.
fn now_local() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-28 09:00", "%Y-%m-%d %H:%M").unwrap()
}

/// A neutral picture (no file is opened).
fn picture(name: &str) -> Item {
    crate::test_support::item(name, name, Language::Neutral)
}

fn urgent(name: &str) -> Item {
    Item {
        urgent: true,
        ..picture(name)
    }
}

fn catalog(items: &[Item]) -> Catalog {
    Catalog {
        items: items.to_vec(),
        ..Default::default()
    }
}

fn playback_of(items: &[Item]) -> Playback {
    let mut playback = Playback::new(&settings());
    playback.apply_catalog(&catalog(items));
    playback
}

/// Takes the playlist's next item and gets it ready (as a decoded
/// picture, or a fitted slide for `slide`), without a stage.
fn prepare(playback: &mut Playback, now: f64, slide: Option<Entity>) -> Item {
    let (item, _) = playback
        .next_item(now, now_local(), None)
        .expect("something to play");
    let (prep, staged) = match slide {
        Some(slide) => (Prep::Text(slide), Staged::Slide),
        None => (
            Prep::PictureReady(Handle::default(), Vec2::new(1920.0, 1080.0)),
            Staged::OnLayer(1),
        ),
    };
    playback.start_preparing(item.clone(), now, prep);
    playback.preparing.as_mut().unwrap().staged = Some(staged);
    item
}

/// The playlist's next item, prepared and presented at `now` for `seconds`.
fn show_next(playback: &mut Playback, now: f64, seconds: f64) -> Event {
    prepare(playback, now, None);
    let staged = playback.take_staged().expect("staged");
    playback.present(staged, now, seconds)
}

fn name(event: &Option<Event>) -> Option<(&str, Ending)> {
    match event {
        Some(Event::PlayEnded { item, ended, .. }) => Some((item.as_str(), *ended)),
        _ => None,
    }
}

#[test]
fn an_item_shown_to_its_end_journals_how_long_it_showed() {
    let mut playback = playback_of(&[picture("a.png"), picture("b.png")]);
    let started = show_next(&mut playback, 10.0, 8.0);
    assert_eq!(
        started,
        Event::PlayStarted {
            item: "a.png".into(),
            kind: "image".into(),
            language: "neutral".into(),
            sha256: None,
        }
    );
    assert_eq!(
        playback.current_item().map(|i| i.rel.clone()),
        Some("a.png".into())
    );
    // Its successor is prepared `preroll_seconds` before its end.
    let no_slides = |_, _| true;
    assert!(!playback.wants_next(16.9, 1.0, no_slides));
    assert!(playback.wants_next(17.0, 1.0, no_slides));

    let ended = playback.end_showing(18.0, Ending::Completed, None);
    assert_eq!(
        ended,
        Some(Event::PlayEnded {
            item: "a.png".into(),
            kind: "image".into(),
            language: "neutral".into(),
            shown_ms: 8000,
            frames: None,
            pages: None,
            ended: Ending::Completed,
            reason: None,
        })
    );
    // The screen is free; nothing more ends.
    assert!(playback.current_item().is_none());
    assert_eq!(playback.end_showing(19.0, Ending::Completed, None), None);
}

#[test]
fn a_text_slide_ends_with_its_pages_and_stays_until_the_next_item_shows() {
    let slide = Entity::from_raw_u32(7).unwrap();
    let mut playback = playback_of(&[picture("a.md"), picture("b.png")]);
    prepare(&mut playback, 0.0, Some(slide));
    let staged = playback.take_staged().unwrap();
    playback.present(staged, 0.0, 5.0);

    let ended = playback.end_showing(5.0, Ending::Completed, None);
    assert!(matches!(
        ended,
        Some(Event::PlayEnded { pages: Some(1), .. })
    ));
    assert!(playback.take_retired().is_empty(), "still on screen");
    show_next(&mut playback, 5.0, 8.0);
    assert_eq!(playback.take_retired(), vec![slide]);
}

#[test]
fn a_failing_item_is_journaled_and_not_tried_again_until_its_file_changes() {
    let bad = picture("bad.png");
    let mut playback = playback_of(&[bad.clone(), picture("good.png")]);
    let (first, _) = playback.next_item(0.0, now_local(), None).unwrap();
    assert_eq!(first, bad);
    assert_eq!(
        playback.fail(&first, "cannot decode picture".into()),
        Event::ItemFailed {
            item: "bad.png".into(),
            kind: "image".into(),
            reason: "cannot decode picture".into(),
            stage: "play".into(),
        }
    );
    for _ in 0..4 {
        let (next, _) = playback.next_item(0.0, now_local(), None).unwrap();
        assert_eq!(next.rel, Path::new("good.png"));
    }

    // A new copy (another modification time) is tried again.
    let copy = Item {
        modified: bad.modified + Duration::from_secs(60),
        ..bad.clone()
    };
    playback.apply_catalog(&catalog(&[copy.clone(), picture("good.png")]));
    let shown: Vec<Item> = (0..2)
        .map(|_| playback.next_item(0.0, now_local(), None).unwrap().0)
        .collect();
    assert!(shown.contains(&copy), "{shown:?}");
}

#[test]
fn the_item_whose_texture_the_gpu_refused_is_dropped_or_ended_and_not_tried_again() {
    let mut playback = playback_of(&[picture("a.png"), picture("b.png"), picture("c.png")]);
    show_next(&mut playback, 0.0, 8.0);
    prepare(&mut playback, 7.0, None);
    assert_eq!(
        playback.fail_rendering("unknown.png", "refused".into(), 7.5),
        [],
        "an item neither prepared nor shown is left alone"
    );
    let dropped = playback.fail_rendering("b.png", "the GPU refused it".into(), 7.5);
    assert!(
        matches!(&dropped[..], [Event::ItemFailed { item, .. }] if item == "b.png"),
        "{dropped:?}"
    );
    assert!(playback.preparing.is_none());
    assert_eq!(
        playback.current_item().map(|i| i.rel.clone()),
        Some("a.png".into()),
        "the item on screen plays on"
    );
    let ended = playback.fail_rendering("a.png", "the GPU refused it".into(), 7.5);
    assert!(
        matches!(&ended[..], [Event::ItemFailed { item, .. }, Event::PlayEnded { ended: Ending::Error, .. }] if item == "a.png"),
        "{ended:?}"
    );
    assert!(playback.current_item().is_none());
    for _ in 0..3 {
        let (next, _) = playback.next_item(8.0, now_local(), None).unwrap();
        assert_eq!(next.rel, Path::new("c.png"));
    }
}

#[test]
fn an_item_failing_while_prepared_is_dropped_with_its_slide() {
    let slide = Entity::from_raw_u32(3).unwrap();
    let mut playback = playback_of(&[picture("empty.md"), picture("good.png")]);
    let (item, _) = playback.next_item(0.0, now_local(), None).unwrap();
    playback.start_preparing(item, 0.0, Prep::Text(slide));

    let failed = playback.fail_preparing("text not laid out after 10 s".into());
    assert!(matches!(
        failed,
        Some(Event::ItemFailed { ref item, ref stage, .. }) if item == "empty.md" && stage == "play"
    ));
    assert!(playback.preparing.is_none());
    assert_eq!(playback.take_retired(), vec![slide]);
    assert_eq!(playback.fail_preparing("again".into()), None);
}

#[test]
fn a_new_urgent_item_ends_the_one_on_screen_as_skipped_and_is_journaled_preempted() {
    let mut playback = playback_of(&[picture("a.png"), picture("b.png")]);
    show_next(&mut playback, 0.0, 8.0);
    prepare(&mut playback, 6.0, None);
    assert!(playback.preempt_for_urgent(6.5, now_local()).is_none());

    playback.apply_catalog(&catalog(&[
        picture("a.png"),
        picture("b.png"),
        urgent("alert.png"),
    ]));
    let preemption = playback.preempt_for_urgent(7.0, now_local()).unwrap();
    assert_eq!(preemption.interrupted.as_deref(), Some("a.png"));
    assert_eq!(name(&preemption.ended), Some(("a.png", Ending::Skipped)));
    assert!(playback.preparing.is_none(), "b is dropped");

    let (next, preempted) = playback
        .next_item(7.0, now_local(), preemption.interrupted)
        .unwrap();
    assert_eq!(next.rel, Path::new("alert.png"));
    assert_eq!(
        preempted,
        Some(Event::Preempted {
            item: "alert.png".into(),
            interrupted: Some("a.png".into()),
        })
    );
}

#[test]
fn nothing_to_play_brings_up_the_fallback_slide_and_asks_again_later() {
    let mut playback = playback_of(&[]);
    assert!(playback.wants_next(0.0, 1.0, |_, _| true));
    assert!(playback.next_item(0.0, now_local(), None).is_none());
    assert!(playback.take_staged().is_none());
    assert!(playback.show_fallback_if_idle());
    assert!(playback.is_fallback());
    assert!(!playback.show_fallback_if_idle(), "already up");
    assert!(!playback.wants_next(1.9, 1.0, |_, _| true));
    assert!(playback.wants_next(2.0, 1.0, |_, _| true));
    assert_eq!(playback.next_due(0.5, 1.0), Some(2.0), "woken to ask again");
}

#[test]
fn the_loop_is_woken_when_an_item_is_due_and_kept_drawing_while_one_is_readied() {
    let mut playback = playback_of(&[picture("a.png"), picture("b.png")]);
    assert_eq!(playback.next_due(0.0, 1.0), None, "nothing on screen");
    show_next(&mut playback, 10.0, 8.0);
    assert_eq!(
        playback.next_due(10.0, 1.0),
        Some(17.0),
        "its successor's preparation"
    );
    assert_eq!(playback.next_due(17.0, 1.0), Some(18.0), "its end");
    assert_eq!(playback.next_due(18.0, 1.0), None, "past");
    assert!(!playback.is_readying());
    let (item, _) = playback.next_item(17.0, now_local(), None).unwrap();
    let picture = Prep::PictureReady(Handle::default(), Vec2::ONE);
    playback.start_preparing(item, 17.0, picture);
    assert!(playback.is_readying(), "polled every frame until staged");
    playback.preparing.as_mut().unwrap().staged = Some(Staged::OnLayer(1));
    assert!(!playback.is_readying(), "staged, it waits for its turn");

    // A picture decoding on its thread: that thread wakes the loop.
    let (item, _) = playback.next_item(18.0, now_local(), None).unwrap();
    let decoding = Prep::Picture(crate::job::Job::start("test", || Err("x".into())));
    playback.start_preparing(item, 18.0, decoding);
    assert!(!playback.is_readying(), "not drawn for while it decodes");
}

#[test]
fn closing_stops_the_item_on_screen_and_drops_the_next() {
    let slide = Entity::from_raw_u32(5).unwrap();
    let mut playback = playback_of(&[picture("a.png"), picture("b.md")]);
    show_next(&mut playback, 0.0, 8.0);
    prepare(&mut playback, 7.0, Some(slide));

    assert_eq!(name(&playback.close(7.5)), Some(("a.png", Ending::Stopped)));
    assert!(playback.current_item().is_none());
    assert!(playback.preparing.is_none());
    assert_eq!(playback.take_retired(), vec![slide]);
    assert_eq!(playback.close(8.0), None, "nothing left to stop");
}

#[test]
fn exit_stops_the_item_on_screen() {
    let mut playback = playback_of(&[picture("a.png")]);
    show_next(&mut playback, 0.0, 8.0);
    let ended = playback.stop_at_exit(3.0);
    assert_eq!(name(&ended), Some(("a.png", Ending::Stopped)));
    assert!(matches!(
        ended,
        Some(Event::PlayEnded { shown_ms: 3000, .. })
    ));
}
