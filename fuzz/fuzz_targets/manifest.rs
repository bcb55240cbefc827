//! playlist.yaml as the player's content scan reads it: a `Scanner` over a
//! small content folder, the manifest written from the input, then the
//! playlist built from the catalog. An input holding a `#minisig` line is
//! split there: the part before is the manifest, the part after its
//! `playlist.yaml.minisig`, and it is scanned with signatures required and
//! the fuzz key trusted (the seed `signed.yaml` verifies).
#![no_main]

use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime};

use infokiosk::content::{Catalog, MediaInfo, Probe, ScanOptions, Scanner, TrustConfig};
use infokiosk::playlist::{Playlist, PlaylistPolicy};
use infokiosk_fuzz::{now, scratch};
use libfuzzer_sys::fuzz_target;

/// The public half of a throwaway minisign key made for the seed corpus.
const FUZZ_KEY: &str = "RWRMpn+0xghKIHCOv5VShXROPfL7ax0OlTBUFT4k6C3lqfGldqdrR38c";

const SEPARATOR: &[u8] = b"\n#minisig\n";

/// The content folder: text, a picture header, a clip and its captions, an urgent notice.
const FILES: [(&str, &[u8]); 7] = [
    ("welcome.vi.txt", "Xin chào quý khách\n".as_bytes()),
    ("welcome.en.txt", b"Welcome\n"),
    ("welcome.km.txt", "សូមស្វាគមន៍\n".as_bytes()),
    ("news/flood.vi.md", "# Lũ\n\nĐường 91 ngập.\n".as_bytes()),
    (
        "hours.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x07\x80\0\0\x04\x38\x08\x06\0\0\0\0\0\0\0",
    ),
    ("intro.vi.mp4", b"a clip the probe says is 15 s long"),
    ("urgent/closed.vi.txt", "Cửa khẩu đóng cửa\n".as_bytes()),
];

/// Answers for GStreamer's Discoverer: every clip is 15 s of 1080p.
struct Clips;

impl Probe for Clips {
    fn probe_video(&mut self, _: &Path) -> Result<MediaInfo, String> {
        Ok(MediaInfo {
            duration: Some(Duration::from_secs(15)),
            width: 1920,
            height: 1080,
        })
    }
}

fn content_folder(name: &str) -> &'static Path {
    let dir = scratch().join(name);
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("content folder");
        std::fs::write(path, bytes).expect("content file written");
    }
    Box::leak(dir.into_boxed_path())
}

static UNSIGNED: LazyLock<&Path> = LazyLock::new(|| content_folder("unsigned"));
static SIGNED: LazyLock<&Path> = LazyLock::new(|| content_folder("signed"));

fuzz_target!(|data: &[u8]| {
    let split = data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR);
    let Some(at) = split else {
        let catalog = scan(&UNSIGNED, data, None, ScanOptions::default());
        play(&catalog);
        return;
    };
    let (manifest, signature) = (&data[..at], &data[at + SEPARATOR.len()..]);
    let trust = TrustConfig {
        public_keys: vec![FUZZ_KEY.into()],
        require_signature: true,
        ..TrustConfig::default()
    };
    let options = ScanOptions {
        trust,
        ..ScanOptions::default()
    };
    let catalog = scan(&SIGNED, manifest, Some(signature), options);
    if catalog.manifest_error.is_some() {
        // Nothing verified before, so nothing may play.
        assert!(
            catalog.items.is_empty(),
            "{:?} play unsigned",
            catalog.items
        );
    }
    play(&catalog);
});

fn scan(dir: &Path, manifest: &[u8], signature: Option<&[u8]>, options: ScanOptions) -> Catalog {
    std::fs::write(dir.join("playlist.yaml"), manifest).expect("manifest written");
    if let Some(signature) = signature {
        std::fs::write(dir.join("playlist.yaml.minisig"), signature).expect("signature written");
    }
    let options = ScanOptions {
        settle: Duration::ZERO,
        ..options
    };
    let mut scanner = Scanner::new(dir.to_owned(), options, None);
    let catalog = scanner.scan(&mut Clips, SystemTime::now());
    for item in &catalog.items {
        let rel = item.rel.to_str().expect("UTF-8 fixture names");
        assert!(
            FILES.iter().any(|(name, _)| *name == rel),
            "{rel} is not in the folder"
        );
    }
    catalog
}

/// What the player does with a catalog: a playlist, and the next few items.
fn play(catalog: &Catalog) {
    let now_local = now().naive_utc() + chrono::Duration::hours(7);
    let mut playlist = Playlist::new(catalog, PlaylistPolicy::default());
    for _ in 0..12 {
        let _ = playlist.has_new_urgent(now_local);
        let Some(entry) = playlist.next(now_local) else {
            break;
        };
        assert!(catalog.items.contains(&entry.item), "{:?}", entry.item.rel);
    }
}
