//! The journal's copy in the outbox, kept up to date as the journal grows:
//! only the bytes added since the last copy are appended, whole lines only
//! (Syncthing may send the file between two appends; a line is never cut).
//! A copy that is not what was last written (shorter, longer, a different
//! prefix, a symlink) is written again whole, atomically.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// How much of the copy, before its end, is compared with the journal at
/// each append (the whole copy when nothing is known of it yet).
const CHECKED_TAIL: u64 = 4096;
const CHUNK: usize = 64 * 1024;

/// What one look at a month's copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Synced {
    /// The journal has no such month (yet).
    NoJournal,
    /// Nothing new.
    Same,
    /// This many bytes appended.
    Appended(u64),
    /// Written whole, and why.
    Rewritten(&'static str),
}

/// Brings `copy` up to the journal file `journal`: returns how many bytes
/// of the journal the copy now holds (its length, at a line's end) and what
/// was done. `known` is that length as the last call returned it (`None`
/// at start or after an error: then the whole copy is compared).
pub fn sync_copy(journal: &Path, copy: &Path, known: Option<u64>) -> io::Result<(u64, Synced)> {
    let mut source = match File::open(journal) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, Synced::NoJournal)),
        Err(e) => return Err(e),
    };
    let end = whole_lines_end(&mut source)?;
    match check_copy(copy, &mut source, known, end) {
        Ok(len) if len == end => Ok((end, Synced::Same)),
        Ok(len) => {
            append(copy, &mut source, len, end)?;
            Ok((end, Synced::Appended(end - len)))
        }
        Err(why) => {
            if let Some(dir) = copy.parent() {
                super::real_dir(dir)?;
            }
            let mut bytes = Vec::with_capacity(end as usize);
            source.seek(SeekFrom::Start(0))?;
            (&mut source).take(end).read_to_end(&mut bytes)?;
            crate::durable::write_atomically(copy, &bytes)?;
            Ok((end, Synced::Rewritten(why)))
        }
    }
}

/// One month's copy as last synced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCopy {
    /// `YYYY-MM`.
    pub month: String,
    /// What [`sync_copy`] last returned for it.
    pub known: Option<u64>,
}

/// Brings the copy of `month` (the kiosk clock's, `YYYY-MM`) up to date in
/// `copy_dir`, from `journal_dir`. At a month change, and at start, the
/// month before is finished first: its last lines were written after the
/// last copy. Returns the state to pass next time, and the errors met.
pub fn sync_months(
    journal_dir: &Path,
    copy_dir: &Path,
    month: &str,
    last: Option<MonthCopy>,
) -> (MonthCopy, Vec<String>) {
    let mut errors = Vec::new();
    let mut sync = |month: &str, known| {
        let name = format!("{month}.jsonl");
        match sync_copy(&journal_dir.join(&name), &copy_dir.join(&name), known) {
            Ok((len, _)) => Some(len),
            Err(e) => {
                errors.push(format!(
                    "journal copy {}: {e}",
                    copy_dir.join(&name).display()
                ));
                None
            }
        }
    };
    let known = match last {
        Some(last) if last.month == month => last.known,
        Some(last) => {
            sync(&last.month, last.known);
            None
        }
        None => {
            if let Some(before) = month_before(month) {
                sync(&before, None);
            }
            None
        }
    };
    let known = sync(month, known);
    (
        MonthCopy {
            month: month.to_owned(),
            known,
        },
        errors,
    )
}

/// `YYYY-MM` of the month before `month`.
fn month_before(month: &str) -> Option<String> {
    let (year, month) = month.split_once('-')?;
    let (year, month): (i32, u32) = (year.parse().ok()?, month.parse().ok()?);
    Some(match month {
        1 => format!("{:04}-12", year - 1),
        _ => format!("{year:04}-{:02}", month - 1),
    })
}

