//! Inspecting a kiosk while it plays: `check` and `catalog`, run as root
//! (as these tests are) beside the running player, leave its verified copies
//! and its trust state exactly as they were, even on another folder holding
//! a newer signed release.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::*;
use crate::tamper::{keys, sign};

/// The player's live state under `data`: every file in `verified/` and
/// `state/trust*`, with its bytes.
fn live_state(data: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for (folder, prefix) in [("verified", ""), ("state", "trust")] {
        let Ok(entries) = std::fs::read_dir(data.join(folder)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) {
                let bytes = std::fs::read(entry.path()).unwrap();
                files.insert(Path::new(folder).join(name), bytes);
            }
        }
    }
    files
}

fn infokiosk(args: &[&str], config: &Path, content: Option<&Path>) -> Output {
    let mut command = Command::new(bin());
    command.args(args).arg("--config").arg(config);
    if let Some(content) = content {
        command.arg("--content").arg(content);
    }
    command.output().unwrap()
}

#[test]
fn check_and_catalog_during_playback_change_nothing_of_the_player() {
    let keydir = tempfile::tempdir().unwrap();
    let public = keys(keydir.path());
    let kiosk = Kiosk::new(&format!(
        "image_seconds: 1\ntrust:\n  public_keys: [\"{public}\"]\n  require_signature: true\n"
    ));
    let c = kiosk.content();
    make_png(&c.join("a.png"), "red", 640, 480);
    make_png(&c.join("b.png"), "green", 640, 480);
    sign(keydir.path(), &c);
    let running = kiosk.start(30.0, &artifact("inspected.png"), OPEN);

    // The player has verified both pictures into its store, saved their
    // digests and kept the manifest it accepted; nothing moves any more.
    let data = kiosk.data();
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut last = BTreeMap::new();
    loop {
        let state = live_state(&data);
        let copies = state
            .keys()
            .filter(|p| p.extension().is_some_and(|e| e == "png"));
        let ready = copies.count() == 2
            && ["state/trust.json", "verified/index.json"]
                .iter()
                .all(|f| state.contains_key(Path::new(f)));
        if ready && state == last {
            break;
        }
        last = state.clone();
        assert!(
            Instant::now() < deadline,
            "the player did not fill its verified store: {:?}",
            state.keys()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // A large clip the player is still copying in: its work in progress.
    std::fs::write(data.join("verified/.tmpCopying"), b"half of a clip").unwrap();
    let before = live_state(&data);

    // Another folder with a newer signed release (version 2, one more file).
    let other = kiosk.dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    for name in ["a.png", "b.png"] {
        std::fs::copy(c.join(name), other.join(name)).unwrap();
    }
    make_png(&other.join("c.png"), "blue", 640, 480);
    sign(keydir.path(), &other);
    sign(keydir.path(), &other);
    age_folder(&other);

    let config = kiosk.config();
    let checked = infokiosk(&["check"], &config, None);
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(report.contains("2 playable"), "{report}");
    infokiosk(&["catalog"], &config, None);
    let listed = infokiosk(&["catalog", "--json"], &config, Some(&other));
    let catalog: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let playable: Vec<&str> = catalog["playable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(playable, ["a.png", "b.png", "c.png"], "{catalog}");
    let checked_other = infokiosk(&["check"], &config, Some(&other));
    let report = String::from_utf8_lossy(&checked_other.stdout);
    assert!(report.contains("3 playable"), "{report}");

    assert_eq!(
        live_state(&data),
        before,
        "check or catalog changed the player's verified copies or trust state"
    );
    // Each `check` is journaled by the running player (it holds the
    // journal): two `inspection` lines by `cli`, their files gone.
    let waiting = data.join("state/inspections");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let journal = kiosk.journal();
        let seen = events(&journal, "inspection").len();
        let left = std::fs::read_dir(&waiting).map_or(0, |d| d.count());
        if seen == 2 && left == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{seen} inspection lines, {left} files waiting"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    running.finish();
    let journal = kiosk.journal();
    assert!(
        !events(&journal, "play_started").is_empty(),
        "the inspections ran during playback"
    );
    let inspections = events(&journal, "inspection");
    assert!(
        inspections
            .iter()
            .all(|l| l["by"] == "cli" && l["checks"]["videos"] == "PASS"),
        "{inspections:?}"
    );
    // Two processes, one chain: the journal verifies.
    let verified = infokiosk(&["journal", "verify"], &config, None);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    // No player running: `check` journals its line itself, on the chain.
    infokiosk(&["check"], &config, None);
    assert_eq!(events(&kiosk.journal(), "inspection").len(), 3);
    let verified = infokiosk(&["journal", "verify"], &config, None);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}
