//! Caption cues: the reader SRT and WebVTT share (blocks, numbers and identifiers, timings,
//! payloads; a malformed cue is skipped with its line number) and the two dialects.
//!
//! - SubRip (.srt): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, as subtitle tools and editors write them.
//! - WebVTT (.vtt): the `WEBVTT` header, cue identifiers and settings, NOTE, STYLE and REGION blocks.

use std::time::Duration;

use super::clean::cue_text;
use super::timing::{clock, timing};
use super::{CaptionError, Captions, Cue, SkippedCue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Srt,
    Vtt,
}

/// Cues of a SubRip file. Tolerant: a cue without its number, or not separated from the
/// previous one by a blank line, still counts; one with a bad timing is skipped and listed.
pub fn parse_srt(text: &str) -> Result<Captions, CaptionError> {
    parse(text, Dialect::Srt)
}

/// Cues of a WebVTT file: the header, NOTE, STYLE and REGION blocks and cue settings are
/// ignored. A file without the `WEBVTT` line is read all the same.
pub fn parse_vtt(text: &str) -> Result<Captions, CaptionError> {
    parse(text, Dialect::Vtt)
}

fn is_timing(line: &str) -> bool {
    line.contains("-->")
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Line `at` is a cue number (SRT) or identifier (VTT): the line after it is a timing.
fn is_cue_label(lines: &[&str], at: usize, dialect: Dialect) -> bool {
    let line = lines[at].trim();
    let label = match dialect {
        Dialect::Srt => !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()),
        Dialect::Vtt => !line.is_empty() && !is_timing(line),
    };
    label && lines.get(at + 1).is_some_and(|next| is_timing(next))
}

/// A block that is not a cue: NOTE, STYLE or REGION (unless it is a cue identifier).
fn is_vtt_aside(lines: &[&str], at: usize) -> bool {
    let line = lines[at].trim();
    let word = line.split([' ', '\t']).next().unwrap_or("");
    matches!(word, "NOTE" | "STYLE" | "REGION") && !is_cue_label(lines, at, Dialect::Vtt)
}

/// The first line after the block starting at `at`: the next blank line.
fn block_end(lines: &[&str], at: usize) -> usize {
    (at..lines.len())
        .find(|&i| is_blank(lines[i]))
        .unwrap_or(lines.len())
}

/// The cues of `text`, sorted by start; an error when there is none.
pub(super) fn parse(text: &str, dialect: Dialect) -> Result<Captions, CaptionError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let mut cues = Vec::new();
    let mut skipped = Vec::new();
    let mut i = 0;
    if dialect == Dialect::Vtt && lines[0].trim_start().starts_with("WEBVTT") {
        // Header lines (Kind:, Language:) up to the first blank line or cue.
        i = (1..lines.len())
            .find(|&at| {
                is_blank(lines[at]) || is_timing(lines[at]) || is_cue_label(&lines, at, dialect)
            })
            .unwrap_or(lines.len());
    }
    while i < lines.len() {
        if is_blank(lines[i]) {
            i += 1;
            continue;
        }
        if dialect == Dialect::Vtt && is_vtt_aside(&lines, i) {
            i = block_end(&lines, i);
            continue;
        }
        let timing_at = if is_timing(lines[i]) {
            i
        } else if is_cue_label(&lines, i, dialect) {
            i + 1
        } else {
            skipped.push(SkippedCue {
                line: i + 1,
                reason: "text without a timing line (\"00:00:01,000 --> 00:00:03,000\")".into(),
            });
            i = block_end(&lines, i);
            continue;
        };
        // The payload runs to a blank line or to the next cue, whichever comes first.
        let mut end = timing_at + 1;
        while end < lines.len()
            && !is_blank(lines[end])
            && !is_timing(lines[end])
            && !is_cue_label(&lines, end, dialect)
        {
            end += 1;
        }
        i = end;
        match cue(lines[timing_at], &lines[timing_at + 1..end]) {
            Ok(cue) => cues.push(cue),
            Err(reason) => skipped.push(SkippedCue {
                line: timing_at + 1,
                reason,
            }),
        }
    }
    if cues.is_empty() {
        return Err(CaptionError::NoCues {
            file: None,
            skipped,
        });
    }
    // Stable: cues starting together keep their file order (stacked in that order).
    cues.sort_by_key(|cue: &Cue| cue.start);
    Ok(Captions { cues, skipped })
}

fn cue(timing_line: &str, payload: &[&str]) -> Result<Cue, String> {
    let (start, end): (Duration, Duration) = timing(timing_line)?;
    if end <= start {
        return Err(format!(
            "ends at {} but starts at {}",
            clock(end),
            clock(start)
        ));
    }
    let text = cue_text(payload);
    if text.is_empty() {
        return Err("no text".into());
    }
    Ok(Cue { start, end, text })
}

