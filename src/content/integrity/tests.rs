//! The integrity rules end to end: content signed with the real `minisign`, manifests from `build_manifest`, checked by the `Scanner` and `verify_folder`.

use std::fs::{self, File};
use std::path::Path;

use tempfile::TempDir;

use super::checksums::NOT_LISTED;
use super::{build_manifest, verify_folder};
use crate::content::tests::fixtures::*;
use crate::content::{Catalog, ScanOptions, Scanner};

/// A kiosk's data folder and content folder, with three signed-off files in it.
struct Kiosk {
    data: TempDir,
    content: TempDir,
}

impl Kiosk {
    fn new() -> Self {
        let kiosk = Kiosk {
            data: tempfile::tempdir().unwrap(),
            content: tempfile::tempdir().unwrap(),
        };
        put(kiosk.dir(), "a.png", &png_header(640, 360));
        put(kiosk.dir(), "clip.vi.mp4", b"video clip bytes");
        put(kiosk.dir(), "news.en.md", b"# Tin moi");
        kiosk
    }

    fn dir(&self) -> &Path {
        self.content.path()
    }

    /// A scanner as the player makes it: a started (or restarted) kiosk.
    fn scanner(&self, office: &Office) -> Scanner {
        let options = ScanOptions {
            trust: office.trust(),
            trust_state: Some(self.data.path().join("state/trust.json")),
            verified_store: Some(self.data.path().join("verified")),
            ..Default::default()
        };
        Scanner::new(self.dir().into(), options, None)
    }
}

fn run(scanner: &mut Scanner) -> Catalog {
    scanner.scan(&mut FakeProbe::default(), later())
}

/// The signed manifest and signature as they are now, to be put back later.
fn keep(dir: &Path) -> [(String, Vec<u8>); 2] {
    ["playlist.yaml", "playlist.yaml.minisig"].map(|n| (n.into(), fs::read(dir.join(n)).unwrap()))
}

#[test]
fn a_signed_folder_plays_from_the_verified_store() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    let catalog = run(&mut scanner);
    assert_eq!(playable(&catalog), ["a.png", "clip.vi.mp4", "news.en.md"]);
    assert_eq!(
        (catalog.integrity.len(), &catalog.manifest_error),
        (0, &None)
    );
    assert_eq!(catalog.manifest_version, Some(1));
    for item in &catalog.items {
        assert!(
            item.path.starts_with(kiosk.data.path().join("verified")),
            "{item:?}"
        );
        assert_eq!(
            fs::read(&item.path).unwrap(),
            fs::read(kiosk.dir().join(&item.rel)).unwrap()
        );
    }
    let read = scanner.files_read();
    assert_eq!(run(&mut scanner), catalog);
    assert_eq!(
        scanner.files_read(),
        read,
        "unchanged files are not hashed again"
    );
    // A restart neither: the digests are cached beside the store.
    let mut restarted = kiosk.scanner(&office);
    assert_eq!(run(&mut restarted), catalog);
    assert_eq!(restarted.files_read(), 0);
    // Without `trust`, today's behaviour: played in place.
    assert!(
        scan(kiosk.dir())
            .items
            .iter()
            .all(|i| i.path.starts_with(kiosk.dir()))
    );
}

#[test]
fn a_flipped_byte_is_refused_and_the_others_keep_playing() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    let before = run(&mut scanner);
    put(kiosk.dir(), "clip.vi.mp4", b"video clip bytez");
    let catalog = run(&mut scanner);
    assert!(reason(&catalog, "clip.vi.mp4").starts_with("hash mismatch"));
    assert_eq!(playable(&catalog), ["a.png", "news.en.md"]);
    assert_eq!(catalog.integrity.len(), 1);
    assert!(catalog.integrity[0].starts_with("clip.vi.mp4: hash mismatch"));
    assert_eq!(before.diff(&catalog).new_integrity, catalog.integrity);

    put(kiosk.dir(), "clip.vi.mp4", b"a longer video clip");
    let catalog = run(&mut scanner);
    assert_eq!(
        reason(&catalog, "clip.vi.mp4"),
        "size differs from the signed manifest (19 bytes, signed 16)"
    );
}

