//! The scanner's trust gate: a playlist.yaml is used only if a trusted key signed it and it is not older than the last one accepted.
//!
//! The last accepted manifest, its signature and the highest version accepted are kept in the
//! trust state file (`ScanOptions::trust_state`, JSON, written by temp file and rename), so a
//! restart neither forgets the rollback floor nor the catalog to keep playing while the folder
//! holds something unsigned. The stored manifest is checked again with the keys of the day.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::manifest::{self, Manifest};
use crate::content::naming::{MANIFEST, SIGNATURE, nfc};
use crate::content::walk::FileStamp;

use super::checksums::{Checksums, NOT_LISTED};
use super::store::{Refusal, VerifiedStore};
use super::trust::{TrustConfig, TrustedKey, trusted_keys, verify_signature};
use super::{MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES};
use crate::guard::read_bytes_limited;

const FORMAT: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct TrustState {
    format: u32,
    /// The highest `version:` ever accepted (a manifest without one is refused).
    highest_version: u64,
    /// The last accepted playlist.yaml and playlist.yaml.minisig, as they were.
    manifest: Option<String>,
    signature: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Integrity {
    keys: Result<Vec<TrustedKey>, String>,
    state_file: Option<PathBuf>,
    /// An inspection reads `state_file` but never saves it (`ScanOptions::inspect_only`).
    read_only: bool,
    state: TrustState,
    restored: bool,
    pub store: VerifiedStore,
}

impl Integrity {
    pub fn new(trust: &TrustConfig, state_file: Option<PathBuf>, store: Option<PathBuf>) -> Self {
        Integrity {
            keys: trusted_keys(trust).map_err(|e| e.to_string()),
            state_file,
            read_only: false,
            state: TrustState::default(),
            restored: false,
            store: VerifiedStore::new(store),
        }
    }

    /// Keeps the accepted manifest and its version in memory only: the state file is read, never
    /// written.
    pub fn read_only(self) -> Self {
        Integrity {
            read_only: true,
            ..self
        }
    }

    /// Once, at the first scan: the rollback floor and the last verified manifest from the state
    /// file, if that manifest still verifies. Problems go to `warnings`.
    pub fn restore(&mut self, warnings: &mut Vec<String>) -> Option<Manifest> {
        if std::mem::replace(&mut self.restored, true) {
            return None;
        }
        let file = self.state_file.as_ref()?;
        let bytes = match fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return None,
            Err(e) => {
                warnings.push(format!(
                    "trust state {} cannot be read: {e}",
                    file.display()
                ));
                return None;
            }
        };
        match serde_json::from_slice::<TrustState>(&bytes) {
            Ok(state) if state.format == FORMAT => self.state = state,
            _ => {
                warnings.push(format!(
                    "trust state {} is damaged: the rollback check starts again from the next signed manifest",
                    file.display()
                ));
                return None;
            }
        }
        let (text, signature) = (
            self.state.manifest.as_ref()?,
            self.state.signature.as_ref()?,
        );
        let keys = self.keys.as_deref().unwrap_or_default();
        let checked =
            verify_signature(text.as_bytes(), signature, keys).and_then(|_| manifest::parse(text));
        match checked {
            Ok(manifest) => Some(manifest),
            Err(why) => {
                warnings.push(format!(
                    "the last verified manifest is no longer trusted: {why}"
                ));
                None
            }
        }
    }

    /// Reads playlist.yaml and its signature from `content_dir`: the manifest if it is accepted,
    /// or why not (an integrity incident). Problems saving the state go to `warnings`.
    pub fn load(
        &mut self,
        content_dir: &Path,
        exists: bool,
        warnings: &mut Vec<String>,
    ) -> Result<Manifest, String> {
        if !exists {
            return Err(format!(
                "{MANIFEST} is missing: only files it lists with their hashes, signed, are played"
            ));
        }
        // The same caps as unsigned: a 2 GB playlist.yaml is refused unread, at every scan.
        let bytes = read_bytes_limited(&content_dir.join(MANIFEST), MAX_MANIFEST_BYTES)
            .map_err(|e| format!("{MANIFEST} cannot be read: {e}"))?;
        let signature = match read_bytes_limited(&content_dir.join(SIGNATURE), MAX_SIGNATURE_BYTES)
        {
            Ok(sig) => String::from_utf8_lossy(&sig).into_owned(),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(format!("{SIGNATURE} is missing: {MANIFEST} is not signed"));
            }
            Err(e) => return Err(format!("{SIGNATURE} cannot be read: {e}")),
        };
        let keys = self
            .keys
            .as_deref()
            .map_err(|e| format!("{SIGNATURE}: {e}"))?;
        verify_signature(&bytes, &signature, keys)?;
        // Parsed from the very bytes that were verified.
        let text = String::from_utf8(bytes).map_err(|_| format!("{MANIFEST} is not UTF-8 text"))?;
        let parsed = manifest::parse(&text)?;
        // Without a version there is no floor to hold a replay against.
        let Some(version) = parsed.version else {
            return Err(format!(
                "{MANIFEST} has no version: a signed manifest must carry `version:` (infokiosk manifest build writes it)"
            ));
        };
        let highest = self.state.highest_version;
        if version < highest {
            return Err(format!(
                "{MANIFEST} version {version} is older than version {highest}, already accepted: refused as a replay of old content (sign a manifest with a higher version)"
            ));
        }
        // Two signed manifests with one version: whichever came second could be swapped back
        // for the first at will, so a change must raise the version.
        if version == highest
            && let Some(accepted) = &self.state.manifest
            && *accepted != text
        {
            return Err(format!(
                "{MANIFEST} version {version} differs from the version {version} already accepted: refused (a changed manifest needs a higher version: run infokiosk manifest build and sign again)"
            ));
        }
        if version > highest || self.state.manifest.as_deref() != Some(text.as_str()) {
            self.state = TrustState {
                format: FORMAT,
                highest_version: version,
                manifest: Some(text),
                signature: Some(signature),
            };
            if let Err(e) = self.save() {
                warnings.push(e);
            }
        }
        Ok(parsed)
    }

    fn save(&self) -> Result<(), String> {
        let Some(file) = self.state_file.as_ref().filter(|_| !self.read_only) else {
            return Ok(());
        };
        let fail =
            |e: std::io::Error| format!("trust state {} cannot be written: {e}", file.display());
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(fail)?;
        }
        let json = serde_json::to_vec_pretty(&self.state)
            .map_err(std::io::Error::other)
            .map_err(fail)?;
        crate::durable::write_atomically(file, &json).map_err(fail)
    }
}

