//! End-to-end backups in a temporary kiosk: real files, real journal, real archive.

mod failures;
mod memory;
mod shown;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use super::*;
use crate::journal::{Event, Journal};
use crate::test_support::hcm;

const HCM: Tz = Tz::Asia__Ho_Chi_Minh;
pub(crate) const ARCHIVE_AND_SUM: [&str; 2] = [
    "infokiosk-tb-1-2026-11.tar.zst",
    "infokiosk-tb-1-2026-11.tar.zst.sha256",
];

/// A kiosk in a temporary folder: content, journal, config, backups.
pub(crate) struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("infokiosk.yaml"), "kiosk_id: tb-1\n").unwrap();
        Self { dir }
    }

    pub(crate) fn content_dir(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub(crate) fn journal_dir(&self) -> PathBuf {
        self.dir.path().join("journal")
    }

    pub(crate) fn backup_dir(&self) -> PathBuf {
        self.dir.path().join("backups")
    }

    pub(crate) fn job(&self, month: &str, force: bool) -> BackupJob {
        BackupJob {
            kiosk: "tb-1".into(),
            month: month.parse().unwrap(),
            timezone: HCM,
            content_dir: self.content_dir(),
            journal_dir: self.journal_dir(),
            config_file: self.dir.path().join("infokiosk.yaml"),
            backup_dir: self.backup_dir(),
            force,
            now: "2026-12-01T01:00:00Z".parse().unwrap(),
        }
    }

    /// Journal lines saying each item played on the 2nd of `month` at 08:00,
    /// and a small content file for each item that does not exist yet.
    pub(crate) fn month_with_plays(&self, month: &str, items: &[&str]) {
        let mut journal = Journal::open(&self.journal_dir(), "tb-1", HCM).unwrap();
        let at = hcm(&format!("{month}-02 08:00"));
        for item in items {
            let path = self.content_dir().join(item);
            if !path.exists() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, format!("pretend image {item}\n").repeat(100)).unwrap();
            }
            let started = Event::PlayStarted {
                item: (*item).into(),
                kind: "image".into(),
                language: "vi".into(),
                sha256: None,
            };
            journal.append(at, &started).unwrap();
        }
    }

    /// Content files, each `(name, text)`, written into the content folder.
    pub(crate) fn write_content(&self, files: &[(&str, &str)]) {
        for (name, text) in files {
            std::fs::write(self.content_dir().join(name), text).unwrap();
        }
    }

    /// One journal line, `event` at `local` time in Ho Chi Minh City.
    pub(crate) fn journal_at(&self, local: &str, event: &Event) {
        let mut journal = Journal::open(&self.journal_dir(), "tb-1", HCM).unwrap();
        journal.append(hcm(local), event).unwrap();
    }

    /// Backs `month` up, as the player or the CLI does.
    ///
    /// The lock is an `flock`, and a process forked while it is held shares
    /// it until that child execs: another test starting a program while a
    /// backup ran here leaves this one `Busy` for a moment after it (seen
    /// once in a full run under load). That is waited out, up to a second.
    pub(crate) fn backup(&self, month: &str, force: bool) -> Result<BackupOutcome, BackupError> {
        let mut tries = 0;
        loop {
            match run_backup(&self.job(month, force), &mut |_, _| {}) {
                Err(BackupError::Busy { .. }) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                outcome => return outcome,
            }
        }
    }

    /// Backs `month` up (not forced) and returns its archive's path.
    pub(crate) fn backed_up(&self, month: &str) -> PathBuf {
        self.backup(month, false).unwrap().summary().archive.clone()
    }

    /// Every file in the backup folder, hidden ones included (but not the lock).
    pub(crate) fn backup_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.backup_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != ".infokiosk-backup.lock")
            .collect();
        names.sort();
        names
    }
}

/// `len` pseudo-random bytes, incompressible like video, written in 1 MiB chunks.
pub(crate) fn write_noise(path: &Path, len: usize) {
    let mut file = std::fs::File::create(path).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
}

pub(crate) fn flip_byte(path: &Path, offset: u64) {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut byte = [0u8];
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.read_exact(&mut byte).unwrap();
    byte[0] ^= 0x01;
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.write_all(&byte).unwrap();
}

