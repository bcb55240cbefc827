//! The journal's hash chain: every line carries `prev`, the SHA-256 of the
//! line before it (its exact bytes, without the newline), across months and
//! restarts, so that a line edited, removed or inserted afterwards breaks the
//! chain at that place. [`verify_month`] walks a month file and names the
//! first such line; a line cut off by a power failure is told apart from
//! tampering. At each month's end a [`Seal`] (the month's last hash) goes to
//! the outbox, an anchor the office keeps and the kiosk cannot rewrite.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::month_files;
use super::read::last_line_where;

/// The `prev` of the first line ever written: there is no line before it.
pub const ANCHOR: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of a line's exact bytes (without its newline), as 64 hex digits.
pub fn line_hash(line: &[u8]) -> String {
    format!("{:x}", Sha256::digest(line))
}

/// A complete journal line as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub seq: u64,
    pub hash: String,
    /// Whether the line carries `prev` (lines of older versions do not).
    pub chained: bool,
}

/// The fields the chain reads; deserialising into it still checks that the
/// whole line is valid JSON.
#[derive(Deserialize)]
struct Head {
    seq: Option<u64>,
    prev: Option<String>,
}

fn head(line: &[u8]) -> Option<Head> {
    serde_json::from_slice::<Head>(line).ok()
}

/// The link of a complete line (a JSON object with a `seq`), if it is one.
pub(super) fn link_of(line: &[u8]) -> Option<Link> {
    let head = head(line)?;
    Some(Link {
        seq: head.seq?,
        hash: line_hash(line),
        chained: head.prev.is_some(),
    })
}

/// The month (`YYYY-MM`) a journal file holds, from its name.
pub fn month_of(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The seal of a month, written into the outbox when the month is over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    pub month: String,
    #[serde(default)]
    pub kiosk: String,
    /// The hash of the month's last complete line.
    pub last_hash: String,
    pub last_seq: u64,
    /// Complete lines in the month file.
    pub lines: u64,
    pub written_at: String,
}

/// `outbox/journal-seal-YYYY-MM.json`.
pub fn seal_path(outbox: &Path, month: &str) -> PathBuf {
    outbox.join(format!("journal-seal-{month}.json"))
}

/// Writes the seal of `month` (its file in `dir`) into `outbox`, atomically.
pub fn write_seal(
    dir: &Path,
    month: &str,
    outbox: &Path,
    kiosk: &str,
    now: DateTime<Utc>,
) -> std::io::Result<Seal> {
    let walked = verify_month(dir, month, None)?;
    if let Some(t) = &walked.tampered {
        tracing::error!("sealing journal {month} as it is, but {t}");
    }
    let last = walked.last.unwrap_or(Link {
        seq: 0,
        hash: ANCHOR.into(),
        chained: true,
    });
    let seal = Seal {
        month: month.to_owned(),
        kiosk: kiosk.to_owned(),
        last_hash: last.hash,
        last_seq: last.seq,
        lines: walked.lines as u64,
        written_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    std::fs::create_dir_all(outbox)?;
    let mut text = serde_json::to_string_pretty(&seal).expect("a seal is plain data");
    text.push('\n');
    crate::durable::write_atomically(&seal_path(outbox, month), text.as_bytes())?;
    Ok(seal)
}

/// How a month's first line links back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// To the last complete line of this earlier month file.
    Previous(PathBuf),
    /// The first line ever written (`prev` all zeros), or lines of an older
    /// version without `prev`.
    Anchor,
    /// To a line of this earlier month file that is not its last (its line
    /// number): the clock went back to that month after this file began.
    Branch(PathBuf, usize),
    /// To a line no earlier file holds (the earlier months are not on this
    /// kiosk): the chain is checked from here on.
    Unlinked,
}

