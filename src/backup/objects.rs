//! The shown-content store: every version of a file the player showed, kept
//! by content under `data_dir/objects/ab/<sha256>` from the moment it was
//! shown, so the monthly backup holds what was on screen whatever the
//! folder holds since.
//!
//! A file goes in by hard link when it is on the same file system (the
//! verified copies of signed mode always are), by copy otherwise: a temporary
//! name in the store, synced, renamed. Either way the object's SHA-256 is
//! its name; the backup hashes it again before packing it, so an object
//! changed in place afterwards (a hard-linked file rewritten by a tool that
//! does not replace files) is reported, never archived as something it is not.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::hash::{hex, is_sha256};
use crate::guard::open_regular_target;

#[derive(Debug, Error)]
pub enum ObjectError {
    #[error("{path}: {source}")]
    Source { path: PathBuf, source: io::Error },
    #[error("{path} changed while it was being stored; stored again when next shown")]
    Changed { path: PathBuf },
    #[error("writing {path} into the object store: {source}")]
    Store { path: PathBuf, source: io::Error },
}

/// How a file went into the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The same bytes were already there.
    Present,
    /// A hard link to the file (no extra space).
    Linked,
    /// A copy (another file system, or linking not allowed).
    Copied,
}

/// The store's folder and its layout.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    root: PathBuf,
}

