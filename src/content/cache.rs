//! The probe cache: image headers and video probes keyed by path, size and mtime, kept as JSON in the data folder.
//!
//! Probing a video costs tens of milliseconds; a rescan of an unchanged folder must not pay it
//! again, nor even open the files. A changed size or mtime is a changed file: probed again.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::MediaInfo;

const FORMAT: u32 = 1;

#[derive(Debug, Default)]
pub(crate) struct ProbeCache {
    file: Option<PathBuf>,
    loaded: bool,
    entries: HashMap<String, Entry>,
    dirty: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    size: u64,
    /// Seconds and nanoseconds since the Unix epoch (negative seconds for older files).
    mtime: (i64, u32),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<Info>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Info {
    width: u32,
    height: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    entries: HashMap<String, Entry>,
}

fn stamp(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(before) => {
            let d = before.duration();
            (-(d.as_secs() as i64), d.subsec_nanos())
        }
    }
}

impl ProbeCache {
    pub fn new(file: Option<PathBuf>) -> Self {
        ProbeCache {
            file,
            ..Default::default()
        }
    }

    /// Reads the cache file once. A missing or unreadable cache is an empty one: it only costs time.
    pub fn ensure_loaded(&mut self) {
        if self.loaded {
            return;
        }
        self.loaded = true;
        let Some(file) = &self.file else { return };
        let Ok(bytes) = fs::read(file) else { return };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(cache) if cache.format == FORMAT => self.entries = cache.entries,
            // Written by another version, or damaged: start over and replace it.
            _ => self.dirty = true,
        }
    }

    pub fn get(
        &self,
        rel: &str,
        size: u64,
        modified: SystemTime,
    ) -> Option<Result<MediaInfo, String>> {
        let entry = self.entries.get(rel)?;
        if entry.size != size || entry.mtime != stamp(modified) {
            return None;
        }
        Some(match (&entry.info, &entry.error) {
            (_, Some(error)) => Err(error.clone()),
            (Some(info), None) => Ok(MediaInfo {
                width: info.width,
                height: info.height,
                duration: info.duration_ms.map(Duration::from_millis),
            }),
            (None, None) => return None,
        })
    }

    pub fn put(
        &mut self,
        rel: &str,
        size: u64,
        modified: SystemTime,
        result: &Result<MediaInfo, String>,
    ) {
        let entry = Entry {
            size,
            mtime: stamp(modified),
            info: result.as_ref().ok().map(|info| Info {
                width: info.width,
                height: info.height,
                duration_ms: info.duration.map(|d| d.as_millis() as u64),
            }),
            error: result.as_ref().err().cloned(),
        };
        if self.entries.get(rel) != Some(&entry) {
            self.entries.insert(rel.to_owned(), entry);
            self.dirty = true;
        }
    }

    /// Forgets files that are gone, so the cache does not grow forever.
    pub fn retain(&mut self, present: &HashSet<String>) {
        let before = self.entries.len();
        self.entries.retain(|rel, _| present.contains(rel));
        self.dirty |= self.entries.len() != before;
    }

    pub fn clear(&mut self) {
        self.dirty |= !self.entries.is_empty();
        self.entries.clear();
    }

    /// Writes the cache if it changed: to a temp file next to it, then renamed over it, so a
    /// power cut leaves the old cache or the new one, never half of one.
    pub fn save(&mut self) -> Result<(), String> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        if !self.dirty {
            return Ok(());
        }
        let fail = |what: &str, err: std::io::Error| {
            format!("probe cache {}: {what}: {err}", file.display())
        };
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| fail("cannot create its folder", e))?;
        }
        let cache = CacheFile {
            format: FORMAT,
            entries: std::mem::take(&mut self.entries),
        };
        let json = serde_json::to_vec(&cache);
        self.entries = cache.entries;
        let json = json.map_err(|e| format!("probe cache {}: {e}", file.display()))?;
        let mut tmp = file.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        fs::write(&tmp, json).map_err(|e| fail("cannot write", e))?;
        fs::rename(&tmp, file).map_err(|e| fail("cannot replace", e))?;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> MediaInfo {
        MediaInfo {
            duration: Some(Duration::from_millis(12_345)),
            width: 1920,
            height: 1080,
        }
    }

    #[test]
    fn survives_a_restart_and_misses_on_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data/probe-cache.json");
        let t = UNIX_EPOCH + Duration::from_nanos(1_800_000_000_123_456_789);
        let mut cache = ProbeCache::new(Some(file.clone()));
        cache.ensure_loaded();
        cache.put("a.mp4", 10, t, &Ok(info()));
        cache.put("bad.mp4", 5, t, &Err("missing plugin: HEVC decoder".into()));
        cache.save().unwrap();
        assert!(!dir.path().join("data/probe-cache.json.tmp").exists());

        let mut again = ProbeCache::new(Some(file));
        again.ensure_loaded();
        assert_eq!(again.get("a.mp4", 10, t), Some(Ok(info())));
        assert_eq!(
            again.get("bad.mp4", 5, t),
            Some(Err("missing plugin: HEVC decoder".into()))
        );
        assert_eq!(again.get("a.mp4", 11, t), None, "size changed");
        assert_eq!(
            again.get("a.mp4", 10, t + Duration::from_nanos(1)),
            None,
            "mtime changed"
        );
        assert!(!again.dirty, "nothing changed, nothing to write");
    }

    #[test]
    fn a_damaged_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache.json");
        fs::write(&file, b"{not json").unwrap();
        let mut cache = ProbeCache::new(Some(file.clone()));
        cache.ensure_loaded();
        assert_eq!(cache.get("a.mp4", 1, UNIX_EPOCH), None);
        cache.save().unwrap();
        assert!(serde_json::from_slice::<CacheFile>(&fs::read(file).unwrap()).is_ok());
    }
}
