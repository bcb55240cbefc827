//! The overlay's controls: pause, next, previous and volume on the state,
//! and the controls system on a tiny `App`.

use std::path::Path;
use std::time::Duration;

use bevy::prelude::*;

use super::{name, now_local, picture, playback_of, show_next};
use crate::clock::Clock;
use crate::journal::plugin::Recorder;
use crate::journal::{Ending, Journal, month_files, read_file};
use crate::player::PlaybackCommand;
use crate::player::playback::Playback;

#[test]
fn a_pause_gives_a_picture_its_time_back_and_next_skips_it() {
    let mut playback = playback_of(&[picture("a.png"), picture("b.png")]);
    show_next(&mut playback, 0.0, 8.0);
    playback.set_paused(true, 2.0);
    assert!(playback.is_paused());
    assert_eq!(
        playback.position(30.0).map(|(at, _)| at),
        Some(Duration::from_secs(2))
    );
    playback.set_paused(false, 12.0);
    // 8 s shown from 0, 10 s paused: it ends at 18, its successor is
    // prepared from 17.
    assert!(!playback.wants_next(16.9, 1.0, |_, _| true));
    assert!(playback.wants_next(17.0, 1.0, |_, _| true));

    playback.set_paused(true, 13.0);
    let skipped = playback.skip(14.0);
    assert_eq!(name(&skipped), Some(("a.png", Ending::Skipped)));
    assert!(!playback.is_paused(), "next resumes");
}

#[test]
fn previous_shows_the_item_before_again() {
    let mut playback = playback_of(&[picture("a.png"), picture("b.png"), picture("c.png")]);
    assert_eq!(playback.go_back(0.0), None, "nothing before");
    show_next(&mut playback, 0.0, 8.0);
    playback.end_showing(8.0, Ending::Completed, None);
    show_next(&mut playback, 8.0, 8.0);

    let skipped = playback.go_back(10.0);
    assert_eq!(name(&skipped), Some(("b.png", Ending::Skipped)));
    let (next, _) = playback.next_item(10.0, now_local(), None).unwrap();
    assert_eq!(next.rel, Path::new("a.png"));
}

#[test]
fn the_volume_stays_between_silent_and_full() {
    let mut playback = playback_of(&[]);
    assert_eq!(playback.volume(), 0.5);
    playback.set_volume(1.7);
    assert_eq!(playback.volume(), 1.0);
    playback.set_volume(-0.2);
    assert_eq!(playback.volume(), 0.0);
}

/// The overlay's "next" on a tiny App: the controls system writes what the
/// state change returned into the journal.
#[test]
fn the_next_command_journals_the_skipped_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut playback = playback_of(&[picture("a.png"), picture("b.png")]);
    show_next(&mut playback, 0.0, 8.0);
    let start = "2026-11-28T02:00:00Z".parse().unwrap();
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(Clock::starting_at(start, 0.0))
        .insert_resource(Recorder::synchronous(
            Journal::open(dir.path(), "test", chrono_tz::Asia::Ho_Chi_Minh).unwrap(),
        ))
        .insert_resource(playback)
        .add_plugins(crate::player::controls::plugin);
    app.update();
    app.world_mut().write_message(PlaybackCommand::Next);
    app.update();

    let lines: Vec<_> = month_files(dir.path())
        .iter()
        .flat_map(|f| read_file(f).records)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["event"], "play_ended");
    assert_eq!(lines[0]["item"], "a.png");
    assert_eq!(lines[0]["ended"], "skipped");
    assert!(app.world().resource::<Playback>().current_item().is_none());
}
