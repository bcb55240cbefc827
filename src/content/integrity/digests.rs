//! The digest cache: SHA-256 of content files keyed by path, size, mtime, ctime and inode, kept as JSON beside the verified copies.
//!
//! Hashing a 200 MB clip takes a second; a rescan of an unchanged folder must read nothing.
//! ctime is in the key because a writer cannot set it back: a file rewritten in place with
//! its mtime restored is hashed again.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::checksums::Sha256;
use crate::content::walk::FileStamp;

const FORMAT: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Known {
    stamp: FileStamp,
    sha256: Sha256,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    files: HashMap<String, Known>,
}

#[derive(Debug, Default)]
pub(crate) struct DigestCache {
    file: Option<PathBuf>,
    loaded: bool,
    /// rel -> the digest of the file as it was with that stamp.
    entries: HashMap<String, Known>,
    dirty: bool,
}

impl DigestCache {
    /// `file`: where the cache is kept; `None` keeps it in memory only.
    pub fn new(file: Option<PathBuf>) -> Self {
        DigestCache {
            file,
            ..Default::default()
        }
    }

    pub fn get(&mut self, rel: &str, stamp: FileStamp) -> Option<Sha256> {
        self.ensure_loaded();
        let known = self.entries.get(rel).filter(|k| k.stamp == stamp)?;
        Some(known.sha256)
    }

    pub fn put(&mut self, rel: &str, stamp: FileStamp, sha256: Sha256) {
        self.ensure_loaded();
        let known = Known { stamp, sha256 };
        if self.entries.insert(rel.to_owned(), known) != Some(known) {
            self.dirty = true;
        }
    }

    /// A missing or damaged cache is an empty one: it only costs time.
    fn ensure_loaded(&mut self) {
        if std::mem::replace(&mut self.loaded, true) {
            return;
        }
        let Some(file) = &self.file else { return };
        let Ok(bytes) = fs::read(file) else { return };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(cache) if cache.format == FORMAT => self.entries = cache.files,
            _ => self.dirty = true,
        }
    }

    /// Forgets files that are gone (`present`: rel paths) and writes the cache if it changed,
    /// through a temp file and a rename.
    pub fn retain_and_save(&mut self, present: &HashSet<String>) -> Result<(), String> {
        let before = self.entries.len();
        self.entries.retain(|rel, _| present.contains(rel));
        self.dirty |= self.entries.len() != before;
        let Some(file) = self.file.as_ref().filter(|_| self.dirty) else {
            return Ok(());
        };
        let cache = CacheFile {
            format: FORMAT,
            files: self.entries.clone(),
        };
        let json = serde_json::to_vec(&cache).map_err(std::io::Error::other);
        let mut tmp = file.clone().into_os_string();
        tmp.push(".tmp");
        let written = json.and_then(|json| {
            if let Some(dir) = file.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&tmp, json)?;
            fs::rename(&tmp, file)
        });
        written.map_err(|e| format!("digest cache {} cannot be written: {e}", file.display()))?;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_a_restart_and_misses_on_any_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("verified/index.json");
        let stamp = FileStamp {
            size: 10,
            inode: 7,
            ..Default::default()
        };
        let digest = Sha256([7; 32]);
        let mut cache = DigestCache::new(Some(file.clone()));
        cache.put("a.mp4", stamp, digest);
        cache.put("gone.mp4", stamp, digest);
        cache
            .retain_and_save(&HashSet::from(["a.mp4".to_owned()]))
            .unwrap();

        let mut again = DigestCache::new(Some(file));
        assert_eq!(again.get("a.mp4", stamp), Some(digest));
        assert_eq!(again.get("gone.mp4", stamp), None);
        let ctime = FileStamp {
            ctime: (1, 0),
            ..stamp
        };
        assert_eq!(again.get("a.mp4", ctime), None, "rewritten in place");
        let inode = FileStamp { inode: 8, ..stamp };
        assert_eq!(again.get("a.mp4", inode), None, "replaced by a rename");
    }
}
