//! Where a line may wrap: after spaces, after U+200B, and between Khmer clusters (Khmer puts no spaces between words).

use unicode_segmentation::UnicodeSegmentation;

use super::script::is_khmer;

const COENG: char = '\u{17d2}';

/// Grapheme clusters with their byte offsets; a cluster ending in a Khmer coeng takes the
/// consonant after it. unicode-segmentation (Unicode 16+) already keeps "ស្វ" whole; this holds
/// the rule should an older version be resolved.
fn clusters(text: &str) -> Vec<(usize, &str)> {
    let mut out: Vec<(usize, &str)> = Vec::new();
    for (at, cluster) in text.grapheme_indices(true) {
        match out.last_mut() {
            Some((start, previous)) if previous.ends_with(COENG) => {
                *previous = &text[*start..at + cluster.len()];
            }
            _ => out.push((at, cluster)),
        }
    }
    out
}

fn first(cluster: &str) -> char {
    cluster.chars().next().unwrap_or_default()
}

/// A space a line may end at: not the no-break ones.
fn is_breaking_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Khmer signs that close what comes before them: khan ។, bariyoosan ៕, ៖, lek too ៗ, …, riel ៛.
fn closes(c: char) -> bool {
    matches!(c, '\u{17d4}'..='\u{17db}')
}

fn is_khmer_digit(c: char) -> bool {
    matches!(c, '\u{17e0}'..='\u{17e9}')
}

/// Byte offsets where a line may end (the next line starts at the offset): after the last of a
/// run of spaces, after U+200B, and between two Khmer clusters (not before ។ and its kin, not
/// inside a Khmer number). Never inside a grapheme cluster, never 0 or `text.len()`; sorted.
pub fn break_opportunities(text: &str) -> Vec<usize> {
    clusters(text)
        .windows(2)
        .filter(|pair| {
            let (before, after) = (pair[0].1, pair[1].1);
            let last = before.chars().next_back().unwrap_or_default();
            let next = first(after);
            let after_space = is_breaking_space(last) && !is_breaking_space(next);
            let khmer = is_khmer(first(before))
                && is_khmer(next)
                && !closes(next)
                && !(is_khmer_digit(first(before)) && is_khmer_digit(next));
            after_space || last == '\u{200b}' || khmer
        })
        .map(|pair| pair[1].0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text cut at its break opportunities.
    fn pieces(text: &str) -> Vec<&str> {
        let mut cuts = vec![0];
        cuts.extend(break_opportunities(text));
        cuts.push(text.len());
        cuts.windows(2).map(|w| &text[w[0]..w[1]]).collect()
    }

    #[test]
    fn never_after_a_coeng() {
        let welcome = "ស្វាគមន៍";
        assert_eq!(pieces(welcome), ["ស្វា", "គ", "ម", "ន៍"]);
        assert_eq!(break_opportunities(welcome), [12, 15, 18]);
        for text in [welcome, "ស្ត្រី ច្រកព្រំដែនអន្តរជាតិ ខ្មែរ"]
        {
            for at in break_opportunities(text) {
                assert!(
                    !text[..at].ends_with(COENG),
                    "break after a coeng at {at} in {text:?}"
                );
                assert!(text.is_char_boundary(at));
            }
        }
        assert_eq!(pieces("ស្ត្រី"), ["ស្ត្រី"], "two coengs, one cluster");
    }

    #[test]
    fn breaks_in_latin_khmer_and_mixed_text() {
        #[rustfmt::skip]
        let table: &[(&str, &[&str])] = &[
            ("", &[""]),
            ("Xin chào quý khách", &["Xin ", "chào ", "quý ", "khách"]),
            ("a  b ", &["a  ", "b "]),
            ("100\u{a0}km", &["100\u{a0}km"]),
            ("line\nnext", &["line\n", "next"]),
            ("Việt Nam", &["Việt ", "Nam"]),
            ("ខ្មែរ។ ខ្មែរ", &["ខ្មែ", "រ។ ", "ខ្មែ", "រ"]),
            ("ឆ្នាំ២០២៦", &["ឆ្នាំ", "២០២៦"]),
            ("ក\u{200b}ខ", &["ក\u{200b}", "ខ"]),
            ("word\u{200b}word", &["word\u{200b}", "word"]),
            ("Tịnh Biên ទិញបៀន", &["Tịnh ", "Biên ", "ទិ", "ញ", "បៀ", "ន"]),
            ("ABCខ្មែរ", &["ABCខ្មែ", "រ"]),
        ];
        for (text, expected) in table {
            assert_eq!(pieces(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn decomposed_vietnamese_is_never_cut_between_letter_and_mark() {
        let decomposed = "Vie\u{0302}\u{0323}t Nam";
        assert_eq!(pieces(decomposed), ["Vie\u{0302}\u{0323}t ", "Nam"]);
    }
}
