//! Reading journal files back, tolerant of a line cut off by a power cut.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::Value;

/// The readable lines of one journal file, and how many were broken.
#[derive(Debug, Default)]
pub struct JournalLines {
    pub records: Vec<Value>,
    /// Lines that did not parse (a write cut off by a power failure).
    pub broken: usize,
}

/// Reads a journal file. A missing file reads as empty; a line that does not
/// parse is counted in `broken`, logged, and skipped.
pub fn read_file(path: &Path) -> JournalLines {
    let mut out = JournalLines::default();
    let Ok(bytes) = std::fs::read(path) else {
        return out;
    };
    for (number, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(value) if value.is_object() => out.records.push(value),
            _ => {
                tracing::warn!(
                    "journal {} line {}: cut off or damaged, skipped",
                    path.display(),
                    number + 1
                );
                out.broken += 1;
            }
        }
    }
    out
}

/// The last line of a file that `parse` accepts, reading only the file's tail
/// (64 KiB, then four times more each time no line is found): a month of
/// journal can be tens of MB. A line cut off by a power failure is passed over.
pub fn last_line_where<T>(
    path: &Path,
    parse: impl Fn(&[u8]) -> Option<T>,
) -> std::io::Result<Option<T>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut window: u64 = 64 * 1024;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.by_ref().take(len - start).read_to_end(&mut tail)?;
        let mut lines: Vec<&[u8]> = tail.split(|b| *b == b'\n').collect();
        if start > 0 {
            // The first piece may be the end of a longer line.
            lines.remove(0);
        }
        if let Some(found) = lines.iter().rev().find_map(|line| parse(line)) {
            return Ok(Some(found));
        }
        if start == 0 {
            return Ok(None);
        }
        window = window.saturating_mul(4);
    }
}
