//! The content rules end to end, through the `Scanner` with real files: one test per rejection reason, and the naming conventions.

use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::fixtures::*;
use crate::content::{Kind, Language, ScanOptions, Scanner, SidecarKind, Unlisted};

#[test]
fn rejects_truncated_mp4_with_the_probe_message() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "truncated.mp4", b"\0\0\0\x18ftypmp42\0\0\0\0");
    assert_eq!(
        reason(&scan(dir.path()), "truncated.mp4"),
        "could not determine type of stream (qtdemux: no 'moov' atom within the first 10 MB)",
        "the probe's own message, word for word"
    );
}

#[test]
fn rejects_random_bytes_named_jpg() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    put(dir.path(), "photo.jpg", &bytes);
    assert!(reason(&scan(dir.path()), "photo.jpg").starts_with("not a valid image: "));
}

#[test]
fn rejects_png_header_claiming_20000_by_20000() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "bomb.png", &png_header(20_000, 20_000));
    assert_eq!(
        reason(&scan(dir.path()), "bomb.png"),
        "image is 20000x20000 = 400.0 megapixels, over the limit of 40.0 (refused before decoding)"
    );
}

#[test]
fn rejects_zero_byte_file() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "empty.vi.jpg", b"");
    assert_eq!(
        reason(&scan(dir.path()), "empty.vi.jpg"),
        "empty file (0 bytes)"
    );
}

#[test]
fn rejects_syncthing_temp_name() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), ".syncthing.clip.vi.mp4.tmp", b"half a video");
    put(dir.path(), "~syncthing~clip.en.mp4.tmp", b"half a video");
    let catalog = scan(dir.path());
    assert_eq!(
        reason(&catalog, ".syncthing.clip.vi.mp4.tmp"),
        "temporary file still being written (Syncthing)"
    );
    assert_eq!(
        reason(&catalog, "~syncthing~clip.en.mp4.tmp"),
        "temporary file still being written (Syncthing)"
    );
}

#[test]
fn rejects_symlink_to_etc_passwd_named_jpg() {
    let dir = tempfile::tempdir().unwrap();
    symlink("/etc/passwd", dir.path().join("a.jpg")).unwrap();
    assert_eq!(
        reason(&scan(dir.path()), "a.jpg"),
        "symlink points outside the content folder"
    );
}

#[test]
fn rejects_directory_named_x_mp4() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "x.mp4/inner.jpg", &jpeg_header(10, 10));
    assert!(reason(&scan(dir.path()), "x.mp4").starts_with("is a directory"));
}

#[test]
fn rejects_manifest_paths_outside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "a.png", &png_header(10, 10));
    symlink("/etc", dir.path().join("etc-link")).unwrap();
    put(
        dir.path(),
        "playlist.yaml",
        b"items:\n  - file: ../secret.jpg\n  - file: /etc/passwd\n  - file: etc-link/passwd\n  - file: gone.png\n  - file: a.png\n",
    );
    let catalog = scan(dir.path());
    assert_eq!(playable(&catalog), ["a.png"]);
    assert_eq!(
        reason(&catalog, "../secret.jpg"),
        "playlist.yaml item 1: '..' is refused: paths stay inside the content folder"
    );
    assert_eq!(
        reason(&catalog, "/etc/passwd"),
        "playlist.yaml item 2: absolute paths are refused: give the path relative to the content folder"
    );
    assert_eq!(
        reason(&catalog, "etc-link/passwd"),
        "playlist.yaml item 3: inside etc-link, which is not scanned: symlink points outside the content folder"
    );
    assert_eq!(
        reason(&catalog, "gone.png"),
        "listed in playlist.yaml but missing (item 4)"
    );
    assert_eq!(catalog.manifest_error, None);
}

#[test]
fn rejects_conflict_copy_unless_listed() {
    let dir = tempfile::tempdir().unwrap();
    let copy = "welcome.vi.sync-conflict-20261201-101010-ABCDEFG.png";
    put(dir.path(), copy, &png_header(10, 10));
    assert!(reason(&scan(dir.path()), copy).starts_with("Syncthing conflict copy"));
    put(
        dir.path(),
        "playlist.yaml",
        format!("items:\n  - file: {copy}\n").as_bytes(),
    );
    assert_eq!(playable(&scan(dir.path())), [copy]);
}