/// The first line that does not follow the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampering {
    pub file: PathBuf,
    /// 1-based line number in `file`.
    pub line: usize,
    pub seq: Option<u64>,
    /// What was found: edited, removed, inserted.
    pub what: String,
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.file.file_name().unwrap_or_default().to_string_lossy();
        write!(f, "{name} line {}", self.line)?;
        if let Some(seq) = self.seq {
            write!(f, " (seq {seq})")?;
        }
        write!(f, ": {}", self.what)
    }
}

/// What the seal in the outbox says of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealCheck {
    /// No seal for this month in the outbox (or no outbox given).
    Absent,
    /// The file ends where the seal says.
    Matches(PathBuf),
    /// The file does not end where the seal says.
    Differs(PathBuf, String),
}

/// The walk of one month file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCheck {
    pub file: PathBuf,
    /// Complete lines.
    pub lines: usize,
    /// Lines written before the chain began (by an older version).
    pub unchained: usize,
    pub start: Start,
    /// Lines cut off by a power failure after which the journal went on.
    pub cut: Vec<usize>,
    /// The last line, cut off by a power failure (its line number).
    pub torn_end: Option<usize>,
    /// The last complete line.
    pub last: Option<Link>,
    pub tampered: Option<Tampering>,
    pub seal: SealCheck,
}

impl MonthCheck {
    pub fn is_intact(&self) -> bool {
        self.tampered.is_none() && !matches!(self.seal, SealCheck::Differs(..))
    }
}

/// One complete line as walked.
struct Walked {
    number: usize,
    seq: Option<u64>,
    prev: Option<String>,
    hash: String,
}

/// Walks `dir/MONTH.jsonl` line by line: each `prev` must be the hash of the
/// complete line before it (for the first line, the last complete line of the
/// newest earlier month file). With `outbox`, the month's seal there (if any)
/// must match the file's last line. Reads the file once, a line at a time.
pub fn verify_month(dir: &Path, month: &str, outbox: Option<&Path>) -> std::io::Result<MonthCheck> {
    let path = dir.join(format!("{month}.jsonl"));
    let file = File::open(&path)?;
    // The newest earlier file with a complete line, and that line.
    let (previous, before) = month_files(dir)
        .into_iter()
        .filter(|p| month_of(p).as_str() < month)
        .rev()
        .find_map(|p| {
            let link = last_line_where(&p, link_of).ok().flatten()?;
            Some((Some(p), Some(link)))
        })
        .unwrap_or((None, None));
    let mut check = MonthCheck {
        file: path.clone(),
        lines: 0,
        unchained: 0,
        start: Start::Anchor,
        cut: Vec::new(),
        torn_end: None,
        last: None,
        tampered: None,
        seal: SealCheck::Absent,
    };
    // The line the next one must follow: the previous month's last, at first.
    let mut expected: Option<Walked> = before.as_ref().map(|l| Walked {
        number: 0,
        seq: Some(l.seq),
        prev: l.chained.then(String::new),
        hash: l.hash.clone(),
    });
    let mut chained = before.as_ref().is_some_and(|l| l.chained);
    let mut before_expected: Option<Walked> = None;
    // A break waiting for the next line to tell what it was.
    let mut pending: Option<(Walked, Option<Walked>, Option<Walked>)> = None;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut buf = Vec::with_capacity(4096);
    let mut number = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        number += 1;
        let ended = buf.last() == Some(&b'\n');
        let line = if ended {
            &buf[..buf.len() - 1]
        } else {
            &buf[..]
        };
        if line.is_empty() {
            continue;
        }
        let Some(head) = head(line) else {
            // Not JSON: a write cut off by a power failure. At the very end
            // it is the torn last line; in the middle the journal went on.
            check.cut.push(number);
            continue;
        };
        let this = Walked {
            number,
            seq: head.seq,
            prev: head.prev,
            hash: line_hash(line),
        };
        check.lines += 1;
        if let Some((broken, last, before_last)) = pending.take() {
            check.tampered = Some(diagnose(&path, &broken, last, before_last, Some(&this)));
            break;
        }
        match (&this.prev, chained) {
            (None, false) => check.unchained += 1,
            (None, true) => {
                check.tampered = Some(Tampering {
                    file: path.clone(),
                    line: number,
                    seq: this.seq,
                    what: "has no `prev` where the chain had begun: edited".into(),
                });
                break;
            }
            (Some(prev), _) => {
                chained = true;
                match &expected {
                    Some(e) if e.hash == *prev => {}
                    // The file's first line follows a line of the month
                    // before that is not its last: the clock went back to
                    // that month after this file began.
                    Some(e)
                        if e.number == 0
                            && let Some(p) = &previous
                            && let Some(n) = line_with_hash(p, prev)? =>
                    {
                        check.start = Start::Branch(p.clone(), n);
                    }
                    Some(_) => {
                        pending = Some((this, expected.take(), before_expected.take()));
                        continue;
                    }
                    // The file's first line, and no earlier month here.
                    None if prev == ANCHOR => check.start = Start::Anchor,
                    None => check.start = Start::Unlinked,
                }
            }
        }
        if check.lines == 1
            && check.start == Start::Anchor
            && let (Some(p), Some(_)) = (&previous, &before)
        {
            check.start = Start::Previous(p.clone());
        }
        before_expected = expected.replace(this);
    }
    if let Some((broken, last, before_last)) = pending.take() {
        check.tampered = Some(diagnose(&path, &broken, last, before_last, None));
    }
    // A cut line after the last complete one is the torn end, not a cut
    // the journal went on from.
    if let Some(&last_cut) = check.cut.last()
        && expected.as_ref().is_none_or(|e| e.number < last_cut)
        && check.tampered.is_none()
    {
        check.torn_end = check.cut.pop();
    }
    check.last = expected.filter(|e| e.number > 0).map(|e| Link {
        seq: e.seq.unwrap_or(0),
        hash: e.hash,
        chained: e.prev.is_some(),
    });
    if let Some(outbox) = outbox
        && check.tampered.is_none()
    {
        check.seal = check_seal(outbox, month, &check);
    }
    Ok(check)
}

