//! The verified store: content files copied under the data folder while they are hashed, so what plays is what was checked.
//!
//! A file is read once: every byte goes into SHA-256 and into a temp file in the store, which
//! becomes `<sha256>.<ext>` only if the digest is the signed one. The player opens that copy,
//! which only this process writes, so a file swapped in the content folder after the check is
//! never what plays. Digests are cached by path, size, mtime, inode and ctime (`index.json` in
//! the store, see `digests.rs`): a rescan of unchanged files reads nothing. Copies no item has used for two scans
//! are removed. Without a store folder (a one-off CLI check) files are hashed in place.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::checksums::{FileSum, HASH_MISMATCH, Sha256, hash_copy, size_differs};
use super::digests::DigestCache;
use crate::content::walk::FileStamp;

const INDEX: &str = "index.json";

/// Why a file is not admitted: an integrity incident, or a plain failure to read or copy it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Integrity(String),
    Failed(String),
}

#[derive(Debug, Default)]
pub(crate) struct VerifiedStore {
    dir: Option<PathBuf>,
    digests: DigestCache,
    used: HashSet<String>,
    used_before: HashSet<String>,
    swept: bool,
    /// Files read so far (tests: an unchanged file is not read again).
    pub reads: usize,
}

impl VerifiedStore {
    /// `dir`: the store folder under the data folder; `None` hashes in place, nothing is copied.
    pub fn new(dir: Option<PathBuf>) -> Self {
        VerifiedStore {
            digests: DigestCache::new(dir.as_ref().map(|d| d.join(INDEX))),
            dir,
            ..Default::default()
        }
    }

    /// The file to play for `rel` (found at `path` with `stamp`) if its bytes are the signed ones.
    pub fn admit(
        &mut self,
        path: &Path,
        rel: &str,
        stamp: FileStamp,
        signed: &FileSum,
    ) -> Result<PathBuf, Refusal> {
        if stamp.size != signed.size {
            return Err(Refusal::Integrity(size_differs(stamp.size, signed.size)));
        }
        let target = self.dir.as_ref().map(|dir| {
            let ext = Path::new(rel)
                .extension()
                .and_then(|e| e.to_str())
                .filter(|e| e.bytes().all(|b| b.is_ascii_alphanumeric()))
                .unwrap_or("bin")
                .to_ascii_lowercase();
            dir.join(format!("{}.{ext}", signed.sha256))
        });
        let stored = target.as_ref().is_some_and(|t| holds(t, signed.size));
        let sha256 = match self.digests.get(rel, stamp) {
            Some(cached) if target.is_none() || stored => cached,
            _ => {
                let copy_to = target.as_deref().filter(|_| !stored);
                self.read(path, rel, copy_to, signed.sha256)?
            }
        };
        if sha256 != signed.sha256 {
            return Err(Refusal::Integrity(HASH_MISMATCH.into()));
        }
        let Some(target) = target else {
            return Ok(path.to_owned());
        };
        if let Some(name) = target.file_name().and_then(|n| n.to_str()) {
            self.used.insert(name.to_owned());
        }
        Ok(target)
    }

    /// Hashes the file, and copies it to `copy_to` if its digest is `signed`.
    fn read(
        &mut self,
        path: &Path,
        rel: &str,
        copy_to: Option<&Path>,
        signed: Sha256,
    ) -> Result<Sha256, Refusal> {
        let failed = |what: &str, e: std::io::Error| Refusal::Failed(format!("{what}: {e}"));
        self.reads += 1;
        // A FIFO or device swapped in since the walk is refused here, without blocking.
        let mut file =
            crate::guard::open_regular_target(path).map_err(|e| failed("cannot be read", e))?;
        let before = file.metadata().map_err(|e| failed("cannot be read", e))?;
        let mut temp = match (copy_to, &self.dir) {
            (Some(_), Some(dir)) => Some(
                fs::create_dir_all(dir)
                    .and_then(|()| tempfile::Builder::new().prefix(".tmp").tempfile_in(dir))
                    .map_err(|e| failed("cannot copy into the verified store", e))?,
            ),
            _ => None,
        };
        let sum = hash_copy(
            &mut file,
            temp.as_mut().map(|t| t.as_file_mut() as &mut dyn Write),
        )
        .map_err(|e| failed("cannot be read or copied", e))?;
        let after = file.metadata().map_err(|e| failed("cannot be read", e))?;
        let stamp = FileStamp::of(&before);
        if stamp != FileStamp::of(&after) || sum.size != stamp.size {
            let reason = "changed while being verified: checked again at the next scan";
            return Err(Refusal::Failed(reason.into()));
        }
        self.digests.put(rel, stamp, sum.sha256);
        if let (Some(temp), Some(target)) = (temp, copy_to)
            && sum.sha256 == signed
        {
            temp.as_file()
                .sync_all()
                .map_err(|e| failed("cannot copy into the verified store", e))?;
            temp.persist(target)
                .map_err(|e| failed("cannot copy into the verified store", e.error))?;
        }
        Ok(sum.sha256)
    }

