//! An inspection (`ScanOptions::inspect_only`, what `check`, `catalog` and the overlay's self-test
//! scan with) beside a running player: it leaves the data folder exactly as the player left it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::content::tests::fixtures::*;
use crate::content::{Catalog, ScanOptions, Scanner};

/// Every file under `dir` (recursively, symlinks as their target's path) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(dir).unwrap().to_owned();
            if meta.is_dir() {
                folders.push(path);
            } else if meta.is_symlink() {
                files.insert(
                    rel,
                    fs::read_link(&path)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                );
            } else {
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The rollback floor the player keeps (`highest_version` in the trust state).
fn rollback_floor(data: &Path) -> u64 {
    let text = fs::read(data.join("state/trust.json")).unwrap();
    let state: serde_json::Value = serde_json::from_slice(&text).unwrap();
    state["highest_version"].as_u64().unwrap()
}

fn scan_with(content: &Path, options: ScanOptions, data: &Path) -> Catalog {
    let cache = Some(data.join("probe-cache.json"));
    Scanner::new(content.into(), options, cache).scan(&mut FakeProbe::default(), later())
}

#[test]
fn an_inspection_leaves_the_data_folder_as_the_player_left_it() {
    let office = Office::new();
    let (content, other, data) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let data = data.path();
    for dir in [content.path(), other.path()] {
        put(dir, "a.png", &png_header(640, 360));
        put(dir, "clip.vi.mp4", b"video clip bytes");
    }
    office.publish(content.path());
    let player = ScanOptions {
        trust: office.trust(),
        trust_state: Some(data.join("state/trust.json")),
        verified_store: Some(data.join("verified")),
        ..Default::default()
    };
    let played = scan_with(content.path(), player.clone(), data);
    assert_eq!(playable(&played), ["a.png", "clip.vi.mp4"]);
    assert_eq!(rollback_floor(data), 1);
    // The player's own work in progress: a clip half copied, and the copy of the last release's
    // picture, kept while it is still on screen.
    put(data, "verified/.tmpCopying", b"half of a large clip");
    let previous = format!("{}.png", "ab".repeat(32));
    put(
        data,
        &format!("verified/{previous}"),
        b"last release's picture",
    );
    let before = snapshot(data);

    let inspected = scan_with(content.path(), player.clone().inspect_only(), data);
    assert_eq!(playable(&inspected), ["a.png", "clip.vi.mp4"]);
    assert_eq!(inspected.manifest_error, None);
    for item in &inspected.items {
        assert!(
            item.path.starts_with(content.path()),
            "hashed in place: {item:?}"
        );
    }
    assert_eq!(
        snapshot(data),
        before,
        "the inspection changed the data folder"
    );

    // `catalog --content OTHER`: a newer signed release elsewhere is shown as it would play, and
    // the kiosk's rollback floor stays where the player put it.
    put(other.path(), "new.png", &png_header(320, 200));
    office.publish(other.path());
    office.publish(other.path());
    let elsewhere = scan_with(other.path(), player.clone().inspect_only(), data);
    assert_eq!(elsewhere.manifest_version, Some(2));
    assert_eq!(playable(&elsewhere), ["a.png", "clip.vi.mp4", "new.png"]);
    assert_eq!(
        snapshot(data),
        before,
        "inspecting another folder changed the data folder"
    );
    assert_eq!(rollback_floor(data), 1);

    // The player, restarted, still accepts its own release: it was not taken for a replay.
    let restarted = scan_with(content.path(), player, data);
    assert_eq!(restarted.manifest_error, None);
    assert_eq!(playable(&restarted), ["a.png", "clip.vi.mp4"]);
}
