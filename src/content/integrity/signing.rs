//! The office's side of signing and the technician's check: what `infokiosk manifest build` and `manifest verify` do.
//!
//! At the office, for every update of the content folder:
//!
//! ```text
//! infokiosk manifest build --content DIR       # checksums: for every file, version + 1
//! minisign -Sm DIR/playlist.yaml -s infokiosk.key   # writes DIR/playlist.yaml.minisig
//! ```
//!
//! The key pair is made once with `minisign -G -p infokiosk.pub -s infokiosk.key`; the `RW…`
//! line of infokiosk.pub goes into each kiosk's `trust.public_keys`. To rotate a key: add the new
//! public key next to the old one on every kiosk, sign with the new key, then drop the old one.

use std::collections::HashSet;
use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::checksums::{Checksums, FileSum, HASH_MISMATCH, NOT_LISTED, hash_copy, size_differs};
use super::trust::{TrustConfig, trusted_keys, verify_signature};
use super::{MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES};
use crate::content::Rejected;
use crate::content::manifest::{self, Manifest};
use crate::content::naming::{MANIFEST, SIGNATURE, nfc};
use crate::content::walk::{Walk, walk};
use crate::guard::{open_regular_target, read_bytes_limited};

#[derive(Debug, thiserror::Error)]
pub enum ManifestBuildError {
    #[error("content folder {path}: {reason}")]
    Folder { path: PathBuf, reason: String },
    #[error("{path} cannot be read: {source}")]
    Read { path: PathBuf, source: io::Error },
    /// The existing playlist.yaml does not parse ("playlist.yaml line 4 column 5: …").
    #[error("{0}")]
    Manifest(String),
    #[error(
        "{MANIFEST} cannot be updated in place ({0}): write `version:` and `checksums:` as plain top-level keys"
    )]
    Rewrite(String),
}

/// The new text of playlist.yaml: `existing` (the current text, if any) with `version:` raised by
/// one (1 if absent) and the `checksums:` table replaced by the size and SHA-256 of every file
/// now in `content_dir`. Everything else — order, durations, dates, comments — is kept as written.
pub fn build_manifest(
    content_dir: &Path,
    existing: Option<&str>,
) -> Result<String, ManifestBuildError> {
    let old =
        manifest::parse(existing.unwrap_or_default()).map_err(ManifestBuildError::Manifest)?;
    let mut table =
        String::from("checksums:  # size and SHA-256 of every file: infokiosk manifest build\n");
    let mut sums = Vec::new();
    for file in walk_folder(content_dir)?.files {
        let path = content_dir.join(&file.rel);
        let sum = open_regular_target(&path)
            .and_then(|mut f| hash_copy(&mut f, None))
            .map_err(|source| ManifestBuildError::Read { path, source })?;
        let key = serde_json::to_string(&file.rel_str).unwrap_or_default();
        let _ = writeln!(
            table,
            "  {key}: {{size: {}, sha256: {}}}",
            sum.size, sum.sha256
        );
        sums.push((file.rel_str, sum));
    }
    let version = old.version.map_or(1, |v| v + 1);
    let text = rewrite(existing.unwrap_or_default(), version, &table);
    let new = manifest::parse(&text).map_err(ManifestBuildError::Rewrite)?;
    let expected = Manifest {
        version: Some(version),
        checksums: sums.into_iter().collect::<Checksums>(),
        ..old
    };
    if new != expected {
        return Err(ManifestBuildError::Rewrite(
            "the result does not read back as intended".into(),
        ));
    }
    Ok(text)
}

fn walk_folder(content_dir: &Path) -> Result<Walk, ManifestBuildError> {
    let folder = |reason: String| ManifestBuildError::Folder {
        path: content_dir.to_owned(),
        reason,
    };
    let root = fs::canonicalize(content_dir).map_err(|e| folder(e.to_string()))?;
    walk(content_dir, &root).map_err(folder)
}

/// `existing` with its `version:` line set and its `checksums:` block replaced by `table`.
fn rewrite(existing: &str, version: u64, table: &str) -> String {
    let is_key = |line: &str, key: &str| {
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    };
    let mut lines: Vec<String> = Vec::new();
    let (mut in_table, mut versioned) = (false, false);
    for line in existing.lines() {
        if in_table && (line.trim().is_empty() || line.starts_with([' ', '\t'])) {
            continue;
        }
        in_table = is_key(line, "checksums");
        if in_table {
            continue;
        }
        if is_key(line, "version") && !versioned {
            versioned = true;
            let comment = line
                .find(" #")
                .map_or("", |at| &line[line[..=at].trim_end().len()..]);
            lines.push(format!("version: {version}{comment}"));
        } else {
            lines.push(line.to_owned());
        }
    }
    if !versioned {
        // After the leading comments and document marker, so a header stays on top.
        let at = lines
            .iter()
            .position(|l| !(l.trim().is_empty() || l.starts_with(['#', '%']) || l == "---"))
            .unwrap_or(lines.len());
        lines.insert(at, format!("version: {version}"));
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text.push_str(table);
    text
}

/// What `infokiosk manifest verify` found: the signature, then every file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The id of the trusted key that signed playlist.yaml, if one did.
    pub signed_by: Option<String>,
    /// `version:` of playlist.yaml (the rollback floor is the kiosk's, not checked here).
    pub version: Option<u64>,
    /// Files whose size and SHA-256 are the signed ones.
    pub verified: Vec<PathBuf>,
    /// Everything that would not play with `require_signature`, with the reason; problems of
    /// the manifest itself are rows for playlist.yaml or playlist.yaml.minisig.
    pub failures: Vec<Rejected>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.signed_by.is_some() && self.failures.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.signed_by, self.version) {
            (Some(key), version) => writeln!(
                f,
                "{MANIFEST} version {}: signed by trusted key {key}",
                version.unwrap_or(0)
            )?,
            (None, _) => writeln!(f, "{MANIFEST}: NOT signed by a trusted key")?,
        }
        writeln!(f, "{} files match the signed manifest", self.verified.len())?;
        if !self.failures.is_empty() {
            writeln!(f, "FAILED ({}):", self.failures.len())?;
        }
        for failure in &self.failures {
            writeln!(f, "  {}: {}", failure.rel.display(), failure.reason)?;
        }
        Ok(())
    }
}

