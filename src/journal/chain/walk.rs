//! The walk of one month file along the chain, and the name of what broke it
//! (a line edited, removed or inserted).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::{
    ANCHOR, Link, MonthCheck, SealCheck, Start, Tampering, head, line_hash, link_of, month_of,
};
use crate::journal::month_files;
use crate::journal::read::last_line_where;

/// One complete line as walked.
struct Walked {
    number: usize,
    seq: Option<u64>,
    prev: Option<String>,
    hash: String,
}

/// [`super::verify_month`] without the seal: the chain of `dir/MONTH.jsonl`
/// from the newest earlier month file's last complete line.
pub(super) fn walk_month(dir: &Path, month: &str) -> std::io::Result<MonthCheck> {
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
