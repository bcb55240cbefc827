//! Signed content: which playlist.yaml decides a scan, and whether each file is the one the office signed.
//!
//! The scanner calls one thing here, [`ManifestInUse`]: `update` reads playlist.yaml (the last one
//! that parsed, or with `trust.require_signature` the last one verified), `gate` checks each file
//! against the signed `checksums:` table, `finish_scan` tidies the verified store. The parts:
//!
//! - `trust.rs`: the `trust:` config keys and minisign signature checks;
//! - `gate.rs`: the trust state (rollback floor, last verified manifest) and the per-file `Gate`;
//! - `checksums.rs`: the `checksums:` table and hashing a file in one read;
//! - `store.rs`, `digests.rs`: verified copies under the data folder and their digest cache;
//! - `signing.rs`: the office's `build_manifest` and the technician's `verify_folder`.

mod checksums;
mod digests;
mod gate;
mod signing;
mod store;
#[cfg(test)]
mod tests;
mod trust;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::judge::Findings;
use super::manifest::{self, Manifest};
use super::naming::{MANIFEST, SIGNATURE};
use super::settle::Settling;
use super::{Catalog, Rejected, ScanOptions};
use gate::Integrity;

pub(crate) use checksums::Checksums;
pub(crate) use gate::Gate;
pub use gate::{AcceptedManifest, accepted_manifest};
pub use signing::{
    ManifestBuildError, Release, VerifyReport, build_manifest, read_release, verify_folder,
};
pub(crate) use store::Refusal;
pub use trust::{ControlKeys, TrustConfig, TrustError};

/// The largest playlist.yaml read, signed or not: even 10,000 files with their checksums stay
/// far below this.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 32 << 20;
/// The largest playlist.yaml.minisig read (a minisign signature is a few hundred bytes).
pub(crate) const MAX_SIGNATURE_BYTES: u64 = 64 << 10;

/// Which playlist.yaml decides a scan: the last one that parsed, or with signing the last one
/// verified; with signing also the trust state and the verified store behind the per-file gate.
#[derive(Debug)]
pub(crate) struct ManifestInUse {
    /// With `trust.require_signature`, the last verified manifest only.
    pub last_good: Option<Manifest>,
    /// `Some` with `trust.require_signature`.
    integrity: Option<Integrity>,
}

impl ManifestInUse {
    pub fn new(opts: &ScanOptions) -> Self {
        let integrity = opts.trust.require_signature.then(|| {
            let (state, store) = (opts.trust_state.clone(), opts.verified_store.clone());
            if opts.inspect_only {
                // The player's store is the player's: hashed in place, the state only read.
                return Integrity::new(&opts.trust, state, None).read_only();
            }
            Integrity::new(&opts.trust, state, store)
        });
        ManifestInUse {
            last_good: None,
            integrity,
        }
    }

    /// Reads playlist.yaml (and with signing its signature) unless one is still being written;
    /// `seen`: their size and mtime from the walk, if they exist.
    /// Why it is not used goes to `catalog.manifest_error`; with signing it is also an
    /// integrity incident and a rejected row, and the last verified manifest stays in use.
    pub fn update(
        &mut self,
        content_dir: &Path,
        seen: [Option<(u64, SystemTime)>; 2],
        settling: &mut Settling,
        now: SystemTime,
        catalog: &mut Catalog,
        found: &mut Findings,
    ) {
        if let Some(restored) = self
            .integrity
            .as_mut()
            .and_then(|i| i.restore(&mut catalog.warnings))
        {
            self.last_good = Some(restored);
        }
        let [manifest, signature] = seen;
        let signature = signature.filter(|_| self.integrity.is_some());
        let mut unsettled = false;
        for (name, seen) in [(MANIFEST, manifest), (SIGNATURE, signature)] {
            if let Some((size, modified)) = seen
                && !settling.is_settled(name, size, modified, now)
            {
                found.pending.push(PathBuf::from(name));
                unsettled = true;
            }
        }
        if unsettled {
            return;
        }
        let exists = manifest.is_some();
        catalog.manifest_error = self.load(content_dir, exists, &mut catalog.warnings);
        if let Some(refused) = &catalog.manifest_error
            && self.integrity.is_some()
        {
            catalog.integrity.push(refused.clone());
            found.rejected.push(Rejected {
                rel: PathBuf::from(MANIFEST),
                reason: refused.clone(),
            });
        }
    }

    /// With signing, the per-file check against `checksums` (of the manifest in use).
    pub fn gate<'a>(&'a mut self, checksums: &'a Checksums) -> Option<Gate<'a>> {
        let integrity = self.integrity.as_mut()?;
        Some(Gate {
            checksums,
            store: &mut integrity.store,
        })
    }

    /// With signing, at the end of a scan (`present`: rel paths): forgets files that are gone,
    /// saves the digest index, removes copies no longer used. Returns warnings.
    pub fn finish_scan(&mut self, present: &HashSet<String>) -> Vec<String> {
        self.integrity
            .as_mut()
            .map(|i| i.store.finish_scan(present))
            .unwrap_or_default()
    }

    /// Files read to be hashed so far (tests: unchanged files are not read again).
    #[cfg(test)]
    pub fn files_read(&self) -> usize {
        self.integrity.as_ref().map_or(0, |i| i.store.reads)
    }

    /// Reads playlist.yaml into `last_good`, or returns why not (and keeps the last good one).
    fn load(&mut self, dir: &Path, exists: bool, warnings: &mut Vec<String>) -> Option<String> {
        if let Some(integrity) = &mut self.integrity {
            return match integrity.load(dir, exists, warnings) {
                Ok(verified) => {
                    self.last_good = Some(verified);
                    None
                }
                Err(refused) => Some(refused),
            };
        }
        if !exists {
            // Removed on purpose: back to name order.
            self.last_good = None;
            return None;
        }
        let text = match crate::guard::read_limited(&dir.join(MANIFEST), MAX_MANIFEST_BYTES) {
            Ok(text) => text,
            Err(err) => return Some(format!("{MANIFEST} cannot be read: {err}")),
        };
        match manifest::parse(&text) {
            Ok(parsed) => {
                self.last_good = Some(parsed);
                None
            }
            Err(err) => Some(err),
        }
    }
}
