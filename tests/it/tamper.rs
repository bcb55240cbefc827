//! Tamper-proof content in the running player: with signing required, a
//! file changed or added after the office signed is never shown, and the
//! player opens no listening socket.

use std::process::Command;
use std::time::Duration;

use crate::support::*;

/// A throwaway minisign key pair; returns the public key line.
fn keys(dir: &std::path::Path) -> String {
    let out = Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(dir.join("key.pub"))
        .arg("-s")
        .arg(dir.join("key.sec"))
        .output()
        .expect("minisign runs (package minisign)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("key.pub")).unwrap();
    text.lines().nth(1).unwrap().trim().to_owned()
}

fn sign(dir: &std::path::Path, content: &std::path::Path) {
    let out = Command::new(bin())
        .args(["manifest", "build", "--content"])
        .arg(content)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("minisign")
        .args(["-S", "-s"])
        .arg(dir.join("key.sec"))
        .arg("-m")
        .arg(content.join("playlist.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

    let running = kiosk.start(7.0, &artifact("tampered.png"), OPEN);
    // While it runs: no listening socket of any kind.
    std::thread::sleep(Duration::from_secs(4));
    let pids = Command::new("pgrep")
        .args(["-f", &kiosk.config().display().to_string()])
        .output()
        .unwrap();
    let pids: Vec<String> = String::from_utf8_lossy(&pids.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!pids.is_empty(), "the player is running");
    for pid in &pids {
        assert_eq!(
            listening_sockets(pid),
            0,
            "process {pid} listens on a socket"
        );
    }
    running.finish();
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

/// TCP/UDP sockets in LISTEN state (or bound UDP) owned by `pid`.
fn listening_sockets(pid: &str) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    let inodes: Vec<String> = fds
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy().into_owned();
            t.strip_prefix("socket:[")
                .map(|s| s.trim_end_matches(']').to_owned())
        })
        .collect();
    let mut listening = 0;
    for table in ["tcp", "tcp6", "udp", "udp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for row in text.lines().skip(1) {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let (state, inode) = (cols[3], cols[9]);
            let listens = if table.starts_with("tcp") {
                state == "0A"
            } else {
                state == "07"
            };
            if listens && inodes.iter().any(|i| i == inode) {
                listening += 1;
            }
        }
    }
    listening
}
