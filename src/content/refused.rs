//! Which refused files the journal was already told about, kept across
//! restarts (`state/refused.json` under the data folder). The first catalog
//! of a run is compared with the last one of the previous run, not with an
//! empty one: a restart with 20,000 unchanged junk files in the folder
//! journals none of them again.
//!
//! A refusal is known by its path and reason (as within a run, see
//! [`super::Catalog::diff`]), kept as a 64-bit hash of both: the file stays
//! small and bounded whatever the names are.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::Rejected;
use crate::durable::write_atomically;

/// At most this many refusals are remembered (a 2 MB file). Beyond it, the
/// rest are taken as new at each start: they then make one summary line.
pub const MAX_REMEMBERED: usize = 100_000;

/// The refusals journaled by the last run, and where they are kept.
#[derive(Debug, Default)]
pub struct RefusalMemory {
    path: Option<PathBuf>,
    known: HashSet<u64>,
}

impl RefusalMemory {
    /// Reads what the last run remembered; nothing when `path` is `None`,
    /// missing or unreadable (then every refusal counts as new once).
    pub fn load(path: Option<PathBuf>) -> Self {
        let known = path.as_deref().map(read_known).unwrap_or_default();
        Self { path, known }
    }

    /// Keeps in `newly` only the refusals the last run did not journal.
    pub fn drop_known(&self, newly: &mut Vec<Rejected>) {
        newly.retain(|r| !self.known.contains(&key(r)));
    }

    /// Remembers `rejected` (the catalog's refusals now) for the next run;
    /// written only when it changed.
    pub fn remember(&mut self, rejected: &[Rejected]) {
        let now: HashSet<u64> = rejected
            .iter()
            .filter(|r| !r.is_temporary())
            .map(key)
            .take(MAX_REMEMBERED)
            .collect();
        if now == self.known {
            return;
        }
        self.known = now;
        let Some(path) = &self.path else {
            return;
        };
        let mut keys: Vec<u64> = self.known.iter().copied().collect();
        keys.sort_unstable();
        let text = serde_json::json!({ "refused": keys }).to_string();
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| write_atomically(path, text.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("cannot write {}: {e}", path.display());
        }
    }
}

/// FNV-1a of the path and the reason: stable across builds, unlike std's
/// hasher.
fn key(rejected: &Rejected) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let path = rejected.rel.as_os_str().as_encoded_bytes();
    for byte in path.iter().chain(&[0]).chain(rejected.reason.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn read_known(path: &Path) -> HashSet<u64> {
    // Each key is at most 20 digits and a comma.
    let cap = (MAX_REMEMBERED * 21 + 64) as u64;
    let mut text = String::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(cap).read_to_string(&mut text));
    if read.is_err() {
        return HashSet::new();
    }
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            v["refused"]
                .as_array()
                .map(|keys| keys.iter().filter_map(|k| k.as_u64()).collect())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn junk(n: usize) -> Vec<Rejected> {
        (0..n)
            .map(|i| Rejected {
                rel: PathBuf::from(format!("junk/{i}.docx")),
                reason: "not a picture, video or text slide (.docx)".into(),
            })
            .collect()
    }

    #[test]
    fn a_restart_with_the_same_refusals_finds_none_new_and_a_changed_one_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/refused.json");
        let mut first_run = RefusalMemory::load(Some(path.clone()));
        let mut newly = junk(20_000);
        first_run.drop_known(&mut newly);
        assert_eq!(newly.len(), 20_000, "nothing known on the first run");
        first_run.remember(&junk(20_000));

        let second_run = RefusalMemory::load(Some(path.clone()));
        let mut newly = junk(20_000);
        second_run.drop_known(&mut newly);
        assert!(newly.is_empty(), "{} refusals journaled again", newly.len());

        // One file refused for another reason, one more file.
        let mut now = junk(20_001);
        now[7].reason = "empty file".into();
        let mut newly = now.clone();
        second_run.drop_known(&mut newly);
        let names: Vec<_> = newly.iter().map(|r| r.rel.display().to_string()).collect();
        assert_eq!(names, ["junk/7.docx", "junk/20000.docx"]);
    }

    #[test]
    fn a_missing_or_broken_file_means_nothing_known() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refused.json");
        std::fs::write(&path, "{ not json").unwrap();
        let memory = RefusalMemory::load(Some(path));
        let mut newly = junk(3);
        memory.drop_known(&mut newly);
        assert_eq!(newly.len(), 3);
    }
}
