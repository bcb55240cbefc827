//! Journal lines one at a time: a year of journal never has to fit in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::ops::ControlFlow;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Calls `each` with every readable line of a journal file, in file order, until
/// it answers `Break`, and returns how many lines were broken (cut off by a power
/// failure, damaged); those are skipped with a warning, as `journal::read_file` does.
pub fn stream_lines(
    path: &Path,
    mut each: impl FnMut(Value) -> ControlFlow<()>,
) -> std::io::Result<usize> {
    let reader = BufReader::with_capacity(64 * 1024, File::open(path)?);
    let mut broken = 0;
    for line in parsed_lines(reader) {
        let (number, value) = line?;
        match value.filter(Value::is_object) {
            Some(value) => {
                if each(value).is_break() {
                    break;
                }
            }
            None => {
                tracing::warn!(
                    "journal {} line {number}: cut off or damaged, skipped",
                    path.display()
                );
                broken += 1;
            }
        }
    }
    Ok(broken)
}

/// The lines of a journal read from `reader`, in order, each with its number
/// in the file and parsed as JSON (`None`: it does not parse, cut off by a
/// power failure or damaged); empty lines are passed over. Every reader of a
/// journal (the kiosk's report, the office's `fleet` and its report) splits
/// lines here, so they agree on what a line is.
pub(crate) fn parsed_lines(
    mut reader: impl BufRead,
) -> impl Iterator<Item = io::Result<(usize, Option<Value>)>> {
    let mut buffer = Vec::new();
    let mut number = 0;
    std::iter::from_fn(move || {
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) => return None,
                Ok(_) => number += 1,
                Err(e) => return Some(Err(e)),
            }
            let line = buffer.strip_suffix(b"\n").unwrap_or(&buffer);
            if !line.is_empty() {
                return Some(Ok((number, serde_json::from_slice(line).ok())));
            }
        }
    })
}

/// The UTC instant of a line (`time`), if it has a readable one.
pub(crate) fn time_of(line: &Value) -> Option<DateTime<Utc>> {
    parse_time(line.get("time")?.as_str()?)
}

pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc())
}

/// A string field, or `""`.
pub(crate) fn text<'a>(line: &'a Value, key: &str) -> &'a str {
    line.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_lines_are_counted_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2026-11.jsonl");
        std::fs::write(
            &path,
            "{\"seq\":1,\"time\":\"2026-11-01T00:00:00.000Z\"}\n{\"seq\":2,\"ti\n\n[1]\n{\"seq\":3}",
        )
        .unwrap();
        let mut seqs = Vec::new();
        let broken = stream_lines(&path, |v| {
            seqs.push(v["seq"].as_u64().unwrap());
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(seqs, [1, 3]);
        assert_eq!(broken, 2);
        let first: Value =
            serde_json::from_str(r#"{"time":"2026-11-01T07:00:00.000+07:00"}"#).unwrap();
        assert_eq!(
            time_of(&first).unwrap().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
    }
}