/// The number of the line of `path` whose hash is `hash`, if any.
fn line_with_hash(path: &Path, hash: &str) -> std::io::Result<Option<usize>> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(None);
        }
        number += 1;
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if line_hash(line) == hash {
            return Ok(Some(number));
        }
    }
}

/// Names what happened at a line that does not follow `last`: the line
/// itself inserted (the one after it follows `last`), `last` inserted
/// (`broken` follows the line before it), lines removed (a gap in `seq`),
/// or `last` edited.
fn diagnose(
    path: &Path,
    broken: &Walked,
    last: Option<Walked>,
    before_last: Option<Walked>,
    next: Option<&Walked>,
) -> Tampering {
    let at = |w: &Walked, what: String| Tampering {
        file: path.to_owned(),
        line: w.number,
        seq: w.seq,
        what,
    };
    let Some(last) = last else {
        return at(broken, "does not follow the line before it".into());
    };
    if next.is_some_and(|n| n.prev.as_deref() == Some(last.hash.as_str())) {
        return at(
            broken,
            "was inserted (the line after it follows the line before it)".into(),
        );
    }
    if last.number > 0
        && before_last
            .as_ref()
            .is_some_and(|b| broken.prev.as_deref() == Some(b.hash.as_str()))
    {
        return at(
            &last,
            "was inserted (the line after it follows the line before it)".into(),
        );
    }
    if let (Some(seq), Some(last_seq)) = (broken.seq, last.seq)
        && seq > last_seq + 1
    {
        let missing = if seq == last_seq + 2 {
            format!("seq {} is missing", last_seq + 1)
        } else {
            format!("seq {} to {} are missing", last_seq + 1, seq - 1)
        };
        let place = if last.number == 0 {
            "before the month's first line (at the end of the month before)".to_owned()
        } else {
            format!("after line {}", last.number)
        };
        return at(broken, format!("lines were removed {place}: {missing}"));
    }
    if last.number == 0 {
        return at(
            broken,
            "does not follow the previous month's last line: that line was edited or lines removed there".into(),
        );
    }
    at(
        &last,
        format!(
            "was edited (line {} was chained to other bytes)",
            broken.number
        ),
    )
}

