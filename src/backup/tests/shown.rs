//! Every version shown is in the month's archive: objects from the
//! shown-content store, named by the `sha256` of the `play_started` lines.

use std::collections::BTreeMap;
use std::io::Read;

use sha2::Digest;

use super::*;
use crate::backup::hash::{hex, sidecar_of};
use crate::backup::objects::{ObjectStore, ShownObjects};

/// Shows `item` now in the fixture's content folder: its bytes go into the
/// store and a `play_started` line with their SHA-256 into the journal.
fn show(fx: &Fixture, shown: &mut ShownObjects, item: &str, local: &str) -> String {
    let sha256 = shown.archive(&fx.content_dir().join(item)).unwrap();
    let started = Event::PlayStarted {
        item: item.into(),
        kind: "image".into(),
        language: "vi".into(),
        sha256: Some(sha256.clone()),
    };
    fx.journal_at(local, &started);
    sha256
}

/// Replaces a content file the way a sync engine does: a new file renamed over.
fn replace(fx: &Fixture, item: &str, bytes: &str) {
    let temp = fx.content_dir().join(".incoming.tmp");
    std::fs::write(&temp, bytes).unwrap();
    std::fs::rename(&temp, fx.content_dir().join(item)).unwrap();
}

/// The archive's files below its top folder, with their bytes.
fn archived(archive: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
    let mut files = BTreeMap::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let (_, below) = path.split_once('/').unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(below.to_owned(), bytes);
    }
    files
}

fn store(fx: &Fixture) -> ObjectStore {
    ObjectStore::new(fx.job("2026-11", false).objects_dir())
}

/// A kiosk whose content folder holds `files` (`(name, text)`), and the
/// player's side of its shown-content store.
fn showing(files: &[(&str, &str)]) -> (Fixture, ShownObjects) {
    let fx = Fixture::new();
    fx.write_content(files);
    let shown = ShownObjects::new(store(&fx));
    (fx, shown)
}

#[test]
fn a_file_replaced_mid_month_and_one_removed_are_both_in_the_archive() {
    let (fx, mut shown) = showing(&[
        ("tin-tuc.vi.txt", "Bản tin số 1"),
        ("gone.vi.txt", "Thông báo cũ"),
    ]);
    let first = show(&fx, &mut shown, "tin-tuc.vi.txt", "2026-11-02 08:00");
    let gone = show(&fx, &mut shown, "gone.vi.txt", "2026-11-02 08:01");
    replace(&fx, "tin-tuc.vi.txt", "Bản tin số 2");
    let second = show(&fx, &mut shown, "tin-tuc.vi.txt", "2026-11-16 08:00");
    show(&fx, &mut shown, "tin-tuc.vi.txt", "2026-11-17 08:00");
    std::fs::remove_file(fx.content_dir().join("gone.vi.txt")).unwrap();
    replace(&fx, "tin-tuc.vi.txt", "Bản tin số 3, never shown");

    let outcome = fx.backup("2026-11", false).unwrap();
    let summary = outcome.summary();
    assert!(summary.missing.is_empty(), "{:?}", summary.missing);
    let files = archived(&summary.archive);
    let object = |sha: &str| String::from_utf8(files[&format!("objects/{sha}")].clone()).unwrap();
    assert_eq!(object(&first), "Bản tin số 1");
    assert_eq!(object(&second), "Bản tin số 2");
    assert_eq!(object(&gone), "Thông báo cũ");
    let objects = files.keys().filter(|k| k.starts_with("objects/")).count();
    assert_eq!(objects, 3, "exactly the versions shown: {:?}", files.keys());
    assert!(
        !files.keys().any(|k| k.starts_with("content/")),
        "nothing taken from the folder as it is now"
    );
    let index: serde_json::Value = serde_json::from_slice(&files[INDEX]).unwrap();
    let second_entry = index["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == format!("objects/{second}"))
        .unwrap();
    assert_eq!(second_entry["items"][0], "tin-tuc.vi.txt");
    assert_eq!(second_entry["shown"]["plays"], 2);
    assert!(verify(&summary.archive).unwrap().is_intact());
}

#[test]
fn an_object_damaged_or_lost_in_the_store_is_listed_missing_not_archived() {
    let (fx, mut shown) = showing(&[("a.vi.txt", "một"), ("b.vi.txt", "hai")]);
    let a = show(&fx, &mut shown, "a.vi.txt", "2026-11-02 08:00");
    let b = show(&fx, &mut shown, "b.vi.txt", "2026-11-02 08:01");
    // Damaged: other bytes under its name (replaced, so the hard-linked
    // content file is untouched); lost: gone from the store.
    let a_object = store(&fx).path_of(&a).unwrap();
    std::fs::remove_file(&a_object).unwrap();
    std::fs::write(&a_object, "sửa").unwrap();
    std::fs::remove_file(store(&fx).path_of(&b).unwrap()).unwrap();

    let outcome = fx.backup("2026-11", false).unwrap();
    let missing = &outcome.summary().missing;
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing
            .iter()
            .any(|m| m.contains("a.vi.txt") && m.contains("damaged"))
    );
    assert!(
        missing
            .iter()
            .any(|m| m.contains("b.vi.txt") && m.contains("not in the object store"))
    );
    let files = archived(&outcome.summary().archive);
    assert!(!files.keys().any(|k| k.starts_with("objects/")));
}

