//! The SHA-256 `play_started` carries: an item waits for its bytes to be
//! kept, and one the store refuses is shown without it.

use std::time::Duration;

use super::{catalog, picture, prepare, settings};
use crate::content::Item;
use crate::journal::Event;
use crate::player::PlayerSettings;
use crate::player::playback::{Playback, Preparing};

/// The bytes of the item shown are hashed and kept while it prepares; its
/// `play_started` waits for that and carries their SHA-256.
#[test]
fn an_item_is_shown_once_its_bytes_are_kept_and_journals_their_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.png");
    std::fs::write(&file, b"the picture's bytes").unwrap();
    let objects = dir.path().join("objects");
    let mut playback = Playback::new(&PlayerSettings {
        objects_dir: Some(objects.clone()),
        ..settings()
    });
    let item = Item {
        path: file.clone(),
        ..picture("a.png")
    };
    playback.apply_catalog(&catalog(&[item]));
    prepare(&mut playback, 0.0, None);
    let staged = staged_once_fingerprinted(&mut playback, "never hashed");
    let Event::PlayStarted { sha256, .. } = playback.present(staged, 0.2, 5.0) else {
        panic!("not a play_started");
    };
    let store = crate::backup::ObjectStore::new(&objects);
    let sha256 = sha256.expect("the sha256 of what was shown");
    let kept = store.path_of(&sha256).unwrap();
    assert_eq!(std::fs::read(kept).unwrap(), b"the picture's bytes");
}

/// A file the store cannot take (here a FIFO) is shown without a `sha256`,
/// and the hashing never blocks.
#[test]
fn an_item_the_store_refuses_is_shown_without_a_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("a.png");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut playback = Playback::new(&PlayerSettings {
        objects_dir: Some(dir.path().join("objects")),
        ..settings()
    });
    let item = Item {
        path: fifo,
        ..picture("a.png")
    };
    playback.apply_catalog(&catalog(&[item]));
    prepare(&mut playback, 0.0, None);
    let staged = staged_once_fingerprinted(&mut playback, "blocked on the FIFO");
    let started = playback.present(staged, 0.2, 5.0);
    assert!(
        matches!(started, Event::PlayStarted { sha256: None, .. }),
        "{started:?}"
    );
}

/// Polls the file's fingerprint job until the prepared item may be shown;
/// panics with `stuck` after 20 s.
fn staged_once_fingerprinted(playback: &mut Playback, stuck: &str) -> Preparing {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        playback.poll_fingerprint(0.1);
        if let Some(staged) = playback.take_staged() {
            return staged;
        }
        assert!(std::time::Instant::now() < deadline, "{stuck}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
