//! WebVTT (.vtt): the `WEBVTT` header, cue identifiers and settings, NOTE, STYLE and REGION blocks.

use super::cues::{Dialect, parse};
use super::{CaptionError, Captions};

/// Cues of a WebVTT file: the header, NOTE, STYLE and REGION blocks and cue settings are
/// ignored. A file without the `WEBVTT` line is read all the same.
pub fn parse_vtt(text: &str) -> Result<Captions, CaptionError> {
    parse(text, Dialect::Vtt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::captions::cues::summary;

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
