//! Writing a month's archive: streamed through tar and zstd into a `.partial`
//! file, hashed on the way, verified by re-reading, synced, then renamed into place.

use std::fs::{File, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::archive::write_archive;
use super::collect::plan;
use super::hash::{Hashed, hex, sidecar_of};
use super::verify::verify_with_progress;
use super::{ArchiveSummary, BackupError, BackupJob, BackupOutcome, archive_name, sync_dir};

/// Where the archive bytes go: a file, synced before the rename. A trait so
/// tests can make the disk "fill up" after N bytes.
pub(super) trait Sink: Write {
    fn sync(&mut self) -> io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_all()
    }
}

/// Writes (or keeps) the archive of `job.month`. `progress(done, total)` is called
/// as bytes are archived and then verified (total = twice the bytes to archive).
pub fn run_backup(
    job: &BackupJob,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<BackupOutcome, BackupError> {
    run_backup_into(job, progress, |path: &Path| File::create(path))
}

pub(super) fn run_backup_into<S: Sink>(
    job: &BackupJob,
    progress: &mut dyn FnMut(u64, u64),
    open_sink: impl FnOnce(&Path) -> io::Result<S>,
) -> Result<BackupOutcome, BackupError> {
    let dir = &job.backup_dir;
    std::fs::create_dir_all(dir).map_err(|source| BackupError::Write {
        path: dir.clone(),
        source,
    })?;
    let _lock = lock(dir)?;
    let target = dir.join(archive_name(&job.kiosk, job.month));
    if target.exists() && !job.force {
        let report = verify_with_progress(&target, progress)?;
        if !report.is_intact() {
            return Err(BackupError::ExistingDamaged {
                path: target,
                damage: report.damage.iter().map(ToString::to_string).collect(),
            });
        }
        if !report.archive_sha256_checked {
            // A power cut between the rename and its checksum file: write it now.
            write_sidecar(&target, &report.archive_sha256)?;
        }
        return Ok(BackupOutcome::Kept(ArchiveSummary::from_report(
            job.month, &report,
        )));
    }
    let partial = dir.join(format!(".{}.partial", archive_name(&job.kiosk, job.month)));
    // A `.partial` left by a power cut is never valid; the lock says no one writes it.
    let _ = std::fs::remove_file(&partial);
    let result = write_and_check(job, &partial, &target, progress, open_sink);
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn write_and_check<S: Sink>(
    job: &BackupJob,
    partial: &Path,
    target: &Path,
    progress: &mut dyn FnMut(u64, u64),
    open_sink: impl FnOnce(&Path) -> io::Result<S>,
) -> Result<BackupOutcome, BackupError> {
    let plan = plan(job)?;
    let total = plan.total_bytes.saturating_mul(2);
    let written = |source| BackupError::Write {
        path: partial.to_owned(),
        source,
    };
    let sink = Hashed {
        inner: open_sink(partial).map_err(written)?,
        hasher: Sha256::new(),
    };
    let mut done = 0;
    let mut on_read = |n: u64| {
        done += n;
        progress(done.min(total), total);
    };
    let mut sink = write_archive(job, &plan, sink, &mut on_read).map_err(|e| e.at(partial))?;
    sink.inner.sync().map_err(written)?;
    let written_sha256 = hex(&sink.hasher.finalize());

    let half = plan.total_bytes;
    let report = verify_with_progress(partial, &mut |read, size| {
        let scaled = u128::from(read) * u128::from(half) / u128::from(size.max(1));
        progress((half + scaled as u64).min(total), total);
    })?;
    let mut damage: Vec<String> = report.damage.iter().map(ToString::to_string).collect();
    if report.archive_sha256 != written_sha256 {
        damage.push("the bytes read back differ from the bytes written".into());
    }
    let expected = plan.files.len() + 1; // and the index
    if report.files_ok != expected {
        damage.push(format!(
            "{} files verified, {expected} written",
            report.files_ok
        ));
    }
    if !damage.is_empty() {
        return Err(BackupError::VerifyFailed {
            path: partial.to_owned(),
            damage,
        });
    }
    // An old checksum file must never sit next to a new archive (`--force`);
    // an archive without one is still checked through its manifest.
    let sidecar = sidecar_of(target);
    match std::fs::remove_file(&sidecar) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(BackupError::Remove {
                path: sidecar,
                source: e,
            });
        }
        _ => {}
    }
    std::fs::rename(partial, target).map_err(|source| BackupError::Write {
        path: target.to_owned(),
        source,
    })?;
    sync_dir(&job.backup_dir)?;
    write_sidecar(target, &written_sha256)?;
    let mut report = report;
    report.archive = target.to_owned();
    Ok(BackupOutcome::Written(ArchiveSummary::from_report(
        job.month, &report,
    )))
}

/// `<archive>.sha256` in `sha256sum -c` format, written atomically and synced.
fn write_sidecar(archive: &Path, sha256: &str) -> Result<(), BackupError> {
    let name = archive.file_name().unwrap_or_default().to_string_lossy();
    let sidecar = sidecar_of(archive);
    write_atomically(&sidecar, format!("{sha256}  {name}\n").as_bytes())?;
    sync_dir(archive.parent().unwrap_or(Path::new(".")))
}

/// Writes a small file under a temporary name, syncs it and renames it into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".partial");
    let temp = PathBuf::from(temp);
    let failed = |source| BackupError::Write {
        path: path.to_owned(),
        source,
    };
    let mut file = File::create(&temp).map_err(failed)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(failed)?;
    std::fs::rename(&temp, path).map_err(failed)
}

/// One backup at a time per folder: the player's monthly run and a shell's
/// `infokiosk backup` must not write the same `.partial`.
fn lock(dir: &Path) -> Result<File, BackupError> {
    let path: PathBuf = dir.join(".infokiosk-backup.lock");
    let file = File::create(&path).map_err(|source| BackupError::Write {
        path: path.clone(),
        source,
    })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(BackupError::Busy { path }),
        Err(TryLockError::Error(source)) => Err(BackupError::Write { path, source }),
    }
}
