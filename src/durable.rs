//! Files the player writes that must survive a power cut whole: the old
//! content or the new, never half of each.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Names tried for the temporary file before giving up: each one taken by
/// something that is not a regular file (a planted symlink) costs one.
const TRIES: u32 = 8;

/// Writes `bytes` to `path` through a temporary file in the same folder, synced,
/// then renamed over `path`. The temporary name follows Syncthing's own pattern
/// (`.syncthing.NAME.PID-N.tmp`), which Syncthing never syncs.
///
/// The folder may be writable by others (the outbox is shared with the sync
/// user): the temporary file is created new (`O_EXCL`) without following a
/// symlink (`O_NOFOLLOW`), under a name unique to this process and call, so a
/// link planted at a predictable name never redirects the write.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_through(path, bytes, next_temp)
}

/// [`write_atomically`] for what `source` reads, streamed (an archive too
/// large to hold in memory).
pub fn copy_atomically(source: &mut impl Read, path: &Path) -> io::Result<()> {
    fill_through(path, |file| io::copy(source, file).map(drop), next_temp)
}

/// The next number for a temporary name, unique within this process.
fn next_temp() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// [`write_atomically`] with the temporary names' counter given (tests plant
/// files at the names it will try).
fn write_through(path: &Path, bytes: &[u8], next: impl FnMut() -> u32) -> io::Result<()> {
    fill_through(path, |file| file.write_all(bytes), next)
}

/// The temporary file made, filled by `fill`, synced and renamed over `path`;
/// removed again if any of that fails.
fn fill_through(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
    mut next: impl FnMut() -> u32,
) -> io::Result<()> {
    let (temp, mut file) = create_temp(path, &mut next)?;
    let written = fill(&mut file).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(())
}

/// A new temporary file beside `path`. A regular file already at the name is
/// a stale one of ours (the same process id before a power cut): it is
/// removed and the name used. Anything else there is left alone and another
/// name is tried.
fn create_temp(path: &Path, next: &mut impl FnMut() -> u32) -> io::Result<(PathBuf, File)> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let pid = std::process::id();
    let mut refused = None;
    for _ in 0..TRIES {
        let temp = path.with_file_name(format!(".syncthing.{name}.{pid}-{}.tmp", next()));
        match create_new(&temp) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            done => return done.map(|file| (temp, file)),
        }
        if std::fs::symlink_metadata(&temp).is_ok_and(|m| m.file_type().is_file()) {
            std::fs::remove_file(&temp)?;
            return create_new(&temp).map(|file| (temp, file));
        }
        refused = Some(temp);
    }
    let shown = refused.map_or_else(String::new, |t| t.display().to_string());
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "cannot write {}: its temporary names (the last {shown}) are taken by something that is not a regular file (a symlink?), which is never followed",
            path.display()
        ),
    ))
}

/// Creates `path` as a new file, failing if anything (a symlink included) is there.
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .mode(0o644)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn outbox_files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        write_atomically(&path, b"{\"v\":1}\n").unwrap();
        write_atomically(&path, b"{\"v\":2}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"v\":2}\n");
        assert_eq!(names(dir.path()), ["status.json"]);
    }

    #[test]
    fn a_symlink_at_the_old_fixed_temp_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.conf");
        std::fs::write(&target, b"not the player's").unwrap();
        let planted = dir.path().join(".syncthing.status.json.tmp");
        symlink(&target, &planted).unwrap();
        let path = dir.path().join("status.json");
        write_atomically(&path, b"{\"v\":1}\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"not the player's");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"v\":1}\n");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
        assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
    }

    #[test]
    fn a_symlink_at_the_temp_name_is_skipped_and_a_stale_file_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.conf");
        std::fs::write(&target, b"not the player's").unwrap();
        let path = dir.path().join("status.json");
        let pid = std::process::id();
        let temp = |n: u32| {
            dir.path()
                .join(format!(".syncthing.status.json.{pid}-{n}.tmp"))
        };
        symlink(&target, temp(0)).unwrap();
        std::fs::write(temp(1), b"left by a power cut").unwrap();
        let mut n = 0;
        write_through(&path, b"{\"v\":1}\n", || {
            n += 1;
            n - 1
        })
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"not the player's");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"v\":1}\n");
        let link = format!(".syncthing.status.json.{pid}-0.tmp");
        assert_eq!(
            names(dir.path()),
            [link.as_str(), "elsewhere.conf", "status.json"]
        );

        // Every name taken by a link: a clear refusal, nothing followed.
        for n in 0..TRIES {
            let _ = std::fs::remove_file(temp(n));
            symlink(&target, temp(n)).unwrap();
        }
        let err = write_through(&path, b"{\"v\":2}\n", {
            let mut n = 0;
            move || {
                n += 1;
                n - 1
            }
        })
        .unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(err.to_string().contains("status.json"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"not the player's");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"v\":1}\n");
    }
}
