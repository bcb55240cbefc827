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
        if holds(&target, opened.len()) {
            return Ok((sha256, Stored::Present));
        }
        let store_failed = |e| ObjectError::Store {
            path: target.clone(),
            source: e,
        };
        std::fs::create_dir_all(target.parent().expect("inside the store"))
            .map_err(store_failed)?;
        let temp = self.temp_name();
        let how = if self.link(source, &temp, &opened) {
            Stored::Linked
        } else {
            let copied = copy_checked(&mut file, &temp, &sha256);
            if !matches!(copied, Ok(true)) {
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
        commit(&temp, &target).map_err(store_failed)?;
        Ok((sha256, how))
    }

    /// Puts `bytes` in the store unless they are there already: for what the
    /// player read into memory and used from there (a ticker file, captions,
    /// the signed manifest), so the object is exactly what was used even if
    /// the file has changed since. Returns the SHA-256 (hex).
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<String, ObjectError> {
        let sha256 = hex(&Sha256::digest(bytes));
        let target = self.path_of(&sha256).expect("a hex SHA-256");
        if holds(&target, bytes.len() as u64) {
            return Ok(sha256);
        }
        let store_failed = |e| ObjectError::Store {
            path: target.clone(),
            source: e,
        };
        std::fs::create_dir_all(target.parent().expect("inside the store"))
            .map_err(store_failed)?;
        let temp = self.temp_name();
        let written = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut out| {
                out.write_all(bytes)?;
                out.sync_all()
            });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(store_failed(e));
        }
        commit(&temp, &target).map_err(store_failed)?;
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

/// Whether an object of `len` bytes is at `target` already (its name is its
/// SHA-256, so the same length is the same bytes but for damage).
fn holds(target: &Path, len: u64) -> bool {
    std::fs::symlink_metadata(target).is_ok_and(|m| m.is_file() && m.len() == len)
}

/// Renames the filled `temp` to `target` (removing it if that fails) and
/// syncs the folder, so that the object outlives a power cut.
fn commit(temp: &Path, target: &Path) -> io::Result<()> {
    if let Err(e) = std::fs::rename(temp, target) {
        let _ = std::fs::remove_file(temp);
        return Err(e);
    }
    File::open(target.parent().expect("inside the store"))?.sync_all()
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
mod tests;