#[test]
fn unlisted_files_are_refused_even_urgent_ones_and_tickers() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    put(kiosk.dir(), "new.png", &png_header(10, 10));
    put(kiosk.dir(), "urgent/flood.png", &png_header(10, 10));
    put(kiosk.dir(), "ticker.vi.txt", b"Tin khan\n");
    let catalog = run(&mut kiosk.scanner(&office));
    for rel in ["new.png", "urgent/flood.png", "ticker.vi.txt"] {
        assert_eq!(reason(&catalog, rel), NOT_LISTED);
    }
    assert!(catalog.sidecars.is_empty());
    assert_eq!(playable(&catalog), ["a.png", "clip.vi.mp4", "news.en.md"]);
    assert_eq!(catalog.integrity.len(), 3, "{:?}", catalog.integrity);
}

#[test]
fn an_older_signed_manifest_is_refused_also_after_a_restart() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let version_1 = keep(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    run(&mut scanner);
    put(kiosk.dir(), "b.png", &png_header(10, 10));
    office.publish(kiosk.dir());
    assert_eq!(run(&mut scanner).manifest_version, Some(2));

    for (name, bytes) in &version_1 {
        put(kiosk.dir(), name, bytes);
    }
    for mut scanner in [scanner, kiosk.scanner(&office)] {
        let catalog = run(&mut scanner);
        let error = catalog.manifest_error.as_deref().unwrap();
        assert!(
            error.contains("version 1 is older than version 2"),
            "{error}"
        );
        assert_eq!(catalog.integrity[0], error);
        assert_eq!(reason(&catalog, "playlist.yaml"), error);
        assert_eq!(catalog.manifest_version, Some(2), "the last verified one");
        assert_eq!(
            playable(&catalog),
            ["a.png", "b.png", "clip.vi.mp4", "news.en.md"]
        );
    }
}

#[test]
fn a_signed_manifest_with_the_accepted_version_but_other_contents_is_refused() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    assert_eq!(run(&mut scanner).manifest_version, Some(1));
    // Another file, signed again under the same version 1 (by hand, not by manifest build).
    put(kiosk.dir(), "b.png", &png_header(10, 10));
    let next = build_manifest(
        kiosk.dir(),
        Some(&fs::read_to_string(kiosk.dir().join("playlist.yaml")).unwrap()),
    )
    .unwrap();
    put(
        kiosk.dir(),
        "playlist.yaml",
        next.replace("version: 2", "version: 1").as_bytes(),
    );
    office.sign_file(&kiosk.dir().join("playlist.yaml"));
    for mut scanner in [scanner, kiosk.scanner(&office)] {
        let catalog = run(&mut scanner);
        let error = catalog.manifest_error.as_deref().unwrap();
        assert!(
            error.contains("version 1 differs from the version 1 already accepted"),
            "{error}"
        );
        assert_eq!(reason(&catalog, "playlist.yaml"), error);
        assert_eq!(reason(&catalog, "b.png"), NOT_LISTED);
        assert_eq!(playable(&catalog), ["a.png", "clip.vi.mp4", "news.en.md"]);
    }
    // The very manifest accepted, signed again (a key rotation), still plays.
    let kiosk = Kiosk::new();
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    run(&mut scanner);
    office.sign_file(&kiosk.dir().join("playlist.yaml"));
    assert_eq!(run(&mut scanner).manifest_error, None);
}