    /// Ends a scan: forgets files that are gone (`present`: rel paths), writes the index if it
    /// changed, removes copies unused in this scan and the one before. Returns warnings.
    pub fn finish_scan(&mut self, present: &HashSet<String>) -> Vec<String> {
        let mut warnings: Vec<String> = self
            .digests
            .retain_and_save(present)
            .err()
            .into_iter()
            .collect();
        let used = std::mem::take(&mut self.used);
        let keep: HashSet<&str> = used
            .iter()
            .chain(&self.used_before)
            .map(String::as_str)
            .collect();
        // Temp files are this process's own while it scans: any found at the first scan were
        // left by a power cut.
        let sweep = !std::mem::replace(&mut self.swept, true);
        if let Some(dir) = &self.dir {
            for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if removable(&name, &keep, sweep)
                    && let Err(e) = fs::remove_file(entry.path())
                {
                    warnings.push(format!("verified store: {name} cannot be removed: {e}"));
                }
            }
        }
        self.used_before = used;
        warnings
    }
}

/// A copy named for its digest that no item uses, or (when `sweep`) a leftover temp file.
fn removable(name: &str, keep: &HashSet<&str>, sweep: bool) -> bool {
    if name.starts_with(".tmp") {
        return sweep;
    }
    let digest = name.split('.').next().unwrap_or_default();
    digest.len() == 64 && digest.parse::<Sha256>().is_ok() && !keep.contains(name)
}

fn holds(target: &Path, size: u64) -> bool {
    fs::symlink_metadata(target).is_ok_and(|m| m.is_file() && m.len() == size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(bytes: &[u8]) -> FileSum {
        hash_copy(&mut &bytes[..], None).unwrap()
    }

    fn stamp(path: &Path) -> FileStamp {
        FileStamp::of(&fs::metadata(path).unwrap())
    }

    #[test]
    fn copies_once_and_plays_the_copy_even_after_a_swap() {
        let dir = tempfile::tempdir().unwrap();
        let clip = dir.path().join("clip.MP4");
        fs::write(&clip, b"the signed clip").unwrap();
        let sum = signed(b"the signed clip");
        let mut store = VerifiedStore::new(Some(dir.path().join("verified")));
        let copy = store.admit(&clip, "clip.MP4", stamp(&clip), &sum).unwrap();
        assert_eq!(
            copy,
            dir.path().join(format!("verified/{}.mp4", sum.sha256))
        );
        assert_eq!(
            store.admit(&clip, "clip.MP4", stamp(&clip), &sum),
            Ok(copy.clone())
        );
        assert_eq!(store.reads, 1, "unchanged: not read again");
        store.finish_scan(&HashSet::from(["clip.MP4".to_owned()]));

        // A restart reads the index; a swap of the folder's file does not reach the copy.
        let mut store = VerifiedStore::new(Some(dir.path().join("verified")));
        assert_eq!(
            store.admit(&clip, "clip.MP4", stamp(&clip), &sum),
            Ok(copy.clone())
        );
        assert_eq!(store.reads, 0);
        fs::write(&clip, b"a swapped clip!").unwrap();
        assert_eq!(
            store.admit(&clip, "clip.MP4", stamp(&clip), &sum),
            Err(Refusal::Integrity(HASH_MISMATCH.into()))
        );
        assert_eq!(fs::read(&copy).unwrap(), b"the signed clip");
        let err = store.admit(
            &clip,
            "clip.MP4",
            FileStamp {
                size: 3,
                ..stamp(&clip)
            },
            &sum,
        );
        assert_eq!(err, Err(Refusal::Integrity(size_differs(3, 15))));
        assert_eq!(store.reads, 1, "the size alone refuses it");
    }

    #[test]
    fn unused_copies_go_after_two_scans_and_in_place_needs_no_store() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.png");
        fs::write(&a, b"png bytes").unwrap();
        let store_dir = dir.path().join("verified");
        let mut store = VerifiedStore::new(Some(store_dir.clone()));
        let copy = store
            .admit(&a, "a.png", stamp(&a), &signed(b"png bytes"))
            .unwrap();
        fs::write(store_dir.join("notes.txt"), b"not ours").unwrap();
        fs::write(store_dir.join(".tmpAbC123"), b"half a copy").unwrap();
        let present = HashSet::new();
        store.finish_scan(&present);
        assert!(copy.exists());
        assert!(
            !store_dir.join(".tmpAbC123").exists(),
            "left by a power cut"
        );
        store.finish_scan(&present);
        store.finish_scan(&present);
        assert!(!copy.exists(), "unused for two scans");
        assert!(store_dir.join("notes.txt").exists() && store_dir.join(INDEX).exists());

        let mut in_place = VerifiedStore::new(None);
        assert_eq!(
            in_place.admit(&a, "a.png", stamp(&a), &signed(b"png bytes")),
            Ok(a.clone())
        );
        assert_eq!(
            in_place.admit(&a, "a.png", stamp(&a), &signed(b"png bytes")),
            Ok(a)
        );
        assert_eq!(in_place.reads, 1);
    }
}
