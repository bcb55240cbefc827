//! Caption and ticker text as it goes on screen: markup, entities and control characters out, NFC in.

use unicode_normalization::{UnicodeNormalization, is_nfc};

/// Canonical composition: "a" + U+0323 + U+0302 becomes "ậ", as the fonts and layout expect.
pub(crate) fn nfc(text: &str) -> String {
    if is_nfc(text) {
        text.to_owned()
    } else {
        text.nfc().collect()
    }
}

/// Control characters (C0, DEL, C1) and stray byte-order marks removed; a tab becomes a space.
pub(crate) fn without_controls(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\u{feff}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// One line of cue text with tags (`<i>`, `</b>`, `<c.yellow>`, `<v Nam>`, `<00:00:01.000>`,
/// `<font color=…>`) and SSA overrides (`{\an8}`) removed and entities decoded. Decoded
/// characters are not read again, so "&lt;i&gt;" stays visible as "<i>".
fn without_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    // Once a tag or override is left open, none after it closes either: looking again for
    // every later '<' would be quadratic on a hostile line.
    let (mut open_tag, mut open_override) = (false, false);
    while let Some(at) = rest.find(['<', '{', '&']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let skip = match tail.as_bytes()[0] {
            b'<' if !open_tag && starts_tag(tail) => {
                let end = tail.find('>').map(|end| end + 1);
                open_tag = end.is_none();
                end
            }
            b'{' if !open_override && tail.starts_with("{\\") => {
                let end = tail.find('}').map(|end| end + 1);
                open_override = end.is_none();
                end
            }
            b'&' => entity(tail).map(|(decoded, len)| {
                out.extend(decoded);
                len
            }),
            _ => None,
        };
        let skip = skip.unwrap_or_else(|| {
            out.push(tail.as_bytes()[0] as char);
            1
        });
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// A tag starts "<b", "</", "<00:…"; a '<' before anything else is just a character ("a < b").
fn starts_tag(tail: &str) -> bool {
    tail[1..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/')
}

/// The character an entity stands for (none for an invisible one) and the entity's length.
fn entity(tail: &str) -> Option<(Option<char>, usize)> {
    let (end, _) = tail.char_indices().take(12).find(|&(_, c)| c == ';')?;
    let name = &tail[1..end];
    let decoded = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        "lrm" => Some('\u{200e}'),
        "rlm" => Some('\u{200f}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            Some(char::from_u32(code)?)
        }
    };
    Some((decoded, end + 1))
}

/// The text of a cue from its payload lines: cleaned, trimmed, NFC, empty lines dropped,
/// line breaks kept (the renderer shows them).
pub(crate) fn cue_text(lines: &[&str]) -> String {
    let cleaned: Vec<String> = lines
        .iter()
        .map(|line| without_controls(&without_markup(line)).trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    nfc(&cleaned.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_removed_and_entities_decoded() {
        let table = [
            ("<i>Xin chào</i>", "Xin chào"),
            ("<b>Bold</b> and <u>under</u>", "Bold and under"),
            ("<c.yellow.bg_blue>Coloured</c>", "Coloured"),
            ("<v Nam>Đi thẳng</v>", "Đi thẳng"),
            ("Karaoke <00:00:01.500>timed", "Karaoke timed"),
            ("<font color=\"#ffff00\">Vàng</font>", "Vàng"),
            ("{\\an8}On top", "On top"),
            ("{not an override}", "{not an override}"),
            ("a < b > c", "a < b > c"),
            ("&lt;i&gt; stays", "<i> stays"),
            (
                "Fish &amp; chips&nbsp;&#8364;&#x20AC;",
                "Fish & chips\u{a0}€€",
            ),
            ("&bogus; &", "&bogus; &"),
            ("<unclosed", "<unclosed"),
        ];
        for (input, expected) in table {
            assert_eq!(without_markup(input), expected, "{input:?}");
        }
    }

    #[test]
    fn a_hostile_line_is_read_in_linear_time() {
        let line = "<a{\\".repeat(200_000);
        let started = std::time::Instant::now();
        assert_eq!(without_markup(&line), line);
        assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    }

    #[test]
    fn controls_go_tabs_become_spaces() {
        assert_eq!(
            without_controls("a\u{0}b\u{7}c\td\u{1b}[31m\u{7f}\u{85}e\u{feff}"),
            "abc d[31me"
        );
        // Format characters the text needs stay: zero-width space, joiners.
        assert_eq!(
            without_controls("ក\u{200b}ខ\u{200c}\u{200d}"),
            "ក\u{200b}ខ\u{200c}\u{200d}"
        );
    }

    #[test]
    fn cue_text_is_trimmed_nfc_with_line_breaks_kept() {
        let decomposed = "Vie\u{0302}\u{0323}t Nam";
        assert_eq!(
            cue_text(&["  <i>Xin cha\u{300}o</i> ", "", decomposed, "<b></b>"]),
            "Xin chào\nViệt Nam"
        );
        assert!(is_nfc(&cue_text(&[decomposed])));
        assert_eq!(
            cue_text(&["&#1;&#x1b;"]),
            "",
            "an entity cannot smuggle a control character in"
        );
    }
}