#[test]
fn a_signed_manifest_without_a_version_is_refused() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let text = fs::read_to_string(kiosk.dir().join("playlist.yaml")).unwrap();
    put(
        kiosk.dir(),
        "playlist.yaml",
        text.replace("version: 1\n", "").as_bytes(),
    );
    office.sign_file(&kiosk.dir().join("playlist.yaml"));
    let catalog = run(&mut kiosk.scanner(&office));
    let error = catalog.manifest_error.as_deref().unwrap();
    assert!(error.starts_with("playlist.yaml has no version"), "{error}");
    assert!(playable(&catalog).is_empty(), "{catalog:?}");
}

#[test]
fn without_a_valid_signature_nothing_new_plays_and_the_last_verified_catalog_stays() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    put(
        kiosk.dir(),
        "playlist.yaml",
        b"items:\n  - file: news.en.md\n",
    );
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    let verified = run(&mut scanner);
    assert_eq!(playable(&verified), ["news.en.md", "a.png", "clip.vi.mp4"]);

    put(kiosk.dir(), "c.png", &png_header(10, 10));
    put(kiosk.dir(), "playlist.yaml", b"items:\n  - file: c.png\n");
    office.publish(kiosk.dir());
    fs::remove_file(kiosk.dir().join("playlist.yaml.minisig")).unwrap();
    let stranger = Office::new();
    let tampered = kiosk.dir().join("playlist.yaml");
    let cases: [(&str, &dyn Fn()); 3] = [
        (
            "playlist.yaml.minisig is missing: playlist.yaml is not signed",
            &|| {},
        ),
        ("not in trust.public_keys (unknown key)", &|| {
            stranger.sign_file(&tampered);
        }),
        ("playlist.yaml.minisig: signature does not verify", &|| {
            office.sign_file(&tampered);
            let text = fs::read_to_string(&tampered).unwrap();
            fs::write(&tampered, text.replace("- file: c.png", "- file: a.png")).unwrap();
        }),
    ];
    for (why, tamper) in cases {
        tamper();
        for scanner in [&mut scanner, &mut kiosk.scanner(&office)] {
            let catalog = run(scanner);
            assert!(
                catalog.integrity[0].contains(why),
                "{why}: {:?}",
                catalog.integrity
            );
            assert_eq!(reason(&catalog, "c.png"), NOT_LISTED);
            assert_eq!(playable(&catalog), playable(&verified), "{why}");
        }
    }
    office.publish(kiosk.dir());
    let catalog = run(&mut scanner);
    assert!(playable(&catalog).contains(&"c.png"));
    assert!(catalog.integrity.is_empty(), "{:?}", catalog.integrity);
}

#[test]
fn a_huge_signed_manifest_or_signature_is_refused_unread() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    let verified = run(&mut scanner);
    // Sparse: 2 GiB on paper, nothing on disk; read whole, the scan would take seconds and 2 GiB.
    for (name, cap) in [
        ("playlist.yaml", "larger than 33554432 bytes"),
        ("playlist.yaml.minisig", "larger than 65536 bytes"),
    ] {
        let kept = keep(kiosk.dir());
        File::create(kiosk.dir().join(name))
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
        let catalog = run(&mut scanner);
        let error = catalog.manifest_error.as_deref().unwrap();
        assert_eq!(
            error,
            format!("{name} cannot be read: {cap}: refused unread")
        );
        assert_eq!(playable(&catalog), playable(&verified), "{name}");
        for (name, bytes) in &kept {
            put(kiosk.dir(), name, bytes);
        }
    }
}

#[test]
fn a_file_swapped_after_verification_is_not_what_plays() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    office.publish(kiosk.dir());
    let mut scanner = kiosk.scanner(&office);
    let catalog = run(&mut scanner);
    let clip = kiosk.dir().join("clip.vi.mp4");
    let played = catalog
        .items
        .iter()
        .find(|i| i.rel == Path::new("clip.vi.mp4"))
        .unwrap();
    // Rewritten in place, same size, mtime put back: what plays is still the signed copy.
    let mtime = fs::metadata(&clip).unwrap().modified().unwrap();
    fs::write(&clip, b"EVIL clip bytes!").unwrap();
    File::options()
        .write(true)
        .open(&clip)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(fs::read(&played.path).unwrap(), b"video clip bytes");
    assert_ne!(played.path, clip);
    // And the next scan notices it (the ctime moved) and refuses it.
    let catalog = run(&mut scanner);
    assert!(reason(&catalog, "clip.vi.mp4").starts_with("hash mismatch"));
}