/// The playlist.yaml and playlist.yaml.minisig last accepted, as the trust state file keeps them:
/// the very bytes the signature was checked on, not the folder's copy (which may have been swapped
/// since). `Ok(None)` when none was accepted yet. Read size-capped: the player archives them as
/// the manifest in force.
pub fn accepted_manifest(state_file: &Path) -> Result<Option<AcceptedManifest>, String> {
    let shown = state_file.display();
    let bytes = match read_bytes_limited(state_file, 3 * MAX_MANIFEST_BYTES + MAX_SIGNATURE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("trust state {shown} cannot be read: {e}")),
    };
    let state: TrustState = serde_json::from_slice(&bytes)
        .ok()
        .filter(|s: &TrustState| s.format == FORMAT)
        .ok_or_else(|| format!("trust state {shown} is damaged"))?;
    Ok(state
        .manifest
        .zip(state.signature)
        .map(|(manifest, signature)| AcceptedManifest {
            manifest: manifest.into_bytes(),
            signature: signature.into_bytes(),
        }))
}

/// The bytes of playlist.yaml and playlist.yaml.minisig as accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedManifest {
    pub manifest: Vec<u8>,
    pub signature: Vec<u8>,
}

/// The per-file check of one scan: the signed table of the manifest in use, and the store.
pub(crate) struct Gate<'a> {
    pub checksums: &'a Checksums,
    pub store: &'a mut VerifiedStore,
}

impl Gate<'_> {
    /// The path to play `rel_str` from, if the signed manifest lists it with these bytes.
    pub fn admit(
        &mut self,
        path: &Path,
        rel_str: &str,
        stamp: FileStamp,
    ) -> Result<PathBuf, Refusal> {
        let Some(signed) = self.checksums.get(&nfc(rel_str)) else {
            return Err(Refusal::Integrity(NOT_LISTED.into()));
        };
        self.store.admit(path, rel_str, stamp, signed)
    }
}