#[test]
fn names_group_language_variants_and_sidecars() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "campaign/welcome.vi.png", &png_header(1920, 1080));
    put(d, "campaign/welcome.en.JPG", &jpeg_header(1920, 1080));
    put(d, "campaign/Cha\u{300}o.km.png", &png_header(800, 600)); // decomposed, as from macOS
    put(d, "clip.vi.mp4", b"video");
    put(
        d,
        "clip.km.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\nxin chao\n",
    );
    put(d, "lonely.en.vtt", b"WEBVTT\n");
    put(d, "ticker.km.txt", "ព័ត៌មាន\n".as_bytes());
    put(d, "tin-tuc.vi.md", "# Tin tức\n".as_bytes());
    put(d, "urgent/flood.vi.png", &png_header(1280, 720));
    put(d, "playlist.yaml.minisig", b"sig");
    put(d, "control.yaml", b"off: true\n");
    let catalog = scan(d);
    assert_eq!(
        playable(&catalog),
        [
            "campaign/Cha\u{300}o.km.png",
            "campaign/welcome.en.JPG",
            "campaign/welcome.vi.png",
            "clip.vi.mp4",
            "tin-tuc.vi.md",
            "urgent/flood.vi.png"
        ]
    );
    let summary: Vec<_> = catalog
        .items
        .iter()
        .map(|i| (i.group.as_str(), i.kind, i.language, i.urgent))
        .collect();
    assert_eq!(
        summary[0],
        ("campaign/Ch\u{e0}o", Kind::Image, Language::Km, false)
    );
    assert_eq!(
        summary[1],
        ("campaign/welcome", Kind::Image, Language::En, false)
    );
    assert_eq!(summary[3], ("clip", Kind::Video, Language::Vi, false));
    assert_eq!(summary[4], ("tin-tuc", Kind::Text, Language::Vi, false));
    assert_eq!(
        summary[5],
        ("urgent/flood", Kind::Image, Language::Vi, true)
    );
    assert_eq!(
        catalog.items[3].info.unwrap().duration,
        Some(Duration::from_secs(15))
    );
    let sidecars: Vec<_> = catalog
        .sidecars
        .iter()
        .map(|s| (s.rel.to_str().unwrap(), s.kind, s.language))
        .collect();
    assert_eq!(
        sidecars,
        [
            ("clip.km.srt", SidecarKind::Captions, Language::Km),
            ("ticker.km.txt", SidecarKind::Ticker, Language::Km)
        ]
    );
    assert_eq!(catalog.captions_for(&catalog.items[3]).count(), 1);
    assert!(reason(&catalog, "lonely.en.vtt").starts_with("captions without a video"));
    assert_eq!(
        catalog.rejected.len(),
        1,
        "control files are neither items nor rejected"
    );
    assert!(
        catalog
            .missing_variants
            .contains(&("campaign/welcome".into(), vec![Language::Km]))
    );
    assert!(catalog.missing_variants.contains(&(
        "campaign/Ch\u{e0}o".into(),
        vec![Language::Vi, Language::En]
    )));
}

#[test]
fn fresh_files_are_pending_until_settled() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "clip.vi.mp4", b"still being written");
    put(dir.path(), "empty-yet.jpg", b"");
    let mut scanner = Scanner::new(dir.path().into(), ScanOptions::default(), None);
    let mut probe = FakeProbe::default();
    let now = SystemTime::now();
    let catalog = scanner.scan(&mut probe, now);
    assert_eq!(
        catalog.pending,
        [PathBuf::from("clip.vi.mp4"), PathBuf::from("empty-yet.jpg")]
    );
    assert!(catalog.items.is_empty() && catalog.rejected.is_empty());
    assert!(
        probe.calls.is_empty(),
        "a file being written is never opened"
    );
    let catalog = scanner.scan(&mut probe, now + Duration::from_secs(3));
    assert_eq!(playable(&catalog), ["clip.vi.mp4"]);
    assert_eq!(reason(&catalog, "empty-yet.jpg"), "empty file (0 bytes)");
}

#[test]
fn manifest_orders_listed_first_then_unlisted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for rel in [
        "a.png",
        "b.png",
        "welcome.vi.png",
        "welcome.en.png",
        "news/x.png",
    ] {
        put(d, rel, &png_header(10, 10));
    }
    put(d, "playlist.yaml", b"version: 7\nitems:\n  - file: news/x.png\n    duration: 8\n    urgent: true\n  - group: welcome\n    from: 2026-12-01T07:00\n");
    let catalog = scan(d);
    assert_eq!(
        playable(&catalog),
        [
            "news/x.png",
            "welcome.en.png",
            "welcome.vi.png",
            "a.png",
            "b.png"
        ]
    );
    assert_eq!(catalog.items[0].duration, Some(Duration::from_secs(8)));
    assert!(catalog.items[0].urgent);
    assert_eq!(
        catalog.items[1].from.unwrap().to_string(),
        "2026-12-01 07:00:00"
    );
    assert_eq!(catalog.manifest_version, Some(7));

    let mut ignoring = Scanner::new(
        d.into(),
        ScanOptions {
            unlisted: Unlisted::Ignore,
            ..Default::default()
        },
        None,
    );
    let catalog = ignoring.scan(&mut FakeProbe::default(), later());
    assert_eq!(
        playable(&catalog),
        ["news/x.png", "welcome.en.png", "welcome.vi.png"]
    );
    assert_eq!(
        reason(&catalog, "a.png"),
        "not listed in playlist.yaml (unlisted: ignore)"
    );
    // The manifest overrides the option.
    put(
        d,
        "playlist.yaml",
        b"unlisted: play\nitems:\n  - file: b.png\n",
    );
    assert_eq!(
        playable(&ignoring.scan(&mut FakeProbe::default(), later()))[..2],
        ["b.png", "a.png"]
    );
}