#[test]
fn a_month_becomes_one_verified_archive_that_sha256sum_accepts() {
    let fx = Fixture::new();
    fx.month_with_plays(
        "2026-11",
        &["tin-tuc.vi.jpg", "2026/video clip.km.mp4", "gone.en.jpg"],
    );
    std::fs::remove_file(fx.content_dir().join("gone.en.jpg")).unwrap();
    let mut calls = Vec::new();
    let outcome = run_backup(&fx.job("2026-11", false), &mut |d, t| calls.push((d, t))).unwrap();
    let BackupOutcome::Written(summary) = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(summary.files, 5, "2 content files, journal, config, index");
    assert_eq!(summary.missing.len(), 1);
    assert!(summary.missing[0].starts_with("gone.en.jpg (no longer in the content folder"));
    assert_eq!(fx.backup_files(), ARCHIVE_AND_SUM);
    let (done, total) = *calls.last().unwrap();
    assert_eq!(done, total, "progress ends at 100 %");
    assert!(
        calls.windows(2).all(|w| w[0].0 <= w[1].0),
        "progress never goes back"
    );
    let event = serde_json::to_value(outcome.to_event()).unwrap();
    assert_eq!(
        (event["event"].as_str(), event["missing"].as_u64()),
        (Some("backup_written"), Some(1))
    );

    // Outside this code: sha256sum checks the archive, GNU tar + zstd extract it
    // and sha256sum checks every file in it.
    let whole = std::process::Command::new("sha256sum")
        .args([
            "--check",
            "--strict",
            "infokiosk-tb-1-2026-11.tar.zst.sha256",
        ])
        .current_dir(fx.backup_dir())
        .status()
        .unwrap();
    assert!(whole.success());
    let out = tempfile::tempdir().unwrap();
    let tar = std::process::Command::new("tar")
        .args(["--zstd", "--warning=no-timestamp", "-xf"])
        .arg(&summary.archive)
        .arg("-C")
        .arg(out.path())
        .status()
        .expect("GNU tar runs (packages tar and zstd; `make programs` names what the tests need)");
    assert!(tar.success(), "GNU tar and zstd extract the archive");
    let top = out.path().join("infokiosk-tb-1-2026-11");
    let check = std::process::Command::new("sha256sum")
        .args(["--check", "--strict", MANIFEST])
        .current_dir(&top)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{said}");
    assert!(
        said.contains("content/2026/video clip.km.mp4: OK"),
        "{said}"
    );
    assert!(said.contains("journal/2026-11.jsonl: OK"), "{said}");
    assert!(said.contains("config/infokiosk.yaml: OK"), "{said}");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(top.join(INDEX)).unwrap()).unwrap();
    assert_eq!(index["missing"][0]["item"], "gone.en.jpg");
    assert_eq!(index["files"][0]["shown"]["plays"], 1);
}

#[test]
fn running_twice_is_harmless_and_force_writes_again() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg"]);
    let first = fx.backup("2026-11", false).unwrap();
    let archive = first.summary().archive.clone();
    let bytes = std::fs::read(&archive).unwrap();
    let sum = super::hash::sidecar_of(&archive);
    let sum_text = std::fs::read_to_string(&sum).unwrap();
    let again = fx.backup("2026-11", false).unwrap();
    assert!(matches!(again, BackupOutcome::Kept(_)), "{again:?}");
    assert_eq!(std::fs::read(&archive).unwrap(), bytes, "left alone");
    // A power cut right after the rename left no checksum file: the next run adds it.
    std::fs::remove_file(&sum).unwrap();
    assert!(matches!(
        fx.backup("2026-11", false).unwrap(),
        BackupOutcome::Kept(_)
    ));
    assert_eq!(std::fs::read_to_string(&sum).unwrap(), sum_text);
    assert!(matches!(
        fx.backup("2026-11", true).unwrap(),
        BackupOutcome::Written(_)
    ));
    assert!(verify(&archive).unwrap().is_intact());
    assert_eq!(fx.backup_files(), ARCHIVE_AND_SUM);
}

#[test]
fn a_flipped_byte_anywhere_is_detected() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg", "b.en.jpg"]);
    let archive = fx.backed_up("2026-11");
    let original = std::fs::read(&archive).unwrap();
    let len = original.len() as u64;
    for offset in [0, 5, len / 3, len / 2, len - 5, len - 1] {
        std::fs::write(&archive, &original).unwrap();
        flip_byte(&archive, offset);
        let report = verify(&archive).unwrap();
        assert!(!report.is_intact(), "byte {offset} of {len}: {report}");
    }
    // Without its .sha256 file, the zstd checksum and the manifest still catch
    // a flipped byte in the data.
    std::fs::remove_file(super::hash::sidecar_of(&archive)).unwrap();
    std::fs::write(&archive, &original).unwrap();
    flip_byte(&archive, len / 2);
    let report = verify(&archive).unwrap();
    assert!(!report.archive_sha256_checked);
    assert!(!report.is_intact(), "{report}");
    // A damaged archive is not silently kept, nor replaced without --force.
    let err = fx.backup("2026-11", false).unwrap_err();
    assert!(matches!(err, BackupError::ExistingDamaged { .. }), "{err}");
    assert!(err.to_string().contains("run with --force"), "{err}");
    fx.backup("2026-11", true).unwrap();
    assert!(verify(&archive).unwrap().is_intact());
}
