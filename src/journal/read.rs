//! Reading journal files back, tolerant of a line cut off by a power cut.

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