/// (start ms, end ms, text) of each cue, for the tables in the tests.
#[cfg(test)]
pub(super) fn summary(captions: &Captions) -> Vec<(u64, u64, &str)> {
    let ms = |d: Duration| d.as_millis() as u64;
    captions
        .cues
        .iter()
        .map(|c| (ms(c.start), ms(c.end), c.text.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_sorted_and_control_characters_removed() {
        let text = "2\n00:00:05,000 --> 00:00:06,000\nsecond\u{1b}[0m\n\n1\n00:00:01,000 --> 00:00:02,000\nfi\u{0}rst\n";
        let captions = parse(text, Dialect::Srt).unwrap();
        assert_eq!(
            summary(&captions),
            [(1000, 2000, "first"), (5000, 6000, "second[0m")]
        );
    }

    #[test]
    fn no_valid_cue_is_an_error_listing_what_was_skipped() {
        let table: [(&str, &[usize]); 4] = [
            ("", &[]),
            ("\u{feff}\r\n", &[]),
            ("just words\n", &[1]),
            ("1\n00:00:05,000 --> 00:00:01,000\nbackwards\n", &[2]),
        ];
        for (text, expected) in table {
            let Err(CaptionError::NoCues {
                file: None,
                skipped,
            }) = parse(text, Dialect::Srt)
            else {
                panic!("{text:?} parsed");
            };
            assert_eq!(
                skipped.iter().map(|s| s.line).collect::<Vec<_>>(),
                expected,
                "{text:?}"
            );
        }
        let error = parse("WEBVTT\n\nNOTE only a note\n", Dialect::Vtt).unwrap_err();
        assert_eq!(error.to_string(), "no valid cue");
    }

    #[test]
    fn a_clean_srt_with_bom_and_crlf() {
        let text = "\u{feff}1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>Xin chào</i>\r\nquý khách\r\n\r\n2\r\n00:00:04,000 --> 00:00:06,000\r\nWelcome\r\n";
        let captions = parse_srt(text).unwrap();
        assert_eq!(
            summary(&captions),
            [(1000, 3500, "Xin chào\nquý khách"), (4000, 6000, "Welcome")]
        );
        assert!(captions.skipped.is_empty());
    }

    #[test]
    fn a_malformed_srt_keeps_its_good_cues_and_lists_the_bad_ones() {
        let text = "\
1
00:00:01,000 --> 00:00:02,000
good one

2
00:00:0x,000 --> 00:00:04,000
bad start time

00:00:05,000 --> 00:00:07,000
no number, no problem
4
00:00:06,000 --> 00:00:08,000
no blank line before, overlaps the one before

5
00:00:09,000 --> 00:00:08,000
ends before it starts

6
00:00:10,000 --> 00:00:11,000

stray text without timing

7
00:00:12,000 -> 00:00:13,000
arrow too short

8
00:00:14.5 --> 00:00:15,25
dot and short fractions
";
        let captions = parse_srt(text).unwrap();
        assert_eq!(
            summary(&captions),
            [
                (1000, 2000, "good one"),
                (5000, 7000, "no number, no problem"),
                (6000, 8000, "no blank line before, overlaps the one before"),
                (14500, 15250, "dot and short fractions"),
            ]
        );
        // bad time, end before start, empty cue, stray text, the bad arrow's block
        assert_eq!(
            captions.skipped.iter().map(|s| s.line).collect::<Vec<_>>(),
            [6, 16, 20, 22, 24]
        );
        assert!(
            captions.skipped[0].reason.contains("00:00:0x,000"),
            "{:?}",
            captions.skipped[0]
        );
        assert!(
            captions.skipped[1].reason.contains("ends at 00:00:08.000"),
            "{:?}",
            captions.skipped[1]
        );
        assert_eq!(
            captions.at(Duration::from_millis(6500)),
            [
                "no number, no problem",
                "no blank line before, overlaps the one before"
            ]
        );
    }

    #[test]
    fn decomposed_vietnamese_becomes_nfc() {
        let decomposed = "Chu\u{301}c mu\u{31b}\u{300}ng na\u{306}m mo\u{31b}\u{301}i";
        let captions =
            parse_srt(&format!("1\n00:00:01,000 --> 00:00:02,000\n{decomposed}\n")).unwrap();
        assert_eq!(
            captions.cues[0].text,
            "Ch\u{fa}c m\u{1eeb}ng n\u{103}m m\u{1edb}i"
        );
        assert_eq!(captions.cues[0].text, "Chúc mừng năm mới");
    }

    #[test]
    fn a_vtt_with_header_notes_styles_regions_settings_and_identifiers() {
        let text = "\
WEBVTT - Tin tức
Kind: captions
Language: km

STYLE
::cue { color: yellow }

REGION
id:bottom width:80%

NOTE This is a comment
over two lines

intro
00:01.000 --> 00:03.000 align:start position:10% line:90%
<v Chị Lan><c.yellow>សូមស្វាគមន៍</c></v>

NOTE
00:00:04.000 --> 00:00:05.000
a cue called NOTE is a cue

01:00:00.000 --> 01:00:02.000
&lt;late&gt; &amp; long
";
        let captions = parse_vtt(text).unwrap();
        assert_eq!(
            summary(&captions),
            [
                (1000, 3000, "សូមស្វាគមន៍"),
                (4000, 5000, "a cue called NOTE is a cue"),
                (3_600_000, 3_602_000, "<late> & long"),
            ]
        );
        assert!(captions.skipped.is_empty(), "{:?}", captions.skipped);
    }

    #[test]
    fn a_vtt_cue_right_after_the_header_and_one_without_header() {
        let captions = parse_vtt("WEBVTT\n00:01.000 --> 00:02.000\nhi\n").unwrap();
        assert_eq!(summary(&captions), [(1000, 2000, "hi")]);
        let captions = parse_vtt("00:01.000 --> 00:02.000\nno header\n").unwrap();
        assert_eq!(summary(&captions), [(1000, 2000, "no header")]);
    }
}