#[test]
fn build_keeps_the_manifest_and_verify_lists_every_failure() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    let written = "# Tinh Bien gate\nunlisted: play\nversion: 7  # bumped by build\nitems:\n  - group: news\n    duration: 12\nchecksums:\n  old.png: {size: 1, sha256: 0000000000000000000000000000000000000000000000000000000000000000}\n\n# the end\n";
    let built = build_manifest(kiosk.dir(), Some(written)).unwrap();
    assert!(built.starts_with("# Tinh Bien gate\nunlisted: play\nversion: 8  # bumped by build\nitems:\n  - group: news\n    duration: 12\n# the end\nchecksums:"), "{built}");
    assert!(!built.contains("old.png") && built.contains("\"clip.vi.mp4\": {size: 16, sha256: "));
    let again = build_manifest(kiosk.dir(), Some(&built)).unwrap();
    assert_eq!(again, built.replace("version: 8", "version: 9"));
    assert!(
        build_manifest(kiosk.dir(), None)
            .unwrap()
            .starts_with("version: 1\nchecksums:")
    );
    let err = build_manifest(kiosk.dir(), Some("items: [\n"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("playlist.yaml line 2"), "{err}");

    put(kiosk.dir(), "playlist.yaml", again.as_bytes());
    let report = verify_folder(kiosk.dir(), &office.trust());
    assert!(!report.is_ok());
    assert_eq!(
        report.failures[0].reason,
        "missing: playlist.yaml is not signed"
    );
    office.sign_file(&kiosk.dir().join("playlist.yaml"));
    let report = verify_folder(kiosk.dir(), &office.trust());
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.version, report.verified.len()), (Some(9), 3));

    put(kiosk.dir(), "a.png", &png_header(641, 360));
    fs::remove_file(kiosk.dir().join("news.en.md")).unwrap();
    put(kiosk.dir(), "extra.png", &png_header(1, 1));
    let text = verify_folder(kiosk.dir(), &office.trust()).to_string();
    assert!(
        text.starts_with("playlist.yaml version 9: signed by trusted key "),
        "{text}"
    );
    assert!(
        text.contains("FAILED (3):\n  a.png: hash mismatch"),
        "{text}"
    );
    assert!(
        text.contains("  extra.png: not listed in the signed manifest\n"),
        "{text}"
    );
    assert!(text.contains("  news.en.md: listed in the signed manifest but not in the folder"));
}

#[test]
fn the_manifest_in_force_is_the_one_accepted_not_the_folders() {
    let (office, kiosk) = (Office::new(), Kiosk::new());
    let state = kiosk.data.path().join("state/trust.json");
    assert_eq!(super::accepted_manifest(&state), Ok(None));
    office.publish(kiosk.dir());
    let signed = keep(kiosk.dir());
    run(&mut kiosk.scanner(&office));
    let accepted = || super::accepted_manifest(&state).unwrap().unwrap();
    let signed = super::AcceptedManifest {
        manifest: signed[0].1.clone(),
        signature: signed[1].1.clone(),
    };
    assert_eq!(accepted(), signed);
    // A playlist.yaml swapped in the folder is refused: the signed one stays in force.
    put(kiosk.dir(), "playlist.yaml", b"version: 9\nitems: []\n");
    let catalog = run(&mut kiosk.scanner(&office));
    assert!(catalog.manifest_error.is_some());
    assert_eq!(accepted(), signed);
    fs::write(&state, b"{not json").unwrap();
    let damaged = super::accepted_manifest(&state).unwrap_err();
    assert!(damaged.contains("trust.json is damaged"), "{damaged}");
}
