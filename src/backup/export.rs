//! Backups leave the kiosk: a verified archive and its `.sha256` copied into
//! the outbox, which the sync engine carries back to the office.
//!
//! The archive is streamed to a temporary name Syncthing never syncs
//! (`.syncthing.NAME.PID-N.tmp`, created new without following a symlink: the
//! outbox is shared with the sync user), synced and renamed; its `.sha256`
//! follows, written the same way. The office sees the archive whole or not at
//! all, and its checksum only once the archive is there.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::hash::sidecar_of;
use crate::durable::write_atomically;

/// Copies `archive` and its `.sha256` into `outbox`; returns the copy's path.
/// A copy whose `.sha256` already matches is left alone.
pub fn export_to_outbox(archive: &Path, outbox: &Path) -> io::Result<PathBuf> {
    let name = archive
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{}: not a file name", archive.display())))?;
    let sum = std::fs::read(sidecar_of(archive))?;
    let copy = outbox.join(name);
    let copy_sum = sidecar_of(&copy);
    if std::fs::read(&copy_sum).is_ok_and(|there| there == sum) && copy.is_file() {
        return Ok(copy);
    }
    std::fs::create_dir_all(outbox)?;
    // Never a new archive beside an old checksum.
    match std::fs::remove_file(&copy_sum) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    copy_atomically(archive, &copy)?;
    write_atomically(&copy_sum, &sum)?;
    File::open(outbox)?.sync_all()?;
    Ok(copy)
}

fn copy_atomically(source: &Path, target: &Path) -> io::Result<()> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temp = target.with_file_name(format!(
        ".syncthing.{name}.{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .mode(0o644)
        .open(&temp)?;
    let copied = io::copy(&mut File::open(source)?, &mut out)
        .and_then(|_| out.sync_all())
        .and_then(|()| std::fs::rename(&temp, target));
    if copied.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    copied
}
