//! Text content made ready for the screen: articles (`.md`, `.txt`) parsed
//! into a title and lines, and each line cut into runs by script so that
//! Khmer gets the Khmer font, with invisible break points (U+200B) between
//! Khmer clusters so that a line never breaks inside one.
//!
//! PURE: no Bevy. The renderer turns each [`Run`] into a text span, for
//! text slides, captions and the ticker alike: [`split_script_runs`] says which
//! font each run needs (Noto Sans Khmer or Noto Sans), [`break_opportunities`]
//! where a line may wrap (never inside a Khmer cluster).

mod breaks;
mod script;

use unicode_normalization::UnicodeNormalization;

pub use breaks::break_opportunities;
pub use script::{Script, split_script_runs};

/// Zero-width space: a line may break here; nothing is drawn.
pub const ZWSP: char = '\u{200B}';

/// A text slide's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    /// Paragraphs, each a list of lines (explicit newlines are kept).
    pub paragraphs: Vec<Vec<String>>,
}

/// A piece of a line in one script, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub khmer: bool,
    pub text: String,
}

/// Parses an article. Markdown: the first `# heading` is the title, `#`
/// marks and list bullets are tidied, emphasis marks removed. Plain text:
/// the first line is the title. Blank lines separate paragraphs; single
/// newlines inside a paragraph are kept as line breaks. NFC-normalised.
pub fn parse_article(text: &str, markdown: bool) -> Article {
    let text: String = text.nfc().collect();
    let mut lines = text
        .lines()
        .map(str::trim_end)
        .skip_while(|l| l.trim().is_empty());
    let title = lines.next().map(|l| tidy(l, markdown)).unwrap_or_default();
    let mut paragraphs: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push(tidy(line, markdown));
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    Article { title, paragraphs }
}

fn tidy(line: &str, markdown: bool) -> String {
    let line: String = line
        .chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect();
    let line = line.trim();
    if !markdown {
        return line.to_owned();
    }
    let line = line.trim_start_matches('#').trim_start();
    let line = match line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        Some(item) => format!("• {item}"),
        None => line.to_owned(),
    };
    line.replace("**", "").replace("__", "")
}

/// Cuts a line into runs by script; inside Khmer runs a U+200B goes at
/// every place a line may break (between clusters), since Khmer writes no
/// spaces between words.
pub fn runs(line: &str) -> Vec<Run> {
    split_script_runs(line)
        .into_iter()
        .map(|(script, text)| {
            let khmer = script == Script::Khmer;
            let text = if khmer {
                with_break_points(text)
            } else {
                text.to_owned()
            };
            Run { khmer, text }
        })
        .collect()
}

fn with_break_points(text: &str) -> String {
    let breaks = break_opportunities(text);
    let mut out = String::with_capacity(text.len() + breaks.len() * 3);
    let mut last = 0;
    for at in breaks {
        if at == 0 || at >= text.len() || at <= last {
            continue;
        }
        out.push_str(&text[last..at]);
        let before = text[..at].chars().next_back();
        let after = text[at..].chars().next();
        if before != Some(ZWSP) && after != Some(ZWSP) && !before.is_some_and(char::is_whitespace) {
            out.push(ZWSP);
        }
        last = at;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    #[test]
    fn markdown_article_has_title_paragraphs_and_kept_newlines() {
        let a = parse_article(
            "# Tin tức\n\nDòng một\nDòng hai\n\n- mục **đậm**\n\n\nCuối\n",
            true,
        );
        assert_eq!(a.title, "Tin tức");
        assert_eq!(
            a.paragraphs,
            [
                vec!["Dòng một".to_owned(), "Dòng hai".to_owned()],
                vec!["• mục đậm".to_owned()],
                vec!["Cuối".to_owned()]
            ]
        );
    }

    #[test]
    fn text_is_normalised_to_nfc() {
        // "Việt" typed decomposed: e + combining circumflex + combining dot below.
        let decomposed = "Vie\u{302}\u{323}t\n\nNam";
        let a = parse_article(decomposed, false);
        assert_eq!(a.title, "Việt");
        assert_eq!(a.title.chars().count(), 4);
    }

    #[test]
    fn khmer_inside_vietnamese_gets_its_own_run() {
        let r = runs("Chào ខ្មែរ bạn");
        assert_eq!(r.len(), 3);
        assert!(!r[0].khmer && r[1].khmer && !r[2].khmer);
        assert_eq!(r[1].text.replace(ZWSP, "").trim(), "ខ្មែរ");
    }

    #[test]
    fn break_points_fall_between_khmer_clusters_only() {
        let word = "សូមស្វាគមន៍មកកាន់ទិញបៀន";
        let r = runs(word);
        assert_eq!(r.len(), 1);
        let marked = &r[0].text;
        assert!(marked.contains(ZWSP), "breaks were offered");
        assert_eq!(marked.replace(ZWSP, ""), word, "nothing else changed");
        // Every break point falls on a cluster boundary of the original.
        let boundaries: Vec<usize> = word.grapheme_indices(true).map(|(i, _)| i).collect();
        let mut original = 0;
        for ch in marked.chars() {
            if ch == ZWSP {
                assert!(
                    boundaries.contains(&original),
                    "break at byte {original} inside a cluster"
                );
            } else {
                original += ch.len_utf8();
            }
        }
        // Never after a coeng (U+17D2): the subscript belongs to its cluster.
        for (i, ch) in marked.char_indices() {
            if ch == ZWSP {
                assert_ne!(marked[..i].chars().next_back(), Some('\u{17D2}'));
            }
        }
    }
}