fn check_seal(outbox: &Path, month: &str, check: &MonthCheck) -> SealCheck {
    let path = seal_path(outbox, month);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return SealCheck::Absent;
    };
    let seal: Seal = match serde_json::from_str(&text) {
        Ok(seal) => seal,
        Err(e) => return SealCheck::Differs(path, format!("the seal cannot be read: {e}")),
    };
    let (hash, seq) = check
        .last
        .as_ref()
        .map_or((ANCHOR, 0), |l| (l.hash.as_str(), l.seq));
    if seal.last_hash == hash && seal.last_seq == seq && seal.lines == check.lines as u64 {
        return SealCheck::Matches(path);
    }
    let reason = if seal.lines > check.lines as u64 || seal.last_seq > seq {
        format!(
            "the seal says the month ended at seq {} after {} lines; the file ends at seq {seq} after {}: lines were removed at the end",
            seal.last_seq, seal.lines, check.lines
        )
    } else if seal.lines < check.lines as u64 {
        format!(
            "the seal says the month ended at seq {} after {} lines; the file has {} lines: lines were added after the seal",
            seal.last_seq, seal.lines, check.lines
        )
    } else {
        format!(
            "the seal's hash of the last line (seq {}) differs from the file's: the last line was edited",
            seal.last_seq
        )
    };
    SealCheck::Differs(path, reason)
}

impl fmt::Display for MonthCheck {
    /// A few lines for a person: the verdict first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.file.file_name().unwrap_or_default().to_string_lossy();
        match (&self.tampered, &self.seal) {
            (Some(t), _) => writeln!(f, "{name}: TAMPERED: {t}")?,
            (None, SealCheck::Differs(path, reason)) => {
                writeln!(f, "{name}: TAMPERED: {reason} ({})", path.display())?
            }
            (None, _) => writeln!(f, "{name}: chain intact, {} lines", self.lines)?,
        }
        match &self.start {
            Start::Previous(p) => writeln!(
                f,
                "  first line follows the last line of {}",
                p.file_name().unwrap_or_default().to_string_lossy()
            )?,
            Start::Branch(p, n) => writeln!(
                f,
                "  first line follows line {n} of {}, not its last: the clock went back to that month later",
                p.file_name().unwrap_or_default().to_string_lossy()
            )?,
            Start::Anchor if self.unchained > 0 => writeln!(
                f,
                "  the first {} lines were written before the chain began (older version)",
                self.unchained
            )?,
            Start::Anchor => writeln!(f, "  first line is the start of the journal")?,
            Start::Unlinked => writeln!(
                f,
                "  first line follows a month not on this kiosk: checked from here on"
            )?,
        }
        for line in &self.cut {
            writeln!(
                f,
                "  line {line}: cut off by a power failure (the journal went on after it)"
            )?;
        }
        if let Some(line) = self.torn_end {
            writeln!(
                f,
                "  line {line}: the last line was cut off by a power failure (not tampering)"
            )?;
        }
        match &self.seal {
            SealCheck::Matches(path) => writeln!(f, "  matches the seal {}", path.display())?,
            SealCheck::Absent if self.tampered.is_none() => writeln!(
                f,
                "  no seal for this month in the outbox: the last line is not anchored"
            )?,
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::journal::{Event, Journal, files_by_month, last_alive, read_file};
    use crate::test_support::HCM;

    fn at(month: u32, minute: i64) -> DateTime<Utc> {
        // 09:00 local on the 10th of the month.
        Utc.with_ymd_and_hms(2026, month, 10, 2, 0, 0).unwrap() + Duration::minutes(minute)
    }

    fn beat(n: usize) -> Event {
        Event::Heartbeat {
            screen: format!("open {n}"),
        }
    }

    /// `lines` heartbeats into November 2026, in a new journal.
    fn november(lines: usize) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        for n in 1..=lines {
            journal.append(at(11, n as i64), &beat(n)).unwrap();
        }
        let file = dir.path().join("2026-11.jsonl");
        (dir, file)
    }

