//! On-screen text from files: captions (SRT, WebVTT) and ticker headlines.
//!
//! PURE: no Bevy, no GStreamer. Everything that reaches the screen is NFC (Vietnamese files often
//! arrive decomposed), without control characters and without caption markup.
//!
//! - [`parse_file`] reads `NAME.LANG.srt|vtt` (UTF-8, or UTF-16 with a BOM); [`Captions::at`] gives
//!   the cue texts to show at a playback position. Malformed cues are skipped and listed with their
//!   line numbers in [`Captions::skipped`]; a file with no valid cue is an error naming the file.
//! - [`parse_ticker`]: one headline per line of `ticker[.LANG].txt`.
//!
//! Which font each run of a line needs and where it may wrap is `crate::text`'s business, for
//! captions, ticker and text slides alike.

mod clean;
mod cues;
mod ticker;
mod timing;

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cues::{parse_srt, parse_vtt};
pub use ticker::parse_ticker;

/// Caption and ticker files larger than this are refused unread: real ones are a few hundred KB.
pub const MAX_TEXT_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// One caption: its text is shown while `start <= position < end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub start: Duration,
    pub end: Duration,
    /// Clean NFC text; `\n` separates the lines of the cue.
    pub text: String,
}

/// A cue that was not used, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedCue {
    /// 1-based line of the cue's timing (or of the stray text) in the file.
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for SkippedCue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The cues of one caption file, by start time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captions {
    /// Never empty; overlapping cues are kept (they are shown stacked).
    pub cues: Vec<Cue>,
    /// Malformed cues that were left out; `skipped.len()` is the count.
    pub skipped: Vec<SkippedCue>,
}

impl Captions {
    /// The texts of the cues showing at `position`, in start order.
    pub fn at(&self, position: Duration) -> Vec<&str> {
        self.cues
            .iter()
            .take_while(|cue| cue.start <= position)
            .filter(|cue| position < cue.end)
            .map(|cue| cue.text.as_str())
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaptionError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: captions must be .srt or .vtt", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{}: larger than {} bytes, not a caption or ticker file", path.display(), MAX_TEXT_FILE_BYTES)]
    TooLarge { path: PathBuf },
    #[error("{}: not UTF-8 (invalid bytes at offset {offset}); save it as UTF-8", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{}no valid cue{}", file_prefix(file.as_deref()), skipped_summary(skipped))]
    NoCues {
        /// `None` when parsing text rather than a file.
        file: Option<PathBuf>,
        skipped: Vec<SkippedCue>,
    },
}

fn file_prefix(file: Option<&Path>) -> String {
    file.map(|f| format!("{}: ", f.display()))
        .unwrap_or_default()
}

fn skipped_summary(skipped: &[SkippedCue]) -> String {
    const SHOWN: usize = 3;
    if skipped.is_empty() {
        return String::new();
    }
    let mut listed: Vec<String> = skipped.iter().take(SHOWN).map(|s| s.to_string()).collect();
    if skipped.len() > SHOWN {
        listed.push(format!("and {} more", skipped.len() - SHOWN));
    }
    format!(" ({} malformed: {})", skipped.len(), listed.join("; "))
}

/// A caption or ticker file as text: UTF-8 (BOM or not), or UTF-16 with its BOM, as Windows
/// editors save "Unicode" files. Anything else is refused rather than shown as mojibake.
pub fn read_text(path: &Path) -> Result<String, CaptionError> {
    read_text_and_bytes(path).map(|(text, _)| text)
}

