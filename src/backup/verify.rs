//! Re-reading an archive: every file's SHA-256 against `MANIFEST.sha256`, and the
//! zstd frame checksum over the whole stream, so any flipped byte is found.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::hash::{Counted, HashWriter, hex, is_sha256, sidecar_of};
use super::{BackupError, MANIFEST};

/// What is wrong with an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The compressed stream or the tar structure cannot be read to its end
    /// (a zstd checksum mismatch, a cut-off file, …).
    Stream(String),
    NoManifest,
    BadManifestLine {
        line: usize,
        text: String,
    },
    Mismatch {
        path: String,
        expected: String,
        actual: String,
    },
    NotInArchive {
        path: String,
    },
    NotInManifest {
        path: String,
    },
    /// An `objects/<sha256>` file whose bytes have another SHA-256 than its
    /// name (and the journal lines that name it) say.
    ObjectName {
        path: String,
        actual: String,
    },
    /// The archive's bytes do not match the SHA-256 in its `.sha256` file.
    ArchiveChecksum {
        expected: String,
        actual: String,
    },
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Stream(e) => write!(f, "the archive cannot be read to its end: {e}"),
            Damage::NoManifest => write!(f, "{MANIFEST} is missing"),
            Damage::BadManifestLine { line, text } => {
                write!(
                    f,
                    "{MANIFEST} line {line} is not `<sha256>  <path>`: {text:?}"
                )
            }
            Damage::Mismatch {
                path,
                expected,
                actual,
            } => write!(f, "{path}: SHA-256 is {actual}, {MANIFEST} says {expected}"),
            Damage::NotInArchive { path } => {
                write!(f, "{path}: in {MANIFEST} but not in the archive")
            }
            Damage::NotInManifest { path } => {
                write!(f, "{path}: in the archive but not in {MANIFEST}")
            }
            Damage::ObjectName { path, actual } => {
                write!(
                    f,
                    "{path}: its SHA-256 is {actual}, not the one it is named by"
                )
            }
            Damage::ArchiveChecksum { expected, actual } => write!(
                f,
                "the archive's SHA-256 is {actual}, its .sha256 file says {expected}"
            ),
        }
    }
}

/// The result of re-reading an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub archive: PathBuf,
    /// Files whose SHA-256 matched the manifest.
    pub files_ok: usize,
    /// Bytes of those files.
    pub bytes_ok: u64,
    /// The files the manifest lists, path → SHA-256 (hex).
    pub manifest: BTreeMap<String, String>,
    /// Items the manifest records as shown but missing from the content folder.
    pub missing_items: Vec<String>,
    /// SHA-256 of the archive file itself, as read.
    pub archive_sha256: String,
    /// Whether a `<archive>.sha256` file was there to check it against.
    pub archive_sha256_checked: bool,
    pub damage: Vec<Damage>,
}

impl VerifyReport {
    /// A report on `archive` before anything was read.
    fn nothing_checked(archive: &Path) -> Self {
        VerifyReport {
            archive: archive.to_owned(),
            files_ok: 0,
            bytes_ok: 0,
            manifest: BTreeMap::new(),
            missing_items: Vec::new(),
            archive_sha256: String::new(),
            archive_sha256_checked: false,
            damage: Vec::new(),
        }
    }

    pub fn is_intact(&self) -> bool {
        self.damage.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_intact() {
            return write!(
                f,
                "{}: OK, {} files, {} bytes, every SHA-256 matches",
                self.archive.display(),
                self.files_ok,
                self.bytes_ok
            );
        }
        write!(f, "{}: DAMAGED", self.archive.display())?;
        for damage in &self.damage {
            write!(f, "\n  {damage}")?;
        }
        Ok(())
    }
}

/// Re-checks every hash in `archive`. An archive that cannot be opened is an
/// error; damage inside it is reported in [`VerifyReport::damage`].
pub fn verify(archive: &Path) -> Result<VerifyReport, BackupError> {
    verify_with_progress(archive, &mut |_, _| {})
}

