//! Backups leave the kiosk: a verified archive and its `.sha256` copied into
//! the outbox, which the sync engine carries back to the office.
//!
//! The archive is streamed to a temporary name Syncthing never syncs and
//! renamed, its `.sha256` written after it the same way (`crate::durable`:
//! the temporary file is created new without following a symlink, as the
//! outbox is shared with the sync user). The office sees the archive whole or
//! not at all, and its checksum only once the archive is there.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::hash::sidecar_of;
use crate::durable::{copy_atomically, write_atomically};
use crate::guard::read_bytes_limited;

/// A `.sha256` file is one line; anything larger is not one of ours.
const MAX_SUM_BYTES: u64 = 4096;

/// Copies `archive` and its `.sha256` into `outbox`; returns the copy's path.
/// A copy whose `.sha256` already matches is left alone.
pub fn export_to_outbox(archive: &Path, outbox: &Path) -> io::Result<PathBuf> {
    let name = archive
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{}: not a file name", archive.display())))?;
    // The archive and its sum are the backup folder's own, written by this
    // program: read as they are.
    let sum = std::fs::read(sidecar_of(archive))?;
    let copy = outbox.join(name);
    let copy_sum = sidecar_of(&copy);
    // The outbox is shared with the sync user: what is there is read without
    // following a link or waiting on a FIFO, and anything but a regular
    // file is replaced.
    let exported = read_bytes_limited(&copy_sum, MAX_SUM_BYTES).is_ok_and(|there| there == sum)
        && std::fs::symlink_metadata(&copy).is_ok_and(|m| m.is_file());
    if exported {
        return Ok(copy);
    }
    std::fs::create_dir_all(outbox)?;
    // Never a new archive beside an old checksum.
    match std::fs::remove_file(&copy_sum) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    copy_atomically(&mut File::open(archive)?, &copy)?;
    write_atomically(&copy_sum, &sum)?;
    File::open(outbox)?.sync_all()?;
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_or_a_link_planted_in_the_outbox_is_replaced_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("infokiosk-tb-1-2026-11.tar.zst");
        std::fs::write(&archive, b"archive bytes").unwrap();
        std::fs::write(sidecar_of(&archive), b"sum line\n").unwrap();
        let outbox = dir.path().join("outbox");
        std::fs::create_dir(&outbox).unwrap();
        let copy = outbox.join("infokiosk-tb-1-2026-11.tar.zst");
        let fifo = std::process::Command::new("mkfifo")
            .arg(sidecar_of(&copy))
            .status()
            .unwrap();
        assert!(fifo.success());
        std::os::unix::fs::symlink(&archive, &copy).unwrap();

        // On a thread: a read that waits on the FIFO fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        let (from, to) = (archive.clone(), outbox.clone());
        std::thread::spawn(move || {
            tx.send(export_to_outbox(&from, &to).map_err(|e| e.to_string()))
        });
        let exported = rx.recv_timeout(std::time::Duration::from_secs(5));
        assert_eq!(exported.expect("blocked on the FIFO"), Ok(copy.clone()));
        assert!(std::fs::symlink_metadata(&copy).unwrap().is_file());
        assert_eq!(std::fs::read(&copy).unwrap(), b"archive bytes");
        assert_eq!(std::fs::read(sidecar_of(&copy)).unwrap(), b"sum line\n");
    }
}
