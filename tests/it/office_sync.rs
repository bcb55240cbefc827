//! The office and a kiosk joined by real Syncthing, as in packaging/README.md:
//! two instances on loopback (no GUI, no discovery, relays or NAT), the
//! kiosk's outbox sent to the office's `outboxes/KIOSK_ID/`, and
//! `infokiosk fleet` reading what arrives.
//!
//! Only the kiosk dials, as kiosks behind NAT do. When both dial each other
//! at the same moment, Syncthing 1.19 either makes one TCP connection of the
//! two dials (each dials from its listening port), on which both send a TLS
//! ClientHello and give up; or it gets two connections and each side waits
//! 20 s for the Hello on the one the other is not reading, its listener
//! stalled meanwhile. Both sides then fail together and redial in step 5, 10,
//! 15, 23 and 39 s later, so it can happen again: under a loaded full suite
//! they had not connected after a minute.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;

use infokiosk::report::{KioskStatus, status_json, write_atomically};
use infokiosk::schedule::OperatingState;

use crate::support::bin;

const KIOSK: &str = "tb-1";

/// One Syncthing instance, killed with its whole process group (Syncthing
/// runs a monitor and the real process under it) on every path out of the
/// test, a panic included.
struct Syncthing {
    child: Option<Child>,
    log: PathBuf,
}

impl Syncthing {
    fn start(home: &Path) -> Self {
        let log = home.join("syncthing.log");
        let mut command = Command::new("syncthing");
        command
            .args(["serve", "--no-browser", "--no-restart", "--no-upgrade"])
            .arg("--home")
            .arg(home)
            // Dials, their errors and handshakes in the log, for the tail a
            // failure shows.
            .env("STTRACE", "connections")
            .stdin(Stdio::null())
            .stdout(File::create(&log).unwrap())
            .stderr(Stdio::from(File::create(home.join("stderr.log")).unwrap()));
        // Its own group, so that both processes can be killed at once; and
        // a test killed outright (timeout, ^C) takes the monitor with it.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.process_group(0).pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = command.spawn().expect("syncthing runs (package syncthing)");
        Self {
            child: Some(child),
            log,
        }
    }

