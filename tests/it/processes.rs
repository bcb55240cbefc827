//! The player and the command line as processes: a command that must have
//! succeeded, and the kiosk's own player among the running processes.

use std::process::{Command, Output};

use crate::support::Kiosk;

/// Fails the test, with the command's stderr, unless it succeeded.
#[track_caller]
pub fn assert_succeeded(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The pids of the player started for `kiosk`: xvfb-run's shell has the
/// config on its command line too, so only processes named `infokiosk`.
pub fn player_pids(kiosk: &Kiosk) -> Vec<String> {
    let pids = Command::new("pgrep")
        .args(["-f", &kiosk.config().display().to_string()])
        .output()
        .unwrap();
    std::str::from_utf8(&pids.stdout)
        .unwrap()
        .lines()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.trim() == "infokiosk")
        })
        .map(str::to_owned)
        .collect()
}