#[test]
fn rejects_fifos_named_like_files_the_player_reads_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "good.png", &png_header(10, 10));
    for name in ["a.png", "control.yaml", "playlist.yaml", "news.vi.srt"] {
        let made = std::process::Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .unwrap();
        assert!(made.success());
    }
    // Inside the folder, but leading to a FIFO; outside, to a terminal.
    symlink(dir.path().join("a.png"), dir.path().join("b.png")).unwrap();
    symlink("/dev/tty", dir.path().join("c.png")).unwrap();
    let path = dir.path().to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(scan(&path));
    });
    let catalog = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the scan blocked on a FIFO");
    assert_eq!(playable(&catalog), ["good.png"]);
    for name in [
        "a.png",
        "b.png",
        "control.yaml",
        "playlist.yaml",
        "news.vi.srt",
    ] {
        assert_eq!(
            reason(&catalog, name),
            "not a regular file (device, pipe or socket)",
            "{name}"
        );
    }
    assert_eq!(
        reason(&catalog, "c.png"),
        "symlink points outside the content folder"
    );
}

#[test]
fn a_slide_s_background_goes_with_it_and_a_bad_one_is_refused_naming_why() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "notice.vi.txt", b"Title\nBody\n");
    put(dir.path(), "notice.km.txt", b"Title\nBody\n");
    put(dir.path(), "notice.vi.bg.png", &png_header(1920, 1080));
    put(dir.path(), "notice.bg.jpg", &jpeg_header(1280, 720));
    put(dir.path(), "notice.en.bg.png", &png_header(1920, 1080));
    put(dir.path(), "broken.vi.txt", b"Title\n");
    put(
        dir.path(),
        "broken.vi.bg.png",
        b"not a picture at all, only words",
    );
    put(dir.path(), "huge.vi.txt", b"Title\n");
    put(dir.path(), "huge.vi.bg.png", &png_header(20_000, 20_000));
    let catalog = scan(dir.path());
    assert_eq!(
        playable(&catalog),
        [
            "broken.vi.txt",
            "huge.vi.txt",
            "notice.km.txt",
            "notice.vi.txt"
        ],
        "no background picture is an item of its own"
    );
    let background = |slide: &str| {
        let item = catalog
            .items
            .iter()
            .find(|i| i.rel == std::path::Path::new(slide));
        catalog
            .background_for(item.unwrap())
            .map(|s| s.rel.to_str().unwrap().to_owned())
    };
    assert_eq!(
        background("notice.vi.txt").as_deref(),
        Some("notice.vi.bg.png")
    );
    assert_eq!(
        background("notice.km.txt").as_deref(),
        Some("notice.bg.jpg"),
        "NAME.bg goes with every language without one of its own"
    );
    assert_eq!(background("broken.vi.txt"), None);
    assert!(
        reason(&catalog, "broken.vi.bg.png")
            .starts_with("background picture not usable: not a valid image"),
        "{:?}",
        catalog.rejected
    );
    assert!(reason(&catalog, "huge.vi.bg.png").contains("400.0 megapixels"));
    assert_eq!(
        reason(&catalog, "notice.en.bg.png"),
        "background picture without a text slide: no notice.en.txt or notice.en.md next to it"
    );
}

#[test]
fn a_background_picture_over_its_byte_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "notice.vi.txt", b"Title\n");
    let mut bytes = png_header(1920, 1080);
    bytes.resize(crate::content::MAX_BACKGROUND_BYTES as usize + 1, 0);
    put(dir.path(), "notice.vi.bg.png", &bytes);
    assert_eq!(
        reason(&scan(dir.path()), "notice.vi.bg.png"),
        "background picture of 33 MiB, larger than 32 MiB: save it smaller (a 1920x1080 JPEG is enough)"
    );
}