    /// Kills it at once, as a power cut would.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = child.id() as libc::pid_t;
            unsafe { libc::kill(-group, libc::SIGKILL) };
            let _ = child.wait();
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(25)..].join("\n")
    }

    /// The port its listener bound, from its log once it is listening. It
    /// binds port 0 itself: a port picked here and freed for it could be
    /// taken before it starts.
    fn listening_port(&self, deadline: Instant) -> u16 {
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            let port = text.lines().find_map(|line| {
                let rest = line.split("TCP listener (127.0.0.1:").nth(1)?;
                rest.split(')').next()?.parse().ok()
            });
            if let Some(port) = port {
                return port;
            }
            assert!(
                Instant::now() < deadline,
                "Syncthing is not listening:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A new device (key and certificate) in `home`; returns its device ID.
fn generate(home: &Path) -> String {
    let out = Command::new("syncthing")
        .arg("generate")
        .arg("--home")
        .arg(home)
        .env("STNODEFAULTFOLDER", "1")
        .output()
        .expect("syncthing runs (package syncthing)");
    assert!(out.status.success(), "syncthing generate: {out:?}");
    let out = Command::new("syncthing")
        .args(["serve", "--device-id", "--home"])
        .arg(home)
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(id.len(), 63, "a device ID: {out:?}");
    id
}

/// The configuration of one side: the shared folder (`folder_type` here),
/// both devices, the peer at `peer_address` (`dynamic`: never dialled, with
/// discovery off), listening on a loopback port of its choosing; every way
/// out of loopback off.
fn config(
    folder: &Path,
    folder_type: &str,
    me: &str,
    (peer, peer_address): (&str, &str),
) -> String {
    format!(
        r#"<configuration version="36">
    <folder id="infokiosk-outbox-{KIOSK}" label="outbox {KIOSK}" path="{path}" type="{folder_type}" rescanIntervalS="5" fsWatcherEnabled="true" fsWatcherDelayS="1">
        <device id="{me}"></device>
        <device id="{peer}"></device>
    </folder>
    <device id="{me}" name="me"><address>dynamic</address></device>
    <device id="{peer}" name="peer"><address>{peer_address}</address></device>
    <gui enabled="false"><address>127.0.0.1:0</address></gui>
    <options>
        <listenAddress>tcp://127.0.0.1:0</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
"#,
        path = folder.display(),
    )
}

/// The kiosk's `status.json`, written as the player writes it: the real
/// serializer, then atomically under a Syncthing temporary name.
fn write_heartbeat(outbox: &Path, at: DateTime<Utc>) {
    let status = KioskStatus {
        kiosk: KIOSK.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        time: at,
        screen: OperatingState::Open,
        screen_reason: "inside window 07:00-11:00".into(),
        now_showing: None,
        last_heartbeat: Some(at),
        disk_free_bytes: Some(40_000_000_000),
        disk_total_bytes: Some(100_000_000_000),
        last_errors: Vec::new(),
        content: None,
    };
    let text = status_json(&status, chrono_tz::Asia::Ho_Chi_Minh);
    write_atomically(&outbox.join("status.json"), text.as_bytes()).unwrap();
}

/// The last heartbeat in the office's copy, once a whole one is there.
fn arrived(office_copy: &Path) -> Option<DateTime<Utc>> {
    let bytes = std::fs::read(office_copy.join("status.json")).ok()?;
    let status: Value = serde_json::from_slice(&bytes).ok()?;
    status["last_heartbeat"].as_str()?.parse().ok()
}

/// `infokiosk fleet --json` at the office, judging at `now`.
fn fleet(outboxes: &Path, now: DateTime<Utc>) -> (Option<i32>, Value) {
    let out = Command::new(bin())
        .arg("fleet")
        .arg("--outboxes")
        .arg(outboxes)
        .args(["--json", "--now", &now.to_rfc3339()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "fleet printed no JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

/// The kiosk sends heartbeats through Syncthing until the office has seen
/// them move on; `fleet` lists it without an alert. Then the kiosk stops
/// (its Syncthing killed, no more heartbeats) and `fleet` raises the silence
/// alert once the last heartbeat that arrived is more than 3 minutes old,
/// not before.
#[test]
fn a_kiosk_synced_by_syncthing_shows_at_the_office_and_its_silence_raises_the_alert() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("kiosk/outbox");
    let outboxes = dir.path().join("office/outboxes");
    let office_copy = outboxes.join(KIOSK);
    for folder in [&outbox, &office_copy] {
        std::fs::create_dir_all(folder.join(".stfolder")).unwrap();
    }
    let (kiosk_home, office_home) = (dir.path().join("kiosk-st"), dir.path().join("office-st"));
    let (kiosk_id, office_id) = (generate(&kiosk_home), generate(&office_home));
    std::fs::write(
        office_home.join("config.xml"),
        config(
            &office_copy,
            "receiveonly",
            &office_id,
            (&kiosk_id, "dynamic"),
        ),
    )
    .unwrap();

    // The kiosk's clock: Monday 30 November 2026, 09:00 in Vietnam (open),
    // moving on with the real one.
    let started = Instant::now();
    let t0: DateTime<Utc> = "2026-11-30T02:00:00Z".parse().unwrap();
    let kiosk_now = || t0 + chrono::Duration::from_std(started.elapsed()).unwrap();
    write_heartbeat(&outbox, kiosk_now());
    let deadline = started + Duration::from_secs(60);

    // The office first: the kiosk's first dial then finds it listening,
    // rather than waiting out Syncthing's retry rounds (5 s, then longer).
    let office = Syncthing::start(&office_home);
    let office_port = office.listening_port(deadline);
    std::fs::write(
        kiosk_home.join("config.xml"),
        config(
            &outbox,
            "sendonly",
            &kiosk_id,
            (&office_id, &format!("tcp://127.0.0.1:{office_port}")),
        ),
    )
    .unwrap();
    let mut kiosk = Syncthing::start(&kiosk_home);

    // A heartbeat every 500 ms until the office has seen two of them (the
    // folder keeps syncing, not just its first scan). Alone this takes 5-8 s.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the kiosk's status.json did not reach the office in 60 s (seen {seen:?})\nkiosk:\n{}\noffice:\n{}",
            kiosk.log_tail(),
            office.log_tail()
        );
        std::thread::sleep(Duration::from_millis(500));
        if let Some(t) = arrived(&office_copy).filter(|t| !seen.contains(t)) {
            seen.push(t);
        }
        write_heartbeat(&outbox, kiosk_now());
    }
    eprintln!(
        "two heartbeats arrived at the office after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (code, json) = fleet(&outboxes, kiosk_now());
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["alerts"], serde_json::json!([]), "{json:#}");
    let kiosks = json["kiosks"].as_array().unwrap();
    assert_eq!(
        kiosks.len(),
        1,
        "only the kiosk, not Syncthing's folders: {json:#}"
    );
    assert_eq!(kiosks[0]["kiosk_id"], KIOSK);
    assert_eq!(kiosks[0]["screen"], "open");
    let age = kiosks[0]["heartbeat_age_seconds"].as_i64().unwrap();
    assert!((0..180).contains(&age), "heartbeat age {age} s");

    // The kiosk goes dark: its Syncthing killed, no more heartbeats.
    kiosk.kill();
    let last = arrived(&office_copy).unwrap();
    assert!(last >= seen[1], "the office's copy went back in time");
    let silence = infokiosk::fleet::SILENCE;
    let second = chrono::Duration::seconds(1);

    let (code, json) = fleet(&outboxes, last + silence - second);
    assert_eq!(code, Some(0), "not silent yet: {json:#}");
    assert_eq!(json["alerts"], serde_json::json!([]), "{json:#}");

    let (code, json) = fleet(&outboxes, last + silence + second);
    assert_eq!(code, Some(2), "{json:#}");
    let alerts = json["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{json:#}");
    assert_eq!(alerts[0]["kiosk_id"], KIOSK);
    assert_eq!(alerts[0]["kind"], "silent");
    let since: DateTime<Utc> = alerts[0]["since"].as_str().unwrap().parse().unwrap();
    assert_eq!(since, last, "silent since its last heartbeat: {json:#}");
    eprintln!("done after {:.1} s", started.elapsed().as_secs_f64());
}
