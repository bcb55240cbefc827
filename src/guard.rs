//! Limits on YAML read from disk, checked before parsing: a file too large
//! or nested too deep is refused at once, with memory and time bounded
//! (the parser takes tens of seconds on 100,000 nested brackets). Alias bombs
//! ("billion laughs") are refused by the parser itself.

use std::io::Read;
use std::path::Path;

/// The deepest flow nesting (`[`, `{`) a kiosk file may have.
pub const MAX_NESTING: usize = 64;

/// Reads a text file of at most `max_bytes`; larger files are refused
/// without being read.
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut text = String::new();
    let read = file
        .take(max_bytes + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if read as u64 > max_bytes {
        return Err(format!("larger than {max_bytes} bytes: refused unread"));
    }
    Ok(text)
}

/// Refuses YAML whose flow collections nest deeper than [`MAX_NESTING`].
/// Brackets inside quotes and comments are not counted.
pub fn check_nesting(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for line in text.lines() {
        let mut quote = None;
        for ch in line.chars() {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(ch),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(format!("nested deeper than {MAX_NESTING} levels"));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("kiosk_id: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        assert!(check_nesting(&deep).unwrap_err().contains("64"));
        assert!(started.elapsed().as_secs() < 5);
        assert!(check_nesting("a: [1, [2, {b: 3}]]\n").is_ok());
        assert!(check_nesting("a: \"[[[[[[[[\" # [[[[[[\n").is_ok());
    }

    #[test]
    fn large_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, vec![b'#'; 2000]).unwrap();
        assert!(
            read_limited(&path, 1000)
                .unwrap_err()
                .contains("1000 bytes")
        );
        assert_eq!(read_limited(&path, 2000).unwrap().len(), 2000);
    }
}
