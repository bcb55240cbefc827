//! Backups that fail part-way: a full disk, files that vanish or shrink, a power
//! cut's leftovers. None may leave an archive that looks valid.

use std::io::{self, Write};

use sha2::Digest;
use std::path::{Path, PathBuf};

use super::super::write::{Sink, run_backup_into};
use super::super::*;
use super::{ARCHIVE_AND_SUM, Fixture, write_noise};

/// A disk that fills up after `left` bytes.
struct FullAfter {
    file: std::fs::File,
    left: usize,
}

impl Write for FullAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device",
            ));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        self.file.write(&buf[..n])
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Sink for FullAfter {
    fn sync(&mut self) -> io::Result<()> {
        self.file.sync_all()
    }
}

#[test]
fn a_full_disk_leaves_no_archive_and_names_the_file() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg"]);
    write_noise(&fx.content_dir().join("a.vi.jpg"), 3 << 20);
    let open = |path: &Path| {
        let file = std::fs::File::create(path)?;
        Ok(FullAfter {
            file,
            left: 1 << 20,
        })
    };
    let err = run_backup_into(&fx.job("2026-11", false), &mut |_, _| {}, open).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("writing ") && text.contains(".partial"),
        "{text}"
    );
    assert!(text.contains("No space left on device"), "{text}");
    assert!(fx.backup_files().is_empty(), "{:?}", fx.backup_files());
    // The next run, with room, succeeds.
    assert!(matches!(
        fx.backup("2026-11", false).unwrap(),
        BackupOutcome::Written(_)
    ));
}

/// A 2 MiB tmpfs, unmounted when dropped.
struct SmallDisk(PathBuf);

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Whether the tests run as root (effective user id 0), as in CI.
fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|effective| effective == "0")
}

/// The backup folder on a 2 MiB tmpfs: a disk the kernel really fills,
/// which only root can mount. Run as another user, the test says so and
/// passes; `a_full_disk_leaves_no_archive_and_names_the_file` still covers
/// the error path with a writer that fails.
#[test]
fn a_really_full_disk_leaves_no_archive_when_run_as_root() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg"]);
    write_noise(&fx.content_dir().join("a.vi.jpg"), 3 << 20);
    std::fs::create_dir_all(fx.backup_dir()).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(fx.backup_dir())
        .output()
        .expect("mount runs (package mount)");
    if !mounted.status.success() {
        let said = String::from_utf8_lossy(&mounted.stderr);
        let said = said.trim();
        assert!(
            !running_as_root(),
            "root cannot mount a 2 MiB tmpfs on {}: {said}",
            fx.backup_dir().display()
        );
        println!("NOT TESTED: a really full disk (mounting a tmpfs needs root: {said})");
        return;
    }
    let _disk = SmallDisk(fx.backup_dir());
    let err = fx.backup("2026-11", false).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(".partial") && text.contains("No space left on device"),
        "{text}"
    );
    assert!(fx.backup_files().is_empty(), "{:?}", fx.backup_files());
}

#[test]
fn a_file_that_vanishes_before_it_is_read_fails_cleanly() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg", "z.vi.jpg"]);
    let victim = fx.content_dir().join("z.vi.jpg");
    // Once archiving has begun (first progress call, reading a.vi.jpg), z goes.
    let mut strike = |_, _| {
        let _ = std::fs::remove_file(&victim);
    };
    let err = run_backup(&fx.job("2026-11", false), &mut strike).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("reading ") && text.contains("z.vi.jpg"),
        "{text}"
    );
    assert!(text.contains("No such file"), "{text}");
    assert!(fx.backup_files().is_empty(), "{:?}", fx.backup_files());
}