/// [`read_text`], and the bytes the text was decoded from: what the player
/// archives as shown (`crate::backup::objects`), never a second read.
pub fn read_text_and_bytes(path: &Path) -> Result<(String, Vec<u8>), CaptionError> {
    let read_error = |source| CaptionError::Read {
        path: path.to_owned(),
        source,
    };
    // A symlink inside the folder (the walk checked it) leads to the file; a FIFO or device
    // is refused without blocking.
    let file = crate::guard::open_regular_target(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    let mut bytes = Vec::new();
    if size <= MAX_TEXT_FILE_BYTES {
        file.take(MAX_TEXT_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
    }
    if size > MAX_TEXT_FILE_BYTES || bytes.len() as u64 > MAX_TEXT_FILE_BYTES {
        return Err(CaptionError::TooLarge {
            path: path.to_owned(),
        });
    }
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    };
    let decoded = match bytes.as_slice() {
        [0xff, 0xfe, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xfe, 0xff, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => {
            return match std::str::from_utf8(&bytes) {
                Ok(text) => Ok((text.to_owned(), bytes)),
                Err(e) => Err(CaptionError::NotUtf8 {
                    path: path.to_owned(),
                    offset: e.valid_up_to(),
                }),
            };
        }
    };
    match decoded {
        Some(text) => Ok((text, bytes)),
        None => Err(CaptionError::NotUtf8 {
            path: path.to_owned(),
            offset: 0,
        }),
    }
}

/// Reads and parses a caption file, choosing the format by its extension (`.srt`, `.vtt`).
pub fn parse_file(path: &Path) -> Result<Captions, CaptionError> {
    parse_file_and_bytes(path).map(|(captions, _)| captions)
}

/// [`parse_file`], and the bytes the captions were parsed from.
pub fn parse_file_and_bytes(path: &Path) -> Result<(Captions, Vec<u8>), CaptionError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parse = match extension.as_deref() {
        Some("srt") => parse_srt,
        Some("vtt") => parse_vtt,
        _ => {
            return Err(CaptionError::UnknownFormat {
                path: path.to_owned(),
            });
        }
    };
    let (text, bytes) = read_text_and_bytes(path)?;
    let captions = parse(&text).map_err(|error| match error {
        CaptionError::NoCues { skipped, .. } => CaptionError::NoCues {
            file: Some(path.to_owned()),
            skipped,
        },
        other => other,
    })?;
    Ok((captions, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const SRT: &str =
        "1\n00:00:01,000 --> 00:00:04,000\nខ្មែរ\n\n2\n00:00:03,000 --> 00:00:05,000\nEnglish\n";

    #[test]
    fn at_gives_the_cues_showing_at_a_position() {
        let captions = parse_srt(SRT).unwrap();
        let at = |ms| captions.at(Duration::from_millis(ms));
        let table: [(u64, &[&str]); 6] = [
            (0, &[]),
            (1000, &["ខ្មែរ"]),
            (2999, &["ខ្មែរ"]),
            (3000, &["ខ្មែរ", "English"]),
            (4000, &["English"]),
            (5000, &[]),
        ];
        for (ms, expected) in table {
            assert_eq!(at(ms), expected, "at {ms} ms");
        }
    }

    #[test]
    fn files_by_extension_and_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            fs::write(&path, bytes).unwrap();
            path
        };
        let srt = put("clip.km.SRT", SRT.as_bytes());
        assert_eq!(parse_file(&srt).unwrap().cues.len(), 2);
        let vtt = put("clip.en.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n");
        assert_eq!(
            parse_file(&vtt).unwrap().at(Duration::from_millis(1500)),
            ["Hello"]
        );
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(SRT.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            parse_file(&put("le.srt", &utf16)).unwrap(),
            parse_srt(SRT).unwrap()
        );

        let latin1 = put(
            "old.vi.srt",
            b"1\n00:00:01,000 --> 00:00:02,000\nTi\xeang Vi\xe9t\n",
        );
        let error = parse_file(&latin1).unwrap_err();
        assert!(
            matches!(error, CaptionError::NotUtf8 { offset: 34, .. }),
            "{error}"
        );
        let error = parse_file(&put("clip.vi.ass", b"[Script Info]")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: captions must be .srt or .vtt",
                dir.path().join("clip.vi.ass").display()
            )
        );
        let error = parse_file(&dir.path().join("gone.srt")).unwrap_err();
        assert!(error.to_string().starts_with("cannot read "), "{error}");
        let big = put("big.srt", &vec![b'\n'; MAX_TEXT_FILE_BYTES as usize + 1]);
        assert!(matches!(
            parse_file(&big),
            Err(CaptionError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_file_without_a_valid_cue_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.km.srt");
        let text = "1\nsoon --> later\nx\n\n2\n00:00:02,000 --> 00:00:01,000\ny\n\nz\n\nw\n\n00:00:0 --> 1\nv\n";
        fs::write(&path, text).unwrap();
        let error = parse_file(&path).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: no valid cue (5 malformed: line 2: bad start time \"soon\"; \
                 line 6: ends at 00:00:01.000 but starts at 00:00:02.000; \
                 line 9: text without a timing line (\"00:00:01,000 --> 00:00:03,000\"); and 2 more)",
                path.display()
            )
        );
    }
}
