//! Streaming one archive: each file hashed as it is read into tar and zstd, then
//! the index and, last, the manifest.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use chrono::SecondsFormat;
use sha2::{Digest, Sha256};

use super::collect::{Plan, PlannedFile};
use super::hash::hex;
use super::{BackupError, BackupJob, INDEX, MANIFEST, archive_name};

/// Why writing stopped: reading a source, or writing the archive (path filled in by the caller).
pub(super) enum WriteError {
    Source(BackupError),
    Sink(io::Error),
}

impl WriteError {
    pub(super) fn at(self, partial: &Path) -> BackupError {
        match self {
            WriteError::Source(e) => e,
            WriteError::Sink(source) => BackupError::Write {
                path: partial.to_owned(),
                source,
            },
        }
    }
}

pub(super) fn write_archive<S: Write>(
    job: &BackupJob,
    plan: &Plan,
    sink: S,
    on_read: &mut dyn FnMut(u64),
) -> Result<S, WriteError> {
    let top = archive_name(&job.kiosk, job.month);
    let top = top.trim_end_matches(".tar.zst");
    let buffered = BufWriter::with_capacity(256 * 1024, sink);
    let mut encoder = zstd::stream::write::Encoder::new(buffered, 3).map_err(WriteError::Sink)?;
    encoder.include_checksum(true).map_err(WriteError::Sink)?;
    let mut tar = tar::Builder::new(encoder);
    let mut manifest = format!(
        "# infokiosk backup of kiosk {} for {} ({}); check with: sha256sum -c {MANIFEST}\n",
        job.kiosk, job.month, job.timezone
    );
    let mut index = Vec::new();
    for file in &plan.files {
        let (sha256, size) = append_file(&mut tar, top, file, on_read)?;
        manifest.push_str(&format!("{sha256}  {}\n", file.name));
        let mut entry = serde_json::json!({
            "path": file.name, "bytes": size, "sha256": sha256, "shown": file.shown,
        });
        if !file.items.is_empty() {
            entry["items"] = serde_json::json!(file.items);
        }
        index.push(entry);
    }
    let index = serde_json::json!({
        "kiosk": job.kiosk,
        "month": job.month,
        "timezone": job.timezone.name(),
        "created": job.now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "files": index,
        "missing": plan.missing,
        "broken_journal_lines": plan.broken_journal_lines,
    });
    let index = serde_json::to_vec_pretty(&index).expect("plain data");
    manifest.push_str(&format!("{}  {INDEX}\n", hex(&Sha256::digest(&index))));
    for item in &plan.missing {
        manifest.push_str(&format!("# missing: {item}\n"));
    }
    let mtime = u64::try_from(job.now.timestamp()).unwrap_or(0);
    for (name, bytes) in [(INDEX, index.as_slice()), (MANIFEST, manifest.as_bytes())] {
        let mut header = header(bytes.len() as u64, mtime);
        tar.append_data(&mut header, format!("{top}/{name}"), bytes)
            .map_err(WriteError::Sink)?;
    }
    let encoder = tar.into_inner().map_err(WriteError::Sink)?;
    let buffered = encoder.finish().map_err(WriteError::Sink)?;
    buffered
        .into_inner()
        .map_err(|e| WriteError::Sink(e.into_error()))
}

/// Streams one file into the archive, hashing it on the way.
fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    top: &str,
    file: &PlannedFile,
    on_read: &mut dyn FnMut(u64),
) -> Result<(String, u64), WriteError> {
    let failed = |source| {
        WriteError::Source(BackupError::Read {
            path: file.source.clone(),
            source,
        })
    };
    let opened = File::open(&file.source).map_err(failed)?;
    let meta = opened.metadata().map_err(failed)?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let mut source = Hashing {
        inner: opened,
        hasher: Sha256::new(),
        expected: meta.len(),
        read: 0,
        may_grow: file.append_only,
        on_read,
        failure: None,
    };
    let mut header = header(meta.len(), mtime);
    let appended = tar.append_data(&mut header, format!("{top}/{}", file.name), &mut source);
    match source.failure.take() {
        Some(Problem::Changed(problem)) => {
            return Err(WriteError::Source(BackupError::Changed {
                path: file.source.clone(),
                problem,
            }));
        }
        Some(Problem::Io(e)) => return Err(failed(e)),
        None => {}
    }
    appended.map_err(WriteError::Sink)?;
    Ok((hex(&source.hasher.finalize()), source.read))
}

fn header(size: u64, mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(mtime);
    header
}

/// Reads exactly `expected` bytes (the size in the tar header) and hashes them;
/// a file that shrinks, grows or fails while being read is recorded in `failure`
/// (tar itself would only see an I/O error, and pad a short file silently).
struct Hashing<'a> {
    inner: File,
    hasher: Sha256,
    expected: u64,
    read: u64,
    /// Bytes appended after `expected` are left for next time, not an error.
    may_grow: bool,
    on_read: &'a mut dyn FnMut(u64),
    failure: Option<Problem>,
}

enum Problem {
    Changed(String),
    Io(io::Error),
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.expected - self.read;
        if left == 0 {
            if self.may_grow {
                return Ok(0);
            }
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe) {
                Ok(0) => Ok(0),
                Ok(_) => Err(self.changed(format!(
                    "it grew beyond {} bytes while being read",
                    self.expected
                ))),
                Err(e) => Err(self.io(e)),
            };
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        match self.inner.read(&mut buf[..want]) {
            Ok(0) => Err(self.changed(format!(
                "it shrank while being read: {} of {} bytes were there",
                self.read, self.expected
            ))),
            Ok(n) => {
                self.hasher.update(&buf[..n]);
                self.read += n as u64;
                (self.on_read)(n as u64);
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => Err(self.io(e)),
        }
    }
}

impl Hashing<'_> {
    fn changed(&mut self, problem: String) -> io::Error {
        let error = io::Error::other(problem.clone());
        self.failure = Some(Problem::Changed(problem));
        error
    }

    fn io(&mut self, e: io::Error) -> io::Error {
        let error = io::Error::new(e.kind(), e.to_string());
        self.failure = Some(Problem::Io(e));
        error
    }
}
