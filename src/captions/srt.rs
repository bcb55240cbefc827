//! SubRip (.srt): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, as subtitle tools and editors write them.

use super::cues::{Dialect, parse};
use super::{CaptionError, Captions};

/// Cues of a SubRip file. Tolerant: a cue without its number, or not separated from the
/// previous one by a blank line, still counts; one with a bad timing is skipped and listed.
pub fn parse_srt(text: &str) -> Result<Captions, CaptionError> {
    parse(text, Dialect::Srt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::captions::cues::summary;
    use std::time::Duration;

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
}
