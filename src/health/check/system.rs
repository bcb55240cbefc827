//! The machine's checks: data folder and free space, clock synchronisation,
//! the display power command.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Check, CheckSettings, Verdict, local_text};
use crate::command::run_quietly;
use crate::config::{DisplayBackend, DisplayConfig};

pub(super) fn data_check(dir: &Path, settings: &CheckSettings) -> Check {
    if !dir.is_dir() {
        let reason = format!("data folder {} does not exist", dir.display());
        return Check::fail("data", reason);
    }
    let (verdict, reason) = room_in(dir, settings);
    Check::new("data", verdict, reason)
}

/// Whether the player's user can write in `dir` and how much room is left:
/// FAIL when not writable or nearly full, WARN when running low.
pub(super) fn room_in(dir: &Path, settings: &CheckSettings) -> (Verdict, String) {
    let shown = dir.display();
    if let Err(e) = tempfile::tempfile_in(dir) {
        return (Verdict::Fail, format!("{shown} is not writable: {e}"));
    }
    match free_bytes(dir) {
        Err(e) => (Verdict::Warn, format!("{shown}: free space unknown: {e}")),
        Ok(free) => {
            let reason = format!("{shown} writable, {} free", size_text(free));
            if free < settings.fail_free_bytes {
                (Verdict::Fail, reason + " (nearly full)")
            } else if free < settings.warn_free_bytes {
                (Verdict::Warn, reason + " (running low)")
            } else {
                (Verdict::Pass, reason)
            }
        }
    }
}

/// Space available to an ordinary user on the filesystem holding `path`.
fn free_bytes(path: &Path) -> io::Result<u64> {
    crate::health::disk_space(path).map(|space| space.free)
}

pub(super) fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / f64::from(1u32 << 30)),
        b => format!("{} MB", b >> 20),
    }
}

pub(super) fn clock_check(tz: Tz, now: DateTime<Utc>) -> Check {
    let answer = run_quietly(
        Path::new("timedatectl"),
        &["show", "-p", "NTPSynchronized", "--value"],
        Duration::from_secs(5),
    );
    clock_verdict(answer, tz, now)
}

fn clock_verdict(answer: Result<String, String>, tz: Tz, now: DateTime<Utc>) -> Check {
    let clock = format!(
        "clock reads {} ({} UTC)",
        local_text(now, tz),
        now.format("%H:%M:%S")
    );
    match answer.as_deref().map(str::trim) {
        Ok("yes") => Check::pass("clock", format!("{clock}, synchronised (NTP)")),
        Ok("no") => Check::warn(
            "clock",
            format!("{clock}, NOT synchronised: the opening hours follow this clock"),
        ),
        Ok(other) => Check::warn("clock", format!("{clock}; timedatectl says {other:?}")),
        Err(e) => Check::warn("clock", format!("{clock}; sync state unknown: {e}")),
    }
}

/// Which decoder each codec gets: FAIL without an H.264 decoder (the codec
/// the office exports), else PASS, saying whether decoding is in hardware.
pub(super) fn decoders_check() -> Check {
    let choices = match crate::media::decoder_choices() {
        Ok(choices) => choices,
        Err(e) => return Check::fail("decoders", e.to_string()),
    };
    let details: Vec<String> = choices
        .iter()
        .map(|c| match &c.element {
            Some(element) if c.hardware => format!("{}: {element} (hardware)", c.codec),
            Some(element) => format!("{}: {element} (software)", c.codec),
            None => format!("{}: no decoder installed", c.codec),
        })
        .collect();
    let h264 = &choices[0];
    let check = match &h264.element {
        None => Check::fail(
            "decoders",
            "no H.264 decoder (Debian package gstreamer1.0-libav)",
        ),
        Some(element) if h264.hardware => Check::pass(
            "decoders",
            format!("H.264 decoded in hardware by {element}"),
        ),
        Some(element) => Check::pass(
            "decoders",
            format!("H.264 decoded in software by {element} (no VA-API decoder found)"),
        ),
    };
    check.with_details(details)
}

pub(super) fn display_check(display: &DisplayConfig) -> Check {
    let Some((program, _)) = display.command(false) else {
        return Check::pass(
            "display",
            "backend none: outside hours the screen is only black",
        );
    };
    let package = match program.file_name().and_then(|n| n.to_str()) {
        Some("xset") => " (Debian package x11-xserver-utils)",
        Some("wlr-randr") => " (Debian package wlr-randr)",
        Some("cec-ctl") => " (Debian package v4l-utils)",
        _ => "",
    };
    match find_program(&program) {
        Some(found) if display.backend == DisplayBackend::Xset => {
            match crate::display::monitor_on(&found) {
                Ok(_) => Check::pass(
                    "display",
                    format!("power command {}; the X server has DPMS", found.display()),
                ),
                Err(why) => Check::warn(
                    "display",
                    format!("power command {}: {why}", found.display()),
                ),
            }
        }
        Some(found) => Check::pass("display", format!("power command {}", found.display())),
        None => Check::fail(
            "display",
            format!("power command {} not found{package}", program.display()),
        ),
    }
}

/// The executable `program` names: itself when it has a slash, else the first
/// match on `$PATH`.
fn find_program(program: &Path) -> Option<PathBuf> {
    let executable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.components().count() > 1 {
        return executable(program).then(|| program.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| executable(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HCM: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    #[test]
    fn clock_states_read_as_a_technician_needs_them() {
        let now: DateTime<Utc> = "2026-11-28T03:00:00Z".parse().unwrap();
        let synced = clock_verdict(Ok("yes\n".into()), HCM, now);
        assert_eq!(synced.verdict, super::super::Verdict::Pass);
        assert!(
            synced.reason.contains("2026-11-28 10:00:00 +07"),
            "{}",
            synced.reason
        );
        let adrift = clock_verdict(Ok("no\n".into()), HCM, now);
        assert!(
            adrift.reason.contains("NOT synchronised"),
            "{}",
            adrift.reason
        );
        let unknown = clock_verdict(Err("timedatectl: No such file".into()), HCM, now);
        assert_eq!(unknown.verdict, super::super::Verdict::Warn);
    }

    #[test]
    fn programs_are_found_on_path_or_by_their_own_path() {
        assert!(find_program(Path::new("sh")).is_some());
        assert!(find_program(Path::new("/bin/sh")).is_some());
        assert!(find_program(Path::new("/nonexistent/xset")).is_none());
        assert!(find_program(Path::new("no-such-program-infokiosk")).is_none());
    }

    #[test]
    fn free_space_of_a_real_folder_is_known() {
        let dir = tempfile::tempdir().unwrap();
        assert!(free_bytes(dir.path()).unwrap() > 0);
        assert!(free_bytes(Path::new("/nonexistent/x")).is_err());
        assert_eq!(size_text(3 << 30), "3.0 GB");
        assert_eq!(size_text(5 << 20), "5 MB");
    }
}