    fn lines_of(file: &Path) -> Vec<String> {
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn write_lines(file: &Path, lines: &[String]) {
        std::fs::write(
            file,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
    }

    fn verify(dir: &Path, month: &str) -> MonthCheck {
        verify_month(dir, month, None).unwrap()
    }

    #[test]
    fn every_line_carries_the_hash_of_the_line_before_across_restarts() {
        let (dir, file) = november(3);
        // A restart: the chain goes on from the last line on disk.
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        journal.append(at(11, 10), &beat(4)).unwrap();
        let lines = lines_of(&file);
        let records = read_file(&file).records;
        assert_eq!(records[0]["prev"], ANCHOR, "the first line ever");
        for i in 1..4 {
            assert_eq!(records[i]["prev"], line_hash(lines[i - 1].as_bytes()));
            assert_eq!(records[i]["seq"], i as u64 + 1);
        }
        let check = verify(dir.path(), "2026-11");
        assert!(check.is_intact(), "{check}");
        assert_eq!((check.lines, check.start), (4, Start::Anchor));
    }

    #[test]
    fn an_edited_line_is_named() {
        let (dir, file) = november(6);
        let mut lines = lines_of(&file);
        lines[2] = lines[2].replace("open 3", "open 9");
        write_lines(&file, &lines);
        let t = verify(dir.path(), "2026-11")
            .tampered
            .expect("tampering found");
        assert_eq!((t.line, t.seq), (3, Some(3)), "{t}");
        assert!(t.what.contains("edited"), "{t}");
    }

    #[test]
    fn a_removed_line_is_named() {
        let (dir, file) = november(6);
        let mut lines = lines_of(&file);
        lines.remove(3);
        write_lines(&file, &lines);
        let t = verify(dir.path(), "2026-11")
            .tampered
            .expect("tampering found");
        assert_eq!((t.line, t.seq), (4, Some(5)), "{t}");
        assert!(
            t.what.contains("removed") && t.what.contains("seq 4"),
            "{t}"
        );
    }

    #[test]
    fn an_inserted_line_is_named_whether_or_not_its_prev_was_forged() {
        for forged in [true, false] {
            let (dir, file) = november(6);
            let mut lines = lines_of(&file);
            let prev = if forged {
                line_hash(lines[2].as_bytes())
            } else {
                "1".repeat(64)
            };
            let fake = format!(
                r#"{{"v":1,"seq":4,"prev":"{prev}","kiosk":"k","time":"2026-11-10T02:03:30.000Z","event":"closed","reason":"x"}}"#
            );
            lines.insert(3, fake);
            write_lines(&file, &lines);
            let t = verify(dir.path(), "2026-11")
                .tampered
                .expect("tampering found");
            assert_eq!(t.line, 4, "forged prev {forged}: {t}");
            assert!(t.what.contains("inserted"), "{t}");
        }
    }

    #[test]
    fn a_last_line_cut_by_a_power_failure_is_torn_not_tampering() {
        let (dir, file) = november(3);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        f.write_all(br#"{"v":1,"seq":4,"prev":"ab"#).unwrap();
        drop(f);
        let check = verify(dir.path(), "2026-11");
        assert!(check.is_intact(), "{check}");
        assert_eq!(check.torn_end, Some(4));
        assert!(check.to_string().contains("cut off by a power failure"));
        // The next run ends the cut line and links to the last whole one.
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        journal.append(at(11, 10), &beat(4)).unwrap();
        let check = verify(dir.path(), "2026-11");
        assert!(check.is_intact(), "{check}");
        assert_eq!(
            (check.cut.clone(), check.torn_end, check.lines),
            (vec![4], None, 4)
        );
    }

    #[test]
    fn the_chain_runs_across_month_files_and_a_seal_anchors_the_month() {
        let (dir, nov) = november(3);
        let outbox = dir.path().join("outbox");
        // The next run, in December, seals November at its first line.
        let mut journal = Journal::open(dir.path(), "k", HCM)
            .unwrap()
            .sealing_into(&outbox);
        journal.append(at(12, 0), &beat(4)).unwrap();
        journal.append(at(12, 1), &beat(5)).unwrap();
        let dec = verify_month(dir.path(), "2026-12", Some(&outbox)).unwrap();
        assert!(dec.is_intact(), "{dec}");
        assert_eq!(dec.start, Start::Previous(nov.clone()));
        let seal: Seal =
            serde_json::from_str(&std::fs::read_to_string(seal_path(&outbox, "2026-11")).unwrap())
                .unwrap();
        assert_eq!((seal.last_seq, seal.lines), (3, 3));
        let check = verify_month(dir.path(), "2026-11", Some(&outbox)).unwrap();
        assert!(matches!(check.seal, SealCheck::Matches(_)), "{check}");

        // November's last line removed: December's first line no longer
        // follows, and November no longer matches its seal.
        let mut lines = lines_of(&nov);
        lines.pop();
        write_lines(&nov, &lines);
        let t = verify(dir.path(), "2026-12")
            .tampered
            .expect("broken at the month's start");
        assert_eq!((t.line, t.seq), (1, Some(4)), "{t}");
        let check = verify_month(dir.path(), "2026-11", Some(&outbox)).unwrap();
        assert!(!check.is_intact(), "{check}");
        assert!(check.to_string().contains("removed at the end"), "{check}");
    }

    #[test]
    fn a_clock_that_jumps_months_while_running_leaves_each_file_chained() {
        let (dir, nov) = november(0);
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        let may = Utc.with_ymd_and_hms(2027, 5, 3, 2, 0, 0).unwrap();
        for (n, time) in [at(11, 1), at(11, 2), may, at(11, 3), at(11, 4)]
            .into_iter()
            .enumerate()
        {
            journal.append(time, &beat(n)).unwrap();
        }
        let check = verify(dir.path(), "2026-11");
        assert!(check.is_intact() && check.lines == 4, "{check}");
        let check = verify(dir.path(), "2027-05");
        assert!(check.is_intact(), "{check}");
        assert_eq!(check.start, Start::Branch(nov, 2));
        let seqs: Vec<_> = read_file(&dir.path().join("2027-05.jsonl")).records;
        assert_eq!(seqs[0]["seq"], 3, "seq goes on in the order written");
    }

    #[test]
    fn a_month_file_dated_after_the_clock_does_not_pin_seq_downtime_or_the_chain() {
        let (dir, nov) = november(3);
        // A clock glitch wrote a line into May 2027.
        let may = Utc.with_ymd_and_hms(2027, 5, 3, 2, 0, 0).unwrap();
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        journal.append(may, &beat(4)).unwrap();
        // The clock is right again, for two runs.
        for run in 0..2 {
            let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
            journal.append(at(11, 20 + run), &beat(5)).unwrap();
        }
        let records = read_file(&nov).records;
        let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
        assert_eq!(seqs, [1, 2, 3, 5, 6, 7, 8], "no number used twice");
        let ahead: Vec<_> = records
            .iter()
            .filter(|r| r["event"] == "journal_ahead")
            .collect();
        assert_eq!(ahead.len(), 2, "journaled at each start");
        assert_eq!(ahead[0]["files"][0], "2027-05.jsonl");
        let check = verify(dir.path(), "2026-11");
        assert!(check.is_intact(), "{check}");
        // Downtime is measured from the last line of the clock's month.
        let alive = last_alive(dir.path(), "2026-11").unwrap();
        assert_eq!(alive.time, at(11, 21));
        assert_eq!(files_by_month(dir.path(), "2026-11").1.len(), 1);
    }
}