/// [`verify`], calling `progress(compressed bytes read, archive size)` as it goes.
pub fn verify_with_progress(
    archive: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport, BackupError> {
    let open = |source| BackupError::Read {
        path: archive.to_owned(),
        source,
    };
    let file = File::open(archive).map_err(open)?;
    let total = file.metadata().map_err(open)?.len();
    let mut counted = Counted {
        inner: file,
        hasher: Sha256::new(),
        done: 0,
        total,
        progress,
    };
    let mut report = VerifyReport::nothing_checked(archive);
    let mut hashes = BTreeMap::new();
    let mut manifest_text = None;
    let entries = read_entries(&mut counted, &mut hashes, &mut manifest_text);
    // Whatever the decoder left unread still counts for the file's own checksum.
    io::copy(&mut counted, &mut io::sink()).map_err(open)?;
    report.archive_sha256 = hex(&counted.hasher.finalize_reset());
    check_sidecar(archive, &mut report);
    if let Err(e) = entries {
        report.damage.push(Damage::Stream(e.to_string()));
        return Ok(report);
    }
    let Some(text) = manifest_text else {
        report.damage.push(Damage::NoManifest);
        return Ok(report);
    };
    parse_manifest(&text, &mut report);
    for (path, (actual, size)) in &hashes {
        if let Some(name) = path.strip_prefix("objects/")
            && name != actual
        {
            report.damage.push(Damage::ObjectName {
                path: path.clone(),
                actual: actual.clone(),
            });
            continue;
        }
        match report.manifest.get(path) {
            Some(expected) if expected == actual => {
                report.files_ok += 1;
                report.bytes_ok += size;
            }
            Some(expected) => report.damage.push(Damage::Mismatch {
                path: path.clone(),
                expected: expected.clone(),
                actual: actual.clone(),
            }),
            None => report
                .damage
                .push(Damage::NotInManifest { path: path.clone() }),
        }
    }
    for path in report.manifest.keys() {
        if !hashes.contains_key(path) {
            report
                .damage
                .push(Damage::NotInArchive { path: path.clone() });
        }
    }
    Ok(report)
}

/// Hashes every regular file (path below the top folder → (sha256, size)) and
/// keeps the manifest's text; then reads the zstd stream to its end so that the
/// frame checksum is checked too.
fn read_entries(
    input: &mut impl Read,
    hashes: &mut BTreeMap<String, (String, u64)>,
    manifest: &mut Option<String>,
) -> io::Result<()> {
    let buffered = BufReader::with_capacity(256 * 1024, input);
    let mut archive = tar::Archive::new(zstd::stream::read::Decoder::with_buffer(buffered)?);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = below_top_folder(&entry.path()?);
        if path == MANIFEST {
            let mut text = String::new();
            entry.by_ref().take(16 << 20).read_to_string(&mut text)?;
            *manifest = Some(text);
            continue;
        }
        let mut hasher = Sha256::new();
        let size = io::copy(&mut entry, &mut HashWriter(&mut hasher))?;
        hashes.insert(path, (hex(&hasher.finalize()), size));
    }
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink())?;
    Ok(())
}

fn check_sidecar(archive: &Path, report: &mut VerifyReport) {
    let Ok(text) = std::fs::read_to_string(sidecar_of(archive)) else {
        return;
    };
    report.archive_sha256_checked = true;
    let expected = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if expected != report.archive_sha256 {
        report.damage.push(Damage::ArchiveChecksum {
            expected,
            actual: report.archive_sha256.clone(),
        });
    }
}

fn below_top_folder(path: &Path) -> String {
    let below: PathBuf = path
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .skip(1)
        .collect();
    below.to_string_lossy().into_owned()
}

/// Reads `sha256sum` lines; `#` lines are comments (GNU `sha256sum -c` skips
/// them), `# missing: …` ones list items that could not be archived.
fn parse_manifest(text: &str, report: &mut VerifyReport) {
    for (number, line) in text.lines().enumerate() {
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(item) = comment.trim().strip_prefix("missing: ") {
                report.missing_items.push(item.to_owned());
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once("  ") {
            Some((hash, path)) if is_sha256(hash) && !path.is_empty() => {
                report
                    .manifest
                    .insert(path.to_owned(), hash.to_ascii_lowercase());
            }
            _ => report.damage.push(Damage::BadManifestLine {
                line: number + 1,
                text: line.chars().take(120).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_lines_comments_and_bad_lines() {
        let mut report = VerifyReport::nothing_checked(&PathBuf::from("x"));
        let hash = "a".repeat(64);
        let text = format!(
            "# infokiosk backup\n# missing: old.mp4 (gone)\n{hash}  content/tin tức.vi.jpg\nnonsense\n"
        );
        parse_manifest(&text, &mut report);
        assert_eq!(report.manifest.get("content/tin tức.vi.jpg"), Some(&hash));
        assert_eq!(report.missing_items, ["old.mp4 (gone)"]);
        assert_eq!(
            report.damage,
            [Damage::BadManifestLine {
                line: 4,
                text: "nonsense".into()
            }]
        );
        assert_eq!(
            below_top_folder(Path::new("infokiosk-k-2026-11/content/a.jpg")),
            "content/a.jpg"
        );
    }
}