#[test]
fn a_file_cut_short_while_it_is_read_fails_cleanly() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg", "z.vi.jpg"]);
    let victim = fx.content_dir().join("z.vi.jpg");
    write_noise(&victim, 4 << 20);
    let small = std::fs::metadata(fx.content_dir().join("a.vi.jpg"))
        .unwrap()
        .len();
    // 1 MiB into z.vi.jpg, it is truncated (a sync engine rewriting it in place).
    let mut struck = false;
    let mut strike = |done, _| {
        if !struck && done > small + (1 << 20) {
            struck = true;
            std::fs::OpenOptions::new()
                .write(true)
                .open(&victim)
                .unwrap()
                .set_len(1000)
                .unwrap();
        }
    };
    let err = run_backup(&fx.job("2026-11", false), &mut strike).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("z.vi.jpg changed while it was being archived"),
        "{text}"
    );
    assert!(text.contains("it shrank while being read"), "{text}");
    assert!(fx.backup_files().is_empty(), "{:?}", fx.backup_files());
}

#[test]
fn a_partial_file_left_by_a_power_cut_is_never_taken_for_an_archive() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg"]);
    std::fs::create_dir_all(fx.backup_dir()).unwrap();
    let stale = fx
        .backup_dir()
        .join(".infokiosk-tb-1-2026-11.tar.zst.partial");
    std::fs::write(&stale, b"half an archive").unwrap();
    assert!(archives(&fx.backup_dir(), "tb-1").is_empty());
    assert!(matches!(
        fx.backup("2026-11", false).unwrap(),
        BackupOutcome::Written(_)
    ));
    assert_eq!(fx.backup_files(), ARCHIVE_AND_SUM);
}

#[test]
fn a_month_without_journal_says_so() {
    let fx = Fixture::new();
    let err = fx.backup("2026-10", false).unwrap_err();
    assert!(
        err.to_string().starts_with("no journal for 2026-10 at "),
        "{err}"
    );
    let event = serde_json::to_value(failure_event("2026-10".parse().unwrap(), &err)).unwrap();
    assert_eq!(event["event"], "backup_failed");
}

#[test]
fn the_journal_may_grow_while_archived_a_content_file_may_not() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg"]);
    let journal = fx.journal_dir().join("2026-11.jsonl");
    let line = std::fs::read_to_string(&journal).unwrap();
    // 2 MB of journal, so that the player can append while it is being read.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    for _ in 0..(2 << 20) / line.len() {
        file.write_all(line.as_bytes()).unwrap();
    }
    let size = std::fs::metadata(&journal).unwrap().len();
    let content = std::fs::metadata(fx.content_dir().join("a.vi.jpg"))
        .unwrap()
        .len();
    let mut appended = false;
    let mut player = |done, _| {
        if !appended && done > content + (1 << 20) {
            appended = true;
            file.write_all(line.as_bytes()).unwrap();
        }
    };
    let outcome = run_backup(&fx.job("2026-11", false), &mut player).unwrap();
    assert!(appended);
    let report = verify(&outcome.summary().archive).unwrap();
    assert!(report.is_intact(), "{report}");
    // The archived journal is the journal as it was when opened.
    let mut head = std::fs::read(&journal).unwrap();
    assert!(head.len() as u64 > size, "the player's line landed");
    head.truncate(size as usize);
    let expected = super::super::hash::hex(&sha2::Sha256::digest(&head));
    assert_eq!(report.manifest["journal/2026-11.jsonl"], expected);

    // A content file that grows is another matter: the archive would not be what was shown.
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["a.vi.jpg", "z.vi.jpg"]);
    let victim = fx.content_dir().join("z.vi.jpg");
    write_noise(&victim, 2 << 20);
    let mut grown = false;
    let mut strike = |done, _| {
        if !grown && done > content + (1 << 20) {
            grown = true;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&victim)
                .unwrap();
            f.write_all(b"more").unwrap();
        }
    };
    let err = run_backup(&fx.job("2026-11", false), &mut strike).unwrap_err();
    assert!(err.to_string().contains("it grew beyond"), "{err}");
    assert!(fx.backup_files().is_empty());
}
