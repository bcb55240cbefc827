//! A player on an X display of the test's own, for tests that type keys
//! into its window (xdotool) or supervise it (kill, restart).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::MutexGuard;

use crate::support::{Kiosk, WINDOW, bin};

/// A player on an X display of the test's own (Xvfb started here on a free
/// display number), so that `xdotool` and `import` reach its window through
/// `DISPLAY`. Killed, with its Xvfb, when dropped.
pub struct Desktop {
    pub display: String,
    log: PathBuf,
    player: Child,
    xvfb: Child,
    _window: MutexGuard<'static, ()>,
}

impl Kiosk {
    /// Starts Xvfb and the player in a 1280x720 window on it; the player
    /// leaves by itself after `seconds` at the latest.
    pub fn start_on_own_display(&self, seconds: f64, extra_args: &[&str]) -> Desktop {
        let window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
        let log = self.dir.path().join("player.log");
        // A fresh Xvfb now and then refuses its first client (seen as
        // XOpenDisplayFailed in the player): start both again, twice at most.
        let mut attempt = 0;
        let (display, player, xvfb) = loop {
            attempt += 1;
            let (display, mut xvfb) = start_xvfb();
            let mut player = Command::new(bin())
                .args(["run", "--windowed", "--config"])
                .arg(self.config())
                .args(["--exit-after", &seconds.to_string()])
                .args(extra_args)
                .env("DISPLAY", &display)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(1500));
            let refused = player.try_wait().unwrap().is_some()
                && std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .contains("XOpenDisplayFailed");
            if !refused || attempt == 3 {
                break (display, player, xvfb);
            }
            stop(&mut xvfb);
        };
        Desktop {
            display,
            log,
            player,
            xvfb,
            _window: window,
        }
    }
}

/// Xvfb on the first free display from :20; waits until it takes clients.
/// A display whose lock file is live makes Xvfb exit at once: next number.
pub fn start_xvfb() -> (String, Child) {
    for n in 20..200 {
        let display = format!(":{n}");
        let mut command = Command::new("Xvfb");
        command
            .args([&display, "-screen", "0", "1280x720x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // A test killed before it could stop its Xvfb (a timeout, ^C) takes
        // the server with it instead of leaving it to hold the display.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let mut xvfb = command.spawn().expect("Xvfb runs (package xvfb)");
        let answers = || {
            Command::new("xdotool")
                .arg("getdisplaygeometry")
                .env("DISPLAY", &display)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        for _ in 0..100 {
            if xvfb.try_wait().unwrap().is_some() {
                break; // another server holds this number
            }
            if answers() {
                // Ours, and still up a moment later: not a server on its
                // way out that answered in its place.
                std::thread::sleep(std::time::Duration::from_millis(300));
                if xvfb.try_wait().unwrap().is_none() && answers() {
                    return (display, xvfb);
                }
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        stop(&mut xvfb);
    }
    panic!("no free X display between :20 and :199");
}

/// SIGTERM, so that Xvfb removes its lock file and socket.
pub fn stop(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    for _ in 0..50 {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Desktop {
    /// Runs `xdotool` on this display; panics if it fails.
    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool runs (package xdotool)");
        assert!(
            out.status.success(),
            "xdotool {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits for the player's window and gives it the keyboard focus.
    pub fn wait_for_window(&mut self) {
        let started = std::time::Instant::now();
        loop {
            let found = Command::new("xdotool")
                .args(["search", "--onlyvisible", "--name", "^infokiosk$"])
                .env("DISPLAY", &self.display)
                .output()
                .unwrap();
            let id = String::from_utf8_lossy(&found.stdout);
            if let Some(id) = id.split_whitespace().next() {
                self.xdotool(&["windowfocus", id]);
                return;
            }
            assert!(self.is_running(), "player ended early:\n{}", self.log());
            assert!(
                started.elapsed().as_secs() < 60,
                "no window after 60 s:\n{}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// Presses keys (xdotool names, e.g. `ctrl+alt+a`, `Return`, `F5`).
    pub fn key(&self, keys: &str) {
        let mut args = vec!["key", "--delay", "120"];
        args.extend(keys.split_whitespace());
        self.xdotool(&args);
    }

    /// Types text as key presses.
    pub fn type_text(&self, text: &str) {
        self.xdotool(&["type", "--delay", "60", text]);
    }

    /// Saves what the X display shows (ImageMagick `import`).
    pub fn screenshot(&self, path: &Path) {
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(path)
            .env("DISPLAY", &self.display)
            .status()
            .expect("import runs (package imagemagick)");
        assert!(status.success(), "import failed");
    }

    pub fn is_running(&mut self) -> bool {
        self.player.try_wait().unwrap().is_none()
    }

    /// The player's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `seconds` for the player to leave; its exit status.
    pub fn wait_for_exit(&mut self, seconds: u64) -> Option<std::process::ExitStatus> {
        for _ in 0..seconds * 10 {
            if let Some(status) = self.player.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        None
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let _ = self.player.kill();
        let _ = self.player.wait();
        stop(&mut self.xvfb);
    }
}