impl ObjectStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/ab/<sha256>`; `None` for anything that is not a SHA-256 (a
    /// journal line must not name other files).
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        if !is_sha256(sha256) || sha256.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Hashes `source` (opened with [`open_regular_target`]: never blocks on a
    /// FIFO) and puts its bytes in the store unless they are there already.
    /// Returns the SHA-256 (hex) and how it was stored.
    pub fn put(&self, source: &Path) -> Result<(String, Stored), ObjectError> {
        let failed = |e| ObjectError::Source {
            path: source.to_owned(),
            source: e,
        };
        let mut file = open_regular_target(source).map_err(failed)?;
        let opened = file.metadata().map_err(failed)?;
        let sha256 = hash(&mut file).map_err(failed)?;
        let target = self.path_of(&sha256).expect("a hex SHA-256");
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file() && m.len() == opened.len())
        {
            return Ok((sha256, Stored::Present));
        }
        let folder = target.parent().expect("inside the store");
        let store_failed = |e| ObjectError::Store {
            path: target.clone(),
            source: e,
        };
        std::fs::create_dir_all(folder).map_err(store_failed)?;
        let temp = self.temp_name();
        let how = if self.link(source, &temp, &opened) {
            Stored::Linked
        } else {
            let copied = copy_checked(&mut file, &temp, &sha256);
            if copied.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
            match copied {
                Ok(true) => {}
                Ok(false) => {
                    return Err(ObjectError::Changed {
                        path: source.to_owned(),
                    });
                }
                Err(e) => return Err(store_failed(e)),
            }
            Stored::Copied
        };
        if let Err(e) = std::fs::rename(&temp, &target) {
            let _ = std::fs::remove_file(&temp);
            return Err(store_failed(e));
        }
        File::open(folder)
            .and_then(|d| d.sync_all())
            .map_err(store_failed)?;
        Ok((sha256, how))
    }

    /// Puts `bytes` in the store unless they are there already: for what the
    /// player read into memory and used from there (a ticker file, captions,
    /// the signed manifest), so the object is exactly what was used even if
    /// the file has changed since. Returns the SHA-256 (hex).
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<String, ObjectError> {
        let sha256 = hex(&Sha256::digest(bytes));
        let target = self.path_of(&sha256).expect("a hex SHA-256");
        if std::fs::symlink_metadata(&target)
            .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        {
            return Ok(sha256);
        }
        let store_failed = |e| ObjectError::Store {
            path: target.clone(),
            source: e,
        };
        let folder = target.parent().expect("inside the store");
        std::fs::create_dir_all(folder).map_err(store_failed)?;
        let temp = self.temp_name();
        let written = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut out| {
                out.write_all(bytes)?;
                out.sync_all()
            })
            .and_then(|()| std::fs::rename(&temp, &target));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(store_failed(e));
        }
        File::open(folder)
            .and_then(|d| d.sync_all())
            .map_err(store_failed)?;
        Ok(sha256)
    }

    /// A hard link to `source` at `temp`, kept only when it is the very file
    /// that was opened and hashed (not a symlink, not a file swapped in since).
    fn link(&self, source: &Path, temp: &Path, opened: &std::fs::Metadata) -> bool {
        if std::fs::hard_link(source, temp).is_err() {
            return false;
        }
        let same = std::fs::symlink_metadata(temp)
            .is_ok_and(|m| m.is_file() && m.dev() == opened.dev() && m.ino() == opened.ino());
        if !same {
            let _ = std::fs::remove_file(temp);
        }
        same
    }

    fn temp_name(&self) -> PathBuf {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        self.root
            .join(format!(".incoming-{}-{n}", std::process::id()))
    }
}

/// The SHA-256 (hex) of everything `reader` yields.
pub(super) fn hash(reader: &mut impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(hex(&hasher.finalize())),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Copies `file` from its start to `temp`, synced; `Ok(false)` when the bytes
/// copied are not the ones hashed (the file changed meanwhile).
fn copy_checked(file: &mut File, temp: &Path, sha256: &str) -> io::Result<bool> {
    file.rewind()?;
    let mut out = File::options().write(true).create_new(true).open(temp)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
    }
    out.sync_all()?;
    Ok(hex(&hasher.finalize()) == sha256)
}

/// What was stored per file, by (path, size, modification time, inode): an
/// unchanged file is hashed once per run of the player.
#[derive(Debug)]
pub struct ShownObjects {
    store: ObjectStore,
    known: HashMap<(PathBuf, u64, SystemTime, u64), String>,
    /// Files hashed so far (not answered from `known`).
    hashed: usize,
}

impl ShownObjects {
    pub fn new(store: ObjectStore) -> Self {
        Self {
            store,
            known: HashMap::new(),
            hashed: 0,
        }
    }

    /// The SHA-256 of the file at `path` now, its bytes in the store.
    pub fn archive(&mut self, path: &Path) -> Result<String, ObjectError> {
        let failed = |e| ObjectError::Source {
            path: path.to_owned(),
            source: e,
        };
        let meta = open_regular_target(path)
            .and_then(|f| f.metadata())
            .map_err(failed)?;
        let key = (
            path.to_owned(),
            meta.len(),
            meta.modified().map_err(failed)?,
            meta.ino(),
        );
        if let Some(sha256) = self.known.get(&key)
            && self.store.path_of(sha256).is_some_and(|p| p.is_file())
        {
            return Ok(sha256.clone());
        }
        self.hashed += 1;
        let (sha256, _) = self.store.put(path)?;
        self.known.insert(key, sha256.clone());
        Ok(sha256)
    }

    /// How many times a file was hashed (not answered from the cache).
    pub fn hashed(&self) -> usize {
        self.hashed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha_of(bytes: &[u8]) -> String {
        hex(&Sha256::digest(bytes))
    }

    #[test]
    fn a_file_is_stored_under_its_sha256_and_hashed_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.jpg");
        std::fs::write(&file, b"picture one").unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let mut shown = ShownObjects::new(store.clone());
        let sha = shown.archive(&file).unwrap();
        assert_eq!(sha, sha_of(b"picture one"));
        let object = store.path_of(&sha).unwrap();
        assert_eq!(std::fs::read(&object).unwrap(), b"picture one");
        // Unchanged: answered from the cache, not hashed again.
        assert_eq!(shown.archive(&file).unwrap(), sha);
        assert_eq!(shown.hashed(), 1);
        // Its object gone from the store: stored again.
        std::fs::remove_file(&object).unwrap();
        assert_eq!(shown.archive(&file).unwrap(), sha);
        assert_eq!(shown.hashed(), 2);
        assert!(object.is_file());
    }

    #[test]
    fn same_file_system_is_a_hard_link_and_a_second_put_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("clip.mp4");
        std::fs::write(&file, b"clip bytes").unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let (sha, how) = store.put(&file).unwrap();
        assert_eq!(how, Stored::Linked);
        let object = std::fs::metadata(store.path_of(&sha).unwrap()).unwrap();
        assert_eq!(object.ino(), std::fs::metadata(&file).unwrap().ino());
        assert_eq!(store.put(&file).unwrap(), (sha, Stored::Present));
    }

    #[test]
    fn another_file_system_is_a_copy() {
        // /dev/shm is a tmpfs on Linux; the temporary folder is on disk here.
        let Ok(shm) = tempfile::tempdir_in("/dev/shm") else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        if std::fs::metadata(shm.path()).unwrap().dev()
            == std::fs::metadata(dir.path()).unwrap().dev()
        {
            return;
        }
        let file = shm.path().join("a.png");
        std::fs::write(&file, b"png bytes").unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let (sha, how) = store.put(&file).unwrap();
        assert_eq!(how, Stored::Copied);
        let object = store.path_of(&sha).unwrap();
        assert_eq!(std::fs::read(&object).unwrap(), b"png bytes");
        assert_ne!(
            std::fs::metadata(&object).unwrap().ino(),
            std::fs::metadata(&file).unwrap().ino()
        );
        let leftovers: Vec<_> = std::fs::read_dir(store.root())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".incoming"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file left");
    }

    #[test]
    fn a_replaced_file_is_a_new_object_and_the_old_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("news.vi.txt");
        std::fs::write(&file, "Tin tức, bản một").unwrap();
        let mut shown = ShownObjects::new(ObjectStore::new(dir.path().join("objects")));
        let first = shown.archive(&file).unwrap();
        // Replaced the way a sync engine does it: a new file renamed over.
        let new = dir.path().join(".news.tmp");
        std::fs::write(&new, "Tin tức, bản hai").unwrap();
        std::fs::rename(&new, &file).unwrap();
        let second = shown.archive(&file).unwrap();
        assert_ne!(first, second);
        let store = ObjectStore::new(dir.path().join("objects"));
        let read = |sha: &str| std::fs::read_to_string(store.path_of(sha).unwrap()).unwrap();
        assert_eq!(read(&first), "Tin tức, bản một");
        assert_eq!(read(&second), "Tin tức, bản hai");
    }

    #[test]
    fn bytes_in_memory_are_stored_once_under_their_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let store = ObjectStore::new(dir.path().join("objects"));
        let sha = store.put_bytes("Tin thứ nhất\n".as_bytes()).unwrap();
        assert_eq!(sha, sha_of("Tin thứ nhất\n".as_bytes()));
        let object = store.path_of(&sha).unwrap();
        assert_eq!(std::fs::read(&object).unwrap(), "Tin thứ nhất\n".as_bytes());
        let stored = std::fs::metadata(&object).unwrap().ino();
        assert_eq!(store.put_bytes("Tin thứ nhất\n".as_bytes()).unwrap(), sha);
        assert_eq!(
            std::fs::metadata(&object).unwrap().ino(),
            stored,
            "not written again"
        );
        let names: Vec<_> = std::fs::read_dir(store.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [&sha[..2]], "no temporary file left");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("trap.mp4");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let mut shown = ShownObjects::new(ObjectStore::new(dir.path().join("objects")));
        let error = shown.archive(&fifo).unwrap_err().to_string();
        assert!(
            error.contains("trap.mp4") && error.contains("not a regular file"),
            "{error}"
        );
    }

    #[test]
    fn only_a_lowercase_sha256_names_an_object() {
        let store = ObjectStore::new("/x");
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
        assert_eq!(
            store.path_of(&"ab".repeat(32)).unwrap(),
            Path::new("/x/ab").join("ab".repeat(32))
        );
    }
}
