//! Tamper-proof content in the running player: with signing required, a
//! file changed or added after the office signed is never shown, and the
//! player opens no listening socket.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::processes::{assert_succeeded, player_pids};
use crate::support::*;

/// A throwaway minisign key pair; returns the public key line.
pub(crate) fn keys(dir: &std::path::Path) -> String {
    let out = Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(dir.join("key.pub"))
        .arg("-s")
        .arg(dir.join("key.sec"))
        .output()
        .expect("minisign runs (package minisign)");
    assert_succeeded(&out);
    let text = std::fs::read_to_string(dir.join("key.pub")).unwrap();
    text.lines().nth(1).unwrap().trim().to_owned()
}

pub(crate) fn sign(dir: &std::path::Path, content: &std::path::Path) {
    let out = Command::new(bin())
        .args(["manifest", "build", "--content"])
        .arg(content)
        .output()
        .unwrap();
    assert_succeeded(&out);
    minisign_file(dir, &content.join("playlist.yaml"));
}

/// `minisign -S`: signs `file` (FILE.minisig beside it) with the key in `dir`.
pub(crate) fn minisign_file(dir: &std::path::Path, file: &std::path::Path) {
    let out = Command::new("minisign")
        .args(["-S", "-s"])
        .arg(dir.join("key.sec"))
        .arg("-m")
        .arg(file)
        .output()
        .unwrap();
    assert_succeeded(&out);
}

#[test]
fn changed_and_unsigned_files_never_reach_the_screen() {
    let keydir = tempfile::tempdir().unwrap();
    let public = keys(keydir.path());
    let kiosk = Kiosk::new(&format!(
        "image_seconds: 1\ntrust:\n  public_keys: [\"{public}\"]\n  require_signature: true\n"
    ));
    let c = kiosk.content();
    make_png(&c.join("a.png"), "red", 640, 480);
    make_png(&c.join("b.png"), "red", 640, 480);
    // Tampered after signing: one byte of b.png flipped (same size), d.png
    // replaced by another picture, c.png never signed.
    make_png(&c.join("d.png"), "red", 640, 480);
    sign(keydir.path(), &c);
    let mut bytes = std::fs::read(c.join("b.png")).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 0x01;
    std::fs::write(c.join("b.png"), bytes).unwrap();
    make_png(&c.join("d.png"), "blue", 640, 480);
    make_png(&c.join("c.png"), "blue", 640, 480);
    let verify = Command::new(bin())
        .args(["manifest", "verify", "--config"])
        .arg(kiosk.config())
        .output()
        .unwrap();
    assert!(
        !verify.status.success(),
        "manifest verify reports the tampering"
    );
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(
        report.contains("b.png") && report.contains("c.png"),
        "{report}"
    );

    // The player says at debug level which file it opens for each item.
    let running = kiosk.start_with_env(
        7.0,
        &artifact("tampered.png"),
        OPEN,
        &[("RUST_LOG", "warn,infokiosk=info,infokiosk::player=debug")],
    );
    // While it runs: no listening socket of any kind.
    std::thread::sleep(Duration::from_secs(4));
    // The player itself (xvfb-run's shell has no sockets of its own).
    let players = player_pids(&kiosk);
    assert!(!players.is_empty(), "the player is running");
    for pid in players {
        assert_eq!(
            listening_sockets(&pid),
            0,
            "process {pid} listens on a socket"
        );
    }
    let out = running.finish();
    // What plays is the copy that was hashed, never the file in the synced
    // folder, which can change between the check and the opening.
    let log = String::from_utf8_lossy(&out.stderr);
    let opened: Vec<&str> = log
        .lines()
        .filter_map(|line| line.split_once("opening ").map(|(_, path)| path.trim()))
        .collect();
    let store = kiosk.data().join("verified");
    let signed_a = store.join(format!("{}.png", sha256_hex(&c.join("a.png"))));
    assert!(
        opened.iter().any(|path| Path::new(path) == signed_a),
        "a.png is opened as its verified copy {}: {opened:?}\n{log}",
        signed_a.display()
    );
    for path in &opened {
        assert!(
            Path::new(path).starts_with(&store),
            "opened {path}, not a copy in {}",
            store.display()
        );
    }
    let journal = kiosk.journal();
    let shown: Vec<&str> = events(&journal, "play_started")
        .iter()
        .map(|r| r["item"].as_str().unwrap())
        .collect();
    assert!(shown.contains(&"a.png"), "the signed file plays: {shown:?}");
    for name in ["b.png", "c.png", "d.png"] {
        assert!(
            !shown.contains(&name),
            "tampered files never play: {shown:?}"
        );
    }
    let integrity: Vec<String> = events(&journal, "integrity")
        .iter()
        .map(|r| r["detail"].to_string())
        .collect();
    assert!(
        integrity
            .iter()
            .any(|d| d.contains("b.png") && d.contains("hash")),
        "{integrity:?}"
    );
    assert!(
        integrity
            .iter()
            .any(|d| d.contains("c.png") && d.contains("not listed")),
        "{integrity:?}"
    );
    assert!(
        integrity.iter().any(|d| d.contains("d.png")),
        "{integrity:?}"
    );
    assert!(Shot::open(&artifact("tampered.png")).is_near(640, 360, RED, 30.0));
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

/// Sockets `pid` listens on: TCP in LISTEN state, bound UDP, Unix stream
/// sockets accepting connections. Panics when `/proc` cannot tell (no
/// answer is not "none").
fn listening_sockets(pid: &str) -> usize {
    let fd_dir = format!("/proc/{pid}/fd");
    let fds = std::fs::read_dir(&fd_dir)
        .unwrap_or_else(|e| panic!("cannot list {fd_dir} to find its sockets: {e}"));
    // A descriptor closed since the listing has no link left: skipped.
    let inodes: Vec<String> = fds
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy().into_owned();
            t.strip_prefix("socket:[")
                .map(|s| s.trim_end_matches(']').to_owned())
        })
        .collect();
    let mut listening = 0;
    for table in ["tcp", "tcp6", "udp", "udp6", "unix"] {
        let path = format!("/proc/{pid}/net/{table}");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            // Without IPv6 in the kernel there are no v6 tables, nor sockets.
            Err(e) if table.ends_with('6') && e.kind() == std::io::ErrorKind::NotFound => {
                continue;
            }
            Err(e) => panic!("cannot read {path} to find listening sockets: {e}"),
        };
        for row in text.lines().skip(1) {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let (listens, inode) = match table {
                // Num RefCount Protocol Flags Type St Inode [Path]; flag
                // 0x10000 is __SO_ACCEPTCON, set by listen().
                "unix" => (
                    u32::from_str_radix(cols[3], 16).unwrap() & 0x1_0000 != 0,
                    cols[6],
                ),
                // sl local rem st … inode: 0A is TCP_LISTEN, 07 an unconnected UDP socket.
                t if t.starts_with("tcp") => (cols[3] == "0A", cols[9]),
                _ => (cols[3] == "07", cols[9]),
            };
            if listens && inodes.iter().any(|i| i == inode) {
                listening += 1;
            }
        }
    }
    listening
}