/// The length of the journal's whole lines: up to its last newline (a line
/// being written, or cut by a power failure, is not copied yet).
fn whole_lines_end(file: &mut File) -> io::Result<u64> {
    let mut end = file.metadata()?.len();
    let mut chunk = vec![0; CHUNK];
    while end > 0 {
        let start = end.saturating_sub(CHUNK as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(i) = part.iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// The copy's length if it is the journal's first bytes, ending at a line's
/// end, as last left; else why it must be written again.
fn check_copy(
    path: &Path,
    source: &mut File,
    known: Option<u64>,
    end: u64,
) -> Result<u64, &'static str> {
    let mut copy = match crate::guard::open_regular(path) {
        Ok(copy) => copy,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err("no copy yet"),
        Err(_) => return Err("the copy is not a regular file"),
    };
    let len = copy
        .metadata()
        .map_err(|_| "the copy cannot be read")?
        .len();
    if known.is_some_and(|known| known != len) {
        return Err("the copy's length changed since the last copy");
    }
    if len > end {
        return Err("the copy is longer than the journal");
    }
    let from = known.map_or(0, |k| k.saturating_sub(CHECKED_TAIL));
    if !same_bytes(&mut copy, source, from, len).map_err(|_| "the copy cannot be read")? {
        return Err("the copy differs from the journal");
    }
    Ok(len)
}

/// Whether `a` and `b` hold the same bytes from `from` to `to`, and the
/// last of them (if any) is a newline.
fn same_bytes(a: &mut File, b: &mut File, from: u64, to: u64) -> io::Result<bool> {
    a.seek(SeekFrom::Start(from))?;
    b.seek(SeekFrom::Start(from))?;
    let (mut x, mut y) = (vec![0; CHUNK], vec![0; CHUNK]);
    let mut at = from;
    let mut last = b'\n';
    while at < to {
        let n = CHUNK.min((to - at) as usize);
        a.read_exact(&mut x[..n])?;
        b.read_exact(&mut y[..n])?;
        if x[..n] != y[..n] {
            return Ok(false);
        }
        last = x[n - 1];
        at += n as u64;
    }
    Ok(last == b'\n')
}

/// Appends the journal's bytes `from..to` to the copy, which must still be
/// `from` long.
fn append(path: &Path, source: &mut File, from: u64, to: u64) -> io::Result<()> {
    let mut copy = File::options()
        .append(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = copy.metadata()?;
    if !meta.file_type().is_file() || meta.len() != from {
        return Err(io::Error::other("the copy changed while being appended to"));
    }
    source.seek(SeekFrom::Start(from))?;
    let copied = io::copy(&mut (&mut *source).take(to - from), &mut copy)?;
    if copied != to - from {
        return Err(io::Error::other("the journal shrank while being copied"));
    }
    copy.flush()?;
    copy.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files {
        _dir: tempfile::TempDir,
        journal: std::path::PathBuf,
        copy: std::path::PathBuf,
    }

    fn files() -> Files {
        let dir = tempfile::tempdir().unwrap();
        Files {
            journal: dir.path().join("data/2026-11.jsonl"),
            copy: dir.path().join("outbox/journal/2026-11.jsonl"),
            _dir: dir,
        }
    }

    fn add(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn only_the_new_whole_lines_are_appended() {
        let f = files();
        assert_eq!(
            sync_copy(&f.journal, &f.copy, None).unwrap(),
            (0, Synced::NoJournal)
        );
        add(&f.journal, "{\"seq\":1}\n{\"seq\":2}\n{\"se");
        let (len, done) = sync_copy(&f.journal, &f.copy, None).unwrap();
        assert_eq!((len, done), (20, Synced::Rewritten("no copy yet")));
        assert_eq!(
            read(&f.copy),
            "{\"seq\":1}\n{\"seq\":2}\n",
            "the cut line waits"
        );
        assert_eq!(
            sync_copy(&f.journal, &f.copy, Some(len)).unwrap(),
            (20, Synced::Same)
        );
        add(&f.journal, "q\":3}\n");
        let (len, done) = sync_copy(&f.journal, &f.copy, Some(len)).unwrap();
        assert_eq!((len, done), (30, Synced::Appended(10)));
        assert_eq!(read(&f.copy), read(&f.journal));
        // A fresh start (nothing known) compares the whole copy and goes on.
        add(&f.journal, "{\"seq\":4}\n");
        assert_eq!(
            sync_copy(&f.journal, &f.copy, None).unwrap(),
            (40, Synced::Appended(10))
        );
        assert_eq!(read(&f.copy), read(&f.journal));
    }

    #[test]
    fn a_copy_not_as_left_is_written_again_whole() {
        let f = files();
        add(&f.journal, "{\"seq\":1}\n{\"seq\":2}\n");
        let (len, _) = sync_copy(&f.journal, &f.copy, None).unwrap();
        // What happened to the copy, how, and the reason given.
        type Case = (&'static str, fn(&Path), &'static str);
        let cases: [Case; 4] = [
            (
                "truncated",
                |p| std::fs::write(p, "{\"seq\":1}\n").unwrap(),
                "length changed",
            ),
            ("longer", |p| add(p, "{\"seq\":9}\n"), "length changed"),
            (
                "edited",
                |p| std::fs::write(p, "{\"seq\":7}\n{\"seq\":2}\n").unwrap(),
                "differs",
            ),
            (
                "cut",
                |p| std::fs::write(p, "{\"seq\":1}\n{\"s").unwrap(),
                "length changed",
            ),
        ];
        for (what, spoil, why) in cases {
            spoil(&f.copy);
            let (again, done) = sync_copy(&f.journal, &f.copy, Some(len)).unwrap();
            assert!(
                matches!(done, Synced::Rewritten(r) if r.contains(why)),
                "{what}: {done:?}"
            );
            assert_eq!(again, len, "{what}");
            assert_eq!(read(&f.copy), read(&f.journal), "{what}");
        }
        // Unknown state: a copy edited in its middle is found by the full compare.
        std::fs::write(&f.copy, "{\"seq\":1}\n{\"seq\":3}\n").unwrap();
        let (_, done) = sync_copy(&f.journal, &f.copy, None).unwrap();
        assert_eq!(done, Synced::Rewritten("the copy differs from the journal"));
        // Longer than the journal, or ending inside a line, with nothing known.
        add(&f.copy, "{\"seq\":3}\n");
        let (_, done) = sync_copy(&f.journal, &f.copy, None).unwrap();
        assert_eq!(
            done,
            Synced::Rewritten("the copy is longer than the journal")
        );
        std::fs::write(&f.copy, "{\"seq\":1}\n{\"s").unwrap();
        let (_, done) = sync_copy(&f.journal, &f.copy, None).unwrap();
        assert_eq!(done, Synced::Rewritten("the copy differs from the journal"));
        assert_eq!(read(&f.copy), read(&f.journal));
    }

    #[test]
    fn a_symlink_at_the_copy_is_replaced_not_followed() {
        let f = files();
        add(&f.journal, "{\"seq\":1}\n");
        let target = f.journal.with_file_name("elsewhere");
        std::fs::write(&target, "not the kiosk's").unwrap();
        std::fs::create_dir_all(f.copy.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&target, &f.copy).unwrap();
        let (_, done) = sync_copy(&f.journal, &f.copy, None).unwrap();
        assert_eq!(done, Synced::Rewritten("the copy is not a regular file"));
        assert_eq!(read(&target), "not the kiosk's");
        assert!(std::fs::symlink_metadata(&f.copy).unwrap().is_file());
    }

    #[test]
    fn a_new_month_finishes_the_old_copy_then_starts_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let (journal, copies) = (
            dir.path().join("journal"),
            dir.path().join("outbox/journal"),
        );
        add(&journal.join("2026-10.jsonl"), "{\"seq\":1}\n");
        add(&journal.join("2026-11.jsonl"), "{\"seq\":2}\n");
        // At start: the month before is finished too.
        let (state, errors) = sync_months(&journal, &copies, "2026-11", None);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            state,
            MonthCopy {
                month: "2026-11".into(),
                known: Some(10)
            }
        );
        assert_eq!(read(&copies.join("2026-10.jsonl")), "{\"seq\":1}\n");
        // Lines at the end of November, then December's first.
        add(&journal.join("2026-11.jsonl"), "{\"seq\":3}\n");
        add(&journal.join("2026-12.jsonl"), "{\"seq\":4}\n");
        let (state, errors) = sync_months(&journal, &copies, "2026-12", Some(state));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(state.month, "2026-12");
        assert_eq!(
            read(&copies.join("2026-11.jsonl")),
            read(&journal.join("2026-11.jsonl"))
        );
        assert_eq!(read(&copies.join("2026-12.jsonl")), "{\"seq\":4}\n");
        assert_eq!(month_before("2027-01").as_deref(), Some("2026-12"));
        assert_eq!(month_before("2026-12").as_deref(), Some("2026-11"));
    }
}
