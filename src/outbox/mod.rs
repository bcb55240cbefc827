//! What the kiosk sends the office besides `status.json`: screenshots of
//! the panel (`outbox_dir/screens/screen-YYYYMMDD-HHMMSS.jpg`, the newest
//! also as `outbox_dir/screen-latest.jpg`, the last 24 h kept) and a copy
//! of the journal (`outbox_dir/journal/YYYY-MM.jsonl`) kept up to date as
//! it grows. This part is pure: names, retention and the journal copy;
//! `plugin.rs` takes the pictures and runs the work off the render loop.

mod journal_copy;
#[cfg(feature = "player")]
pub mod plugin;

use std::io;
use std::path::Path;

use chrono::{Duration, NaiveDateTime};

pub use journal_copy::{MonthCopy, Synced, sync_copy, sync_months};

/// The newest screenshot, under the outbox (the office's `fleet` reads it).
pub const LATEST_SCREEN: &str = "screen-latest.jpg";
/// The folder of timed screenshots, under the outbox.
pub const SCREENS_DIR: &str = "screens";
/// The folder of the journal copies, under the outbox.
pub const JOURNAL_DIR: &str = "journal";
/// Screenshots older than this (by the time in their names) are deleted.
pub const KEEP_SCREENS: Duration = Duration::hours(24);

const PREFIX: &str = "screen-";
const SUFFIX: &str = ".jpg";
const STAMP: &str = "%Y%m%d-%H%M%S";

/// `screen-YYYYMMDD-HHMMSS.jpg` for a screenshot taken at `local` (the
/// kiosk clock, local time).
pub fn screen_name(local: NaiveDateTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", local.format(STAMP))
}

/// The local time in a screenshot's name; `None` for any other name
/// (`screen-latest.jpg`, Syncthing's temporary files, anything else).
pub fn screen_time(name: &str) -> Option<NaiveDateTime> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    // Exactly the digits the name was made with: not "+2026…" or " 2026…".
    if stamp.len() != 15 || !stamp.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, STAMP).ok()
}

/// Which of `names` are screenshots to delete at `now` (local): those dated
/// more than [`KEEP_SCREENS`] before it, or as far after it (taken while the
/// clock was wrong; they would otherwise stay until the clock caught up).
/// Names that are not screenshots are never chosen.
pub fn expired_screens<'a>(
    names: impl IntoIterator<Item = &'a str>,
    now: NaiveDateTime,
) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|name| {
            screen_time(name).is_some_and(|t| t < now - KEEP_SCREENS || t > now + KEEP_SCREENS)
        })
        .collect()
}

/// Deletes the expired screenshots in `dir` (see [`expired_screens`]);
/// returns how many. Only regular files with a screenshot's name are
/// touched.
pub fn remove_expired_screens(dir: &Path, now: NaiveDateTime) -> io::Result<usize> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            names.push(name.to_owned());
        }
    }
    let expired = expired_screens(names.iter().map(String::as_str), now);
    for name in &expired {
        std::fs::remove_file(dir.join(name))?;
    }
    Ok(expired.len())
}

/// Creates `dir` (under the outbox) if needed, refusing a symlink or
/// anything else in its place: the outbox is shared with the sync user,
/// and a planted link must not send the kiosk's writes elsewhere.
pub fn real_dir(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => Ok(()),
        Ok(_) => Err(io::Error::other(format!(
            "{} is not a folder (a symlink?): refused",
            dir.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(dir),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn names_carry_the_local_time_and_read_back() {
        let t = at("2026-11-28 08:05:09");
        assert_eq!(screen_name(t), "screen-20261128-080509.jpg");
        assert_eq!(screen_time(&screen_name(t)), Some(t));
        for other in [
            LATEST_SCREEN,
            "screen-20261128-080509.png",
            "screen-20261128-0805.jpg",
            "screen-2026112x-080509.jpg",
            "screen-20261328-080509.jpg",
            ".syncthing.screen-20261128-080509.jpg.123-0.tmp",
            "notes.txt",
        ] {
            assert_eq!(screen_time(other), None, "{other}");
        }
    }

    #[test]
    fn the_last_24_hours_are_kept_by_the_names_times() {
        let now = at("2026-11-29 08:00:00");
        let names = [
            "screen-20261128-075959.jpg", // 24 h and 1 s ago
            "screen-20261128-080000.jpg", // exactly 24 h ago: kept
            "screen-20261129-075500.jpg",
            "screen-20261130-090000.jpg", // 25 h ahead: a wrong clock
            "screen-latest.jpg",
            "other.jpg",
        ];
        assert_eq!(
            expired_screens(names, now),
            ["screen-20261128-075959.jpg", "screen-20261130-090000.jpg"]
        );
    }

    #[test]
    fn only_our_files_are_deleted_and_file_times_do_not_matter() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2026-11-29 08:00:00");
        for name in [
            "screen-20261127-120000.jpg",
            "screen-20261129-070000.jpg",
            "readme.txt",
        ] {
            // Written now: the names' times decide, not the files'.
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("screen-20261101-000000.jpg")).unwrap();
        assert_eq!(remove_expired_screens(dir.path(), now).unwrap(), 1);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "readme.txt",
                "screen-20261101-000000.jpg",
                "screen-20261129-070000.jpg"
            ]
        );
    }

    #[test]
    fn a_symlink_in_place_of_a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("screens")).unwrap();
        let err = real_dir(&dir.path().join("screens")).unwrap_err();
        assert!(err.to_string().contains("not a folder"), "{err}");
        real_dir(&dir.path().join("journal")).unwrap();
        real_dir(&dir.path().join("journal")).unwrap();
    }
}