/// Checks the signature of playlist.yaml in `content_dir` with `trust.public_keys` (whatever
/// `require_signature` says), then every file against its `checksums:` table, reading each once.
/// Files are compared with the manifest even when its signature fails, to show what differs.
pub fn verify_folder(content_dir: &Path, trust: &TrustConfig) -> VerifyReport {
    let mut report = VerifyReport::default();
    let bytes = match read_bytes_limited(&content_dir.join(MANIFEST), MAX_MANIFEST_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => {
            fail(&mut report, MANIFEST, format!("cannot be read: {e}"));
            return report;
        }
    };
    let signature = read_bytes_limited(&content_dir.join(SIGNATURE), MAX_SIGNATURE_BYTES)
        .map(|sig| String::from_utf8_lossy(&sig).into_owned())
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => format!("missing: {MANIFEST} is not signed"),
            _ => format!("cannot be read: {e}"),
        });
    let keys = trusted_keys(trust).map_err(|e| e.to_string());
    let checked = signature.and_then(|signature| {
        let verified = verify_signature(&bytes, &signature, &keys?);
        verified.map_err(|why| why.replacen(&format!("{SIGNATURE}: "), "", 1))
    });
    match checked {
        Ok(key) => report.signed_by = Some(key),
        Err(why) => fail(&mut report, SIGNATURE, why),
    }
    let parsed = String::from_utf8(bytes)
        .map_err(|_| format!("{MANIFEST} is not UTF-8 text"))
        .and_then(|text| manifest::parse(&text));
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(why) => {
            fail(&mut report, MANIFEST, why);
            return report;
        }
    };
    report.version = parsed.version;
    let files = match walk_folder(content_dir) {
        Ok(walked) => walked.files,
        Err(e) => {
            fail(&mut report, ".", e.to_string());
            return report;
        }
    };
    let mut seen = HashSet::new();
    for file in files {
        let key = nfc(&file.rel_str);
        let checked = match parsed.checksums.get(&key) {
            None => Err(NOT_LISTED.to_owned()),
            Some(signed) => check_file(&content_dir.join(&file.rel), file.size, signed),
        };
        seen.insert(key);
        match checked {
            Ok(()) => report.verified.push(file.rel),
            Err(why) => fail(&mut report, &file.rel_str, why),
        }
    }
    for (rel, _) in parsed
        .checksums
        .iter()
        .filter(|(rel, _)| !seen.contains(*rel))
    {
        let why = "listed in the signed manifest but not in the folder".to_owned();
        fail(&mut report, rel, why);
    }
    report
}

/// A content folder's playlist.yaml as the office's `infokiosk fleet` counts it: its `version:`
/// and whether one of `trust.public_keys` signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: Option<u64>,
    /// The id of the trusted key that signed it and the signature's trusted comment (minisign
    /// starts it with `timestamp:SECONDS`), or why the signature is not accepted.
    pub signature: Result<(String, String), String>,
}

/// Reads playlist.yaml and its signature from `content_dir`, size-capped; an error names the
/// file and why it cannot be read or parsed. Only the manifest is checked, not the files.
pub fn read_release(content_dir: &Path, trust: &TrustConfig) -> Result<Release, String> {
    let bytes = read_bytes_limited(&content_dir.join(MANIFEST), MAX_MANIFEST_BYTES)
        .map_err(|e| format!("{MANIFEST} cannot be read: {e}"))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| format!("{MANIFEST} is not UTF-8 text"))?;
    let version = manifest::parse(text)?.version;
    let signature = read_bytes_limited(&content_dir.join(SIGNATURE), MAX_SIGNATURE_BYTES)
        .map(|sig| String::from_utf8_lossy(&sig).into_owned())
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => format!("{SIGNATURE} is missing: {MANIFEST} is not signed"),
            _ => format!("{SIGNATURE} cannot be read: {e}"),
        })
        .and_then(|signature| {
            let keys = trusted_keys(trust).map_err(|e| e.to_string())?;
            let key = verify_signature(&bytes, &signature, &keys)?;
            // Verified, so the trusted comment is the signer's too.
            let comment = minisign_verify::Signature::decode(&signature)
                .map(|s| s.trusted_comment().to_owned())
                .unwrap_or_default();
            Ok((key, comment))
        });
    Ok(Release { version, signature })
}

fn fail(report: &mut VerifyReport, rel: &str, reason: String) {
    report.failures.push(Rejected {
        rel: rel.into(),
        reason,
    });
}

fn check_file(path: &Path, size: u64, signed: &FileSum) -> Result<(), String> {
    if size != signed.size {
        return Err(size_differs(size, signed.size));
    }
    let sum = open_regular_target(path)
        .and_then(|mut f| hash_copy(&mut f, None))
        .map_err(|e| format!("cannot be read: {e}"))?;
    if sum != *signed {
        return Err(HASH_MISMATCH.into());
    }
    Ok(())
}
