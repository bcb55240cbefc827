//! Signed `control.yaml` in the running player, across power cuts (`kill -9`)
//! and clean restarts: an order is acted on once, a file removed while the
//! player was down ends its own override, and a stale file never undoes an
//! override set since. The rules themselves are unit-tested in
//! `src/schedule/plugin.rs`; this is the real binary, its state files and
//! signatures made by the stock `minisign`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::desktop::{start_xvfb, stop};
use crate::support::*;

/// How long one step of a running player may take on a loaded machine.
const STEP: Duration = Duration::from_secs(30);

/// The Border Guard post writes and signs an order beside the folder
/// (`minisign -S -m control.yaml`), then it arrives: the signature first,
/// then the order, each by rename as Syncthing does.
fn send_order(keys: &Path, content: &Path, text: &str) {
    let desk = keys.join("desk");
    std::fs::create_dir_all(&desk).unwrap();
    std::fs::write(desk.join("control.yaml"), text).unwrap();
    crate::tamper::minisign_file(keys, &desk.join("control.yaml"));
    for name in ["control.yaml.minisig", "control.yaml"] {
        std::fs::rename(desk.join(name), content.join(name)).unwrap();
    }
}

fn start_player(kiosk: &Kiosk, display: &str, exit_after: &str, clock: &str) -> Child {
    Command::new(bin())
        .args(["run", "--windowed", "--config"])
        .arg(kiosk.config())
        .args(["--exit-after", exit_after, "--clock", clock])
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until `ready` holds for the journal lines written since `from`.
fn wait_until(kiosk: &Kiosk, from: usize, what: &str, ready: impl Fn(&[Value]) -> bool) {
    let started = Instant::now();
    loop {
        let journal = kiosk.journal();
        if ready(&journal[from.min(journal.len())..]) {
            return;
        }
        assert!(
            started.elapsed() < STEP,
            "{what} within {STEP:?}: {journal:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn has(lines: &[Value], event: &str) -> bool {
    !events(lines, event).is_empty()
}

/// A power cut: SIGKILL, nothing written on the way out.
fn power_cut(mut player: Child) {
    player.kill().unwrap();
    player.wait().unwrap();
}

fn clean_exit(mut player: Child) {
    let status = player.wait().unwrap();
    assert!(status.success(), "the player exits by itself: {status}");
}

#[test]
fn signed_orders_survive_power_cuts_and_restarts_without_acting_twice() {
    let keys = tempfile::tempdir().unwrap();
    let (control_key, content_key) = (crate::tamper::keys(keys.path()), {
        let other = keys.path().join("office");
        std::fs::create_dir_all(&other).unwrap();
        crate::tamper::keys(&other)
    });
    let stub_dir = tempfile::tempdir().unwrap();
    let stub = recording_stub(stub_dir.path(), &stub_dir.path().join("calls.txt"));
    let kiosk = Kiosk::new(&format!(
        "display:\n  backend: xset\n  program: {}\ntrust:\n  public_keys: [\"{content_key}\"]\n  control_keys: [\"{control_key}\"]\n  require_signature: true\n",
        stub.display()
    ));
    let content = kiosk.content();
    let state = kiosk.data().join("state");
    let _window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let (display, mut xvfb) = start_xvfb();

    // 08:00, open hours: the Border Guard's signed OFF, then a power cut.
    send_order(
        keys.path(),
        &content,
        "override: off\nissued: 2026-11-28T07:50+07:00\nreason: drill\nby: Border Guard\nrequested_by: Sở TT&TT\n",
    );
    let player = start_player(&kiosk, &display, "60", "2026-11-28T01:00:00Z");
    wait_until(&kiosk, 0, "the signed OFF closes the screen", |l| {
        has(l, "override_set") && has(l, "closed")
    });
    power_cut(player);
    let set = events(&kiosk.journal(), "override_set")[0].clone();
    assert_eq!(set["requested_by"], "Sở TT&TT", "{set}");
    assert!(
        set["signer"].as_str().is_some_and(|s| s.len() == 16),
        "{set}"
    );

    // (c) Back with the same file: the override is restored, not set again.
    let from = kiosk.journal().len();
    clean_exit(start_player(&kiosk, &display, "4", "2026-11-28T01:01:00Z"));
    let journal = kiosk.journal();
    let second = &journal[from..];
    assert!(
        has(second, "closed") && !has(second, "opened"),
        "{second:#?}"
    );
    assert_eq!(events(&journal, "override_set").len(), 1, "{second:#?}");
    // Not even read as a new order (it would be refused as a replay of itself).
    assert!(!has(second, "control_rejected"), "{second:#?}");

    // (b) The order is withdrawn while the player is down: its override ends at start.
    std::fs::remove_file(content.join("control.yaml")).unwrap();
    std::fs::remove_file(content.join("control.yaml.minisig")).unwrap();
    let from = kiosk.journal().len();
    let player = start_player(&kiosk, &display, "60", "2026-11-28T01:02:00Z");
    wait_until(
        &kiosk,
        from,
        "the override ends and the screen opens",
        |l| has(l, "override_ended") && has(l, "opened"),
    );
    let ended = events(&kiosk.journal()[from..], "override_ended")[0].clone();
    assert!(
        ended["reason"]
            .as_str()
            .unwrap()
            .ends_with("control.yaml removed while the player was stopped"),
        "{ended}"
    );
    // Anyone with the share writes an unsigned order: refused, nothing changes.
    std::fs::write(
        content.join("control.yaml"),
        "override: off\nreason: prank\n",
    )
    .unwrap();
    wait_until(&kiosk, from, "the unsigned order is refused", |l| {
        events(l, "control_rejected").iter().any(|r| {
            r["reason"]
                .as_str()
                .unwrap()
                .contains("control.yaml.minisig is missing")
        })
    });
    // A signed clear (nothing to clear) is acted on, and stays in the folder.
    let clear = "override: clear\nissued: 2026-11-28T08:01+07:00\nby: Border Guard\n";
    send_order(keys.path(), &content, clear);
    let identity = infokiosk::schedule::control_identity(clear.as_bytes());
    let started = Instant::now();
    while std::fs::read(state.join("control.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_none_or(|s| s["acted_on"] != identity.as_str())
    {
        assert!(started.elapsed() < STEP, "the clear is acted on");
        std::thread::sleep(Duration::from_millis(50));
    }
    power_cut(player);
    let journal = kiosk.journal();
    assert_eq!(
        events(&journal, "override_set").len(),
        1,
        "the prank changed nothing"
    );

    // (a) Meanwhile the Border Guard switched off at the kiosk (the overlay's override,
    // as the player keeps it). The stale clear in the folder must not undo it.
    std::fs::write(
        state.join("override.json"),
        r#"{"action":"off","until":null,"reason":"border incident","by":"border-guard","set_at":"2026-11-28T01:05:00Z","source":"overlay"}"#,
    )
    .unwrap();
    let from = journal.len();
    clean_exit(start_player(&kiosk, &display, "5", "2026-11-28T01:10:00Z"));
    stop(&mut xvfb);
    let journal = kiosk.journal();
    let fourth = &journal[from..];
    assert!(has(fourth, "app_started"), "{fourth:#?}");
    assert!(
        has(fourth, "closed") && !has(fourth, "opened") && !has(fourth, "override_ended"),
        "the screen stays off: {fourth:#?}"
    );
    assert!(
        !has(fourth, "control_rejected"),
        "the clear is not read again: {fourth:#?}"
    );
    let kept: Value =
        serde_json::from_slice(&std::fs::read(state.join("override.json")).unwrap()).unwrap();
    assert_eq!(kept["source"], "overlay", "{kept}");
}
