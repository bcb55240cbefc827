//! Faults a kiosk meets: a broken config written while it runs, the content
//! folder deleted and created again, a kill -9, a hung main loop.

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::desktop::{start_xvfb, stop};
use crate::support::*;

#[test]
fn broken_config_keeps_the_running_one_and_a_fixed_one_is_applied() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a.png"), "red", 640, 480);
    let good = std::fs::read_to_string(kiosk.config()).unwrap();
    let running = kiosk.start(8.0, &artifact("config-reload.png"), OPEN);
    std::thread::sleep(Duration::from_secs(3));
    std::fs::write(kiosk.config(), "kiosk_id: [not closed\n").unwrap();
    std::thread::sleep(Duration::from_secs(4));
    std::fs::write(
        kiosk.config(),
        good.replace("image_seconds: 1", "image_seconds: 2"),
    )
    .unwrap();
    running.finish();
    let journal = kiosk.journal();
    let rejected = events(&journal, "config_rejected");
    assert_eq!(rejected.len(), 1, "{journal:#?}");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("infokiosk.yaml")
    );
    assert_eq!(events(&journal, "config_changed").len(), 1);
    // Played on through the broken file, then restarted with the new one.
    let started = events(&journal, "app_started").len();
    assert_eq!(started, 2, "one restart to apply the fixed config");
    let rejected_at = journal
        .iter()
        .position(|l| l["event"] == "config_rejected")
        .unwrap();
    let changed_at = journal
        .iter()
        .position(|l| l["event"] == "config_changed")
        .unwrap();
    assert!(
        journal[rejected_at..changed_at]
            .iter()
            .any(|l| l["event"] == "play_started"),
        "content kept playing while the file was broken"
    );
    assert!(
        events(&journal, "incident").is_empty(),
        "a restart to apply a config is no downtime"
    );
    assert!(Shot::open(&artifact("config-reload.png")).is_near(640, 360, RED, 30.0));
}

#[test]
fn content_folder_deleted_and_created_again() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a.png"), "red", 640, 480);
    let running = kiosk.start(11.0, &artifact("folder-recreated.png"), OPEN);
    std::thread::sleep(Duration::from_secs(3));
    std::fs::remove_dir_all(kiosk.content()).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let temp = kiosk.dir.path().join("incoming");
    std::fs::create_dir(&temp).unwrap();
    make_png(&temp.join("b.png"), "blue", 640, 480);
    std::fs::rename(&temp, kiosk.content()).unwrap();
    running.finish();
    let journal = kiosk.journal();
    assert!(
        events(&journal, "content_removed")
            .iter()
            .any(|r| r["item"] == "a.png")
    );
    assert!(
        events(&journal, "play_started")
            .iter()
            .any(|r| r["item"] == "b.png"),
        "{journal:#?}"
    );
    let shot = Shot::open(&artifact("folder-recreated.png"));
    assert!(
        shot.is_near(640, 360, [0.0, 0.0, 255.0], 40.0),
        "{:?}",
        shot.mean(640, 360, 16)
    );
}

fn start_player(kiosk: &Kiosk, display: &str, args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(bin())
        .args(["run", "--windowed", "--config"])
        .arg(kiosk.config())
        .args(args)
        .env("DISPLAY", display)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the journal has more than `count` lines of `event`.
fn wait_for(kiosk: &Kiosk, event: &str, count: usize, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if events(&kiosk.journal(), event).len() > count {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn killed_player_is_back_on_screen_and_the_crash_is_recorded() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a.png"), "red", 640, 480);
    let _window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let (display, mut xvfb) = start_xvfb();
    // What the systemd unit does (Restart=always), done by the test.
    let mut player = start_player(
        &kiosk,
        &display,
        &["--exit-after", "30", "--clock", "2026-11-28T01:00:00Z"],
        &[],
    );
    wait_for(&kiosk, "play_started", 0, Duration::from_secs(30)).expect("first run shows content");
    std::thread::sleep(Duration::from_secs(1));
    player.kill().unwrap(); // SIGKILL
    player.wait().unwrap();
    let killed = Instant::now();
    let plays_before = events(&kiosk.journal(), "play_started").len();
    let mut player = start_player(
        &kiosk,
        &display,
        &["--exit-after", "8", "--clock", "2026-11-28T01:00:30Z"],
        &[],
    );
    let back = wait_for(
        &kiosk,
        "play_started",
        plays_before,
        Duration::from_secs(30),
    );
    println!(
        "kill -9 -> restart -> content on screen: {:?}",
        back.map(|_| killed.elapsed())
    );
    assert!(back.is_some(), "content again after the restart");
    player.wait().unwrap();
    stop(&mut xvfb);
    let journal = kiosk.journal();
    assert_eq!(events(&journal, "app_started").len(), 2);
    let incident = events(&journal, "incident");
    assert_eq!(incident.len(), 1, "{journal:#?}");
    assert_eq!(incident[0]["cause"], "power_loss_or_crash");
}

#[test]
fn hung_main_loop_stops_the_watchdog_pings() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a.png"), "red", 640, 480);
    let socket_path = kiosk.dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let _window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let (display, mut xvfb) = start_xvfb();
    let env = [
        ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
        ("WATCHDOG_USEC", "2000000"),
    ];
    let mut player = start_player(
        &kiosk,
        &display,
        &["--exit-after", "60", "--debug-hang-after", "6"],
        &env,
    );
    let mut buf = [0u8; 512];
    let mut ready = false;
    let mut pings = 0;
    let mut last_ping = Instant::now();
    let started = Instant::now();
    // The supervisor's side: READY, pings every second, then silence.
    let expired = loop {
        if let Ok(n) = socket.recv(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            ready |= text.contains("READY=1");
            if text.contains("WATCHDOG=1") {
                pings += 1;
                last_ping = Instant::now();
            }
        }
        if ready && pings > 0 && last_ping.elapsed() > Duration::from_secs(2) {
            break true;
        }
        if started.elapsed() > Duration::from_secs(40) {
            break false;
        }
    };
    assert!(ready, "READY=1 was sent");
    assert!(pings >= 2, "the main loop pinged: {pings}");
    assert!(expired, "the pings stopped when the loop hung");
    // systemd would now kill and restart it.
    player.kill().unwrap();
    player.wait().unwrap();
    let mut player = start_player(&kiosk, &display, &["--exit-after", "6"], &env);
    let mut ready_again = false;
    let started = Instant::now();
    while !ready_again && started.elapsed() < Duration::from_secs(30) {
        if let Ok(n) = socket.recv(&mut buf) {
            ready_again = String::from_utf8_lossy(&buf[..n]).contains("READY=1");
        }
    }
    player.wait().unwrap();
    stop(&mut xvfb);
    assert!(ready_again, "the restarted player is ready again");
}
