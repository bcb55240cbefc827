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
    age_folder(&kiosk.content());
    let good = std::fs::read_to_string(kiosk.config()).unwrap();
    // 08:00 local, inside hours: a restart counted as downtime is an incident.
    // The second run plays another 20 s after the restart.
    let running = kiosk.start(20.0, &artifact("config-reload.png"), OPEN);
    let limit = Duration::from_secs(20);
    wait_for(&kiosk, "play_started", 0, limit).expect("content on screen");
    std::fs::write(kiosk.config(), "kiosk_id: [not closed\n").unwrap();
    wait_for(&kiosk, "config_rejected", 0, limit).expect("the broken file is noticed");
    let plays = events(&kiosk.journal(), "play_started").len();
    wait_for(&kiosk, "play_started", plays, limit).expect("plays on through the broken file");
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
    let position = |event: &str| journal.iter().position(|l| l["event"] == event).unwrap();
    let (rejected_at, changed_at) = (position("config_rejected"), position("config_changed"));
    assert!(
        journal[rejected_at..changed_at]
            .iter()
            .any(|l| l["event"] == "play_started"),
        "content kept playing while the file was broken"
    );
    // The stop says why, and the restarted player's clock goes on from there:
    // a clock started over would date the second run before the first one's
    // end, and hide any downtime.
    let stopped = events(&journal, "app_stopped");
    assert_eq!(stopped[0]["restart"], "config_changed", "{journal:#?}");
    let times: Vec<chrono::DateTime<chrono::Utc>> = journal
        .iter()
        .map(|l| l["time"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|t| t[0] <= t[1]),
        "the journal's time runs back across the restart: {journal:#?}"
    );
    assert!(
        events(&journal, "incident").is_empty(),
        "a restart to apply a config is no downtime: {journal:#?}"
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
    let log = kiosk.dir.path().join("player.log");
    let _window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let (display, xvfb) = start_xvfb();
    let _xvfb = Stopped(xvfb);
    // WatchdogSec=2: a ping every second while the main loop runs.
    let watchdog = Duration::from_secs(2);
    let env = [
        ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
        ("WATCHDOG_USEC", "2000000"),
    ];
    let mut player = Stopped(start_logged_player(
        &kiosk,
        &display,
        &["--exit-after", "60", "--debug-hang-after", "6"],
        &env,
        &log,
    ));
    let mut supervisor = Supervisor::new(socket);
    // The supervisor's side: READY and pings until the loop hangs...
    let started = Instant::now();
    while !hung(&log) {
        supervisor.listen();
        assert_alive(&mut player.0, &log);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the main loop never hung\n{}",
            read_log(&log)
        );
    }
    assert!(supervisor.ready, "READY=1 was sent");
    assert!(
        supervisor.pings >= 2,
        "the main loop pinged: {}",
        supervisor.pings
    );
    // ...then silence for longer than WatchdogSec, the player still there:
    // hung, not crashed.
    let hung_at = Instant::now();
    while hung_at.elapsed() < watchdog || supervisor.last_ping.elapsed() < watchdog {
        supervisor.listen();
        assert_alive(&mut player.0, &log);
        assert!(
            hung_at.elapsed() < Duration::from_secs(20),
            "pings went on after the main loop hung: {} in all",
            supervisor.pings
        );
    }
    assert_alive(&mut player.0, &log);
    // systemd would now kill and restart it.
    player.0.kill().unwrap();
    player.0.wait().unwrap();
    let mut player = Stopped(start_player(&kiosk, &display, &["--exit-after", "6"], &env));
    supervisor.ready = false;
    let started = Instant::now();
    while !supervisor.ready && started.elapsed() < Duration::from_secs(30) {
        supervisor.listen();
    }
    assert!(supervisor.ready, "the restarted player is ready again");
    player.0.wait().unwrap();
}

/// [`start_player`] with the player's log (stderr) written to `log`.
fn start_logged_player(
    kiosk: &Kiosk,
    display: &str,
    args: &[&str],
    env: &[(&str, &str)],
    log: &std::path::Path,
) -> Child {
    Command::new(bin())
        .args(["run", "--windowed", "--config"])
        .arg(kiosk.config())
        .args(args)
        .env("DISPLAY", display)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

fn read_log(log: &std::path::Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Whether `--debug-hang-after` has stopped the main loop.
fn hung(log: &std::path::Path) -> bool {
    read_log(log).contains("the main loop hangs now")
}

/// A player that exits was not hung: a crash would also stop the pings.
fn assert_alive(player: &mut Child, log: &std::path::Path) {
    if let Some(status) = player.try_wait().unwrap() {
        panic!(
            "the player exited ({status}) instead of hanging\n{}",
            read_log(log)
        );
    }
}

/// systemd's end of `NOTIFY_SOCKET`: what the player has said so far.
struct Supervisor {
    socket: UnixDatagram,
    ready: bool,
    pings: usize,
    last_ping: Instant,
}

impl Supervisor {
    fn new(socket: UnixDatagram) -> Self {
        Self {
            socket,
            ready: false,
            pings: 0,
            last_ping: Instant::now(),
        }
    }

    /// Takes in one notification, or waits for the socket's read timeout.
    fn listen(&mut self) {
        let mut buf = [0u8; 512];
        let Ok(n) = self.socket.recv(&mut buf) else {
            return;
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        self.ready |= text.contains("READY=1");
        if text.contains("WATCHDOG=1") {
            self.pings += 1;
            self.last_ping = Instant::now();
        }
    }
}

/// A process of the test's, stopped when the test ends, also when a check
/// fails (a hung player would otherwise stay, with its Xvfb).
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        if self.0.try_wait().is_ok_and(|status| status.is_none()) {
            stop(&mut self.0);
        }
    }
}