#[test]
fn verify_fails_on_an_object_whose_bytes_are_not_its_name() {
    // An archive whose manifest was rewritten to match a swapped object: the
    // manifest agrees, the object's name (the journal's sha256) does not.
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("infokiosk-tb-1-2026-11.tar.zst");
    let named = "a".repeat(64);
    let bytes = b"swapped picture";
    let actual = hex(&sha2::Sha256::digest(bytes));
    let manifest = format!("{actual}  objects/{named}\n");
    let file = std::fs::File::create(&archive).unwrap();
    let mut tar = tar::Builder::new(zstd::stream::write::Encoder::new(file, 3).unwrap());
    for (name, data) in [
        (format!("objects/{named}"), bytes.as_slice()),
        (MANIFEST.to_owned(), manifest.as_bytes()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        tar.append_data(&mut header, format!("top/{name}"), data)
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    let report = verify(&archive).unwrap();
    assert!(!report.is_intact());
    assert!(
        report.to_string().contains("not the one it is named by"),
        "{report}"
    );
}

#[test]
fn the_verified_archive_and_its_checksum_are_copied_into_the_outbox() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg"]);
    let archive = fx.backed_up("2026-11");
    let outbox = fx.dir.path().join("outbox");
    let copy = export_to_outbox(&archive, &outbox).unwrap();
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&archive).unwrap()
    );
    let sum = sidecar_of(&archive);
    assert_eq!(
        std::fs::read(sidecar_of(&copy)).unwrap(),
        std::fs::read(&sum).unwrap()
    );
    assert!(verify(&copy).unwrap().is_intact(), "the copy verifies");
    let mut names: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ARCHIVE_AND_SUM, "no temporary file left");
    // Again: left alone.
    let before = std::fs::metadata(&copy).unwrap().modified().unwrap();
    export_to_outbox(&archive, &outbox).unwrap();
    assert_eq!(
        std::fs::metadata(&copy).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn an_object_leaves_the_store_once_every_month_showing_it_is_archived() {
    let (fx, mut shown) = showing(&[("a.vi.txt", "một"), ("b.vi.txt", "hai"), ("c.vi.txt", "ba")]);
    let store = store(&fx);
    let a = show(&fx, &mut shown, "a.vi.txt", "2026-10-05 08:00");
    show(&fx, &mut shown, "a.vi.txt", "2026-11-05 08:00");
    let b = show(&fx, &mut shown, "b.vi.txt", "2026-11-05 08:01");
    // Stored, its line not written yet.
    let c = shown.archive(&fx.content_dir().join("c.vi.txt")).unwrap();
    let prune = || prune_objects(&store, &fx.journal_dir(), &fx.backup_dir(), "tb-1").unwrap();
    let present = |sha: &str| store.path_of(sha).unwrap().is_file();

    assert!(prune().removed.is_empty(), "no month archived yet");
    fx.backup("2026-10", false).unwrap();
    assert!(prune().removed.is_empty(), "a is still needed by November");
    fx.backup("2026-11", false).unwrap();
    let pruned = prune();
    assert_eq!(pruned.removed.len(), 2, "{pruned:?}");
    assert!(!present(&a) && !present(&b));
    assert!(present(&c), "an object no journal names yet stays");
}

#[test]
fn an_object_stays_while_the_archive_that_holds_it_is_damaged() {
    let (fx, mut shown) = showing(&[("a.vi.txt", "một")]);
    let store = store(&fx);
    let a = show(&fx, &mut shown, "a.vi.txt", "2026-11-05 08:00");
    let archive = fx.backed_up("2026-11");
    flip_byte(&archive, std::fs::metadata(&archive).unwrap().len() / 2);
    let pruned = prune_objects(&store, &fx.journal_dir(), &fx.backup_dir(), "tb-1").unwrap();
    assert!(pruned.removed.is_empty());
    assert!(store.path_of(&a).unwrap().is_file());
}

/// Puts `text` in force as the player does with a ticker file it read: its
/// bytes into the store, a `content_in_force` line into the journal.
fn put_in_force(fx: &Fixture, kind: &str, file: &str, text: &str, local: &str) -> String {
    let sha256 = store(fx).put_bytes(text.as_bytes()).unwrap();
    let line = Event::ContentInForce {
        kind: kind.into(),
        file: file.into(),
        sha256: sha256.clone(),
    };
    fx.journal_at(local, &line);
    sha256
}

#[test]
fn a_ticker_changed_mid_month_is_archived_in_both_versions_and_pruned_only_after() {
    let (fx, mut shown) = showing(&[("a.vi.txt", "một")]);
    show(&fx, &mut shown, "a.vi.txt", "2026-11-02 08:00");
    let ticker = fx.content_dir().join("ticker.vi.txt");
    std::fs::write(&ticker, "Tin thứ nhất\n").unwrap();
    let first = put_in_force(
        &fx,
        "ticker",
        "ticker.vi.txt",
        "Tin thứ nhất\n",
        "2026-11-02 07:00",
    );
    std::fs::write(&ticker, "Tin thứ hai\n").unwrap();
    let second = put_in_force(
        &fx,
        "ticker",
        "ticker.vi.txt",
        "Tin thứ hai\n",
        "2026-11-16 09:30",
    );
    let captions = put_in_force(&fx, "captions", "clip.km.srt", "1\n", "2026-11-16 09:31");
    // The folder moves on: the ticker as it is now was never in force.
    std::fs::write(&ticker, "Tin thứ ba\n").unwrap();

    let outcome = fx.backup("2026-11", false).unwrap();
    let summary = outcome.summary();
    assert!(summary.missing.is_empty(), "{:?}", summary.missing);
    let files = archived(&summary.archive);
    let object = |sha: &str| String::from_utf8(files[&format!("objects/{sha}")].clone()).unwrap();
    assert_eq!(object(&first), "Tin thứ nhất\n");
    assert_eq!(object(&second), "Tin thứ hai\n");
    assert_eq!(object(&captions), "1\n");
    assert_eq!(
        files.keys().filter(|k| k.starts_with("objects/")).count(),
        4
    );
    let index: serde_json::Value = serde_json::from_slice(&files[INDEX]).unwrap();
    let entry = index["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == format!("objects/{second}"))
        .unwrap();
    assert_eq!(entry["items"][0], "ticker.vi.txt");
    assert!(verify(&summary.archive).unwrap().is_intact());

    // Named by the December journal too (still in force): kept until
    // December is archived as well.
    put_in_force(
        &fx,
        "ticker",
        "ticker.vi.txt",
        "Tin thứ hai\n",
        "2026-12-01 07:00",
    );
    let prune = || prune_objects(&store(&fx), &fx.journal_dir(), &fx.backup_dir(), "tb-1");
    let pruned = prune().unwrap();
    assert!(pruned.removed.contains(&first), "{pruned:?}");
    assert!(!pruned.removed.contains(&second), "{pruned:?}");
    assert!(store(&fx).path_of(&second).unwrap().is_file());
}
