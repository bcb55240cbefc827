//! Runs of Khmer and other text in one string, so that each run gets a font that has its letters.

/// Which bundled font a run needs: Noto Sans Khmer, or Noto Sans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Khmer,
    Other,
}

/// The Khmer block and the Khmer symbols block (lunar dates).
pub(crate) fn is_khmer(c: char) -> bool {
    matches!(c, '\u{1780}'..='\u{17ff}' | '\u{19e0}'..='\u{19ff}')
}

/// Characters that both bundled fonts have (`fc-query` on NotoSansKhmer-Regular.ttf: space,
/// `!"'(),-./:;?`, NBSP, « », soft hyphen, ZWSP/ZWNJ/ZWJ, ‐ ‘ ’ “ ” …): they join the run
/// around them. ASCII digits and other symbols are not in Noto Sans Khmer, so they are `Other`
/// even between Khmer words (Khmer digits ០-៩ are Khmer).
fn is_shared(c: char) -> bool {
    matches!(
        c,
        ' ' | '\n'
            | '\t'
            | '!'
            | '"'
            | '\''
            | '('
            | ')'
            | ','
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '?'
            | '\u{a0}'
            | '\u{ab}'
            | '\u{ad}'
            | '\u{bb}'
            | '\u{200b}'
            ..='\u{200d}'
                | '\u{2010}'
                | '\u{2018}'
                | '\u{2019}'
                | '\u{201c}'
                | '\u{201d}'
                | '\u{2026}'
    )
}

fn script_of(c: char) -> Option<Script> {
    if is_khmer(c) {
        Some(Script::Khmer)
    } else if is_shared(c) {
        None
    } else {
        Some(Script::Other)
    }
}

/// `text` cut into runs of one script, in order, covering all of it. Spaces and punctuation
/// stay with the run before them (at the start, with the run after them); text of nothing
/// but those is one `Other` run.
pub fn split_script_runs(text: &str) -> Vec<(Script, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<Script> = None;
    for (at, c) in text.char_indices() {
        let Some(script) = script_of(c) else {
            continue;
        };
        match current {
            Some(running) if running != script => {
                runs.push((running, &text[start..at]));
                start = at;
                current = Some(script);
            }
            Some(_) => {}
            None => current = Some(script),
        }
    }
    if start < text.len() {
        runs.push((current.unwrap_or(Script::Other), &text[start..]));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use Script::{Khmer, Other};

    #[test]
    fn runs_by_script() {
        #[rustfmt::skip]
        let table: &[(&str, &[(Script, &str)])] = &[
            ("", &[]),
            ("Xin chào", &[(Other, "Xin chào")]),
            ("ស្វាគមន៍", &[(Khmer, "ស្វាគមន៍")]),
            ("Chào mừng ស្វាគមន៍ Welcome", &[(Other, "Chào mừng "), (Khmer, "ស្វាគមន៍ "), (Other, "Welcome")]),
            // spaces and shared punctuation never split a run
            ("ខ្មែរ, ខ្មែរ។ ខ្មែរ", &[(Khmer, "ខ្មែរ, ខ្មែរ។ ខ្មែរ")]),
            ("«ខ្មែរ» (Khmer)", &[(Khmer, "«ខ្មែរ» ("), (Other, "Khmer)")]),
            ("  ខ្មែរ", &[(Khmer, "  ខ្មែរ")]),
            // Khmer digits are Khmer; ASCII digits need Noto Sans
            ("ម៉ោង ៦", &[(Khmer, "ម៉ោង ៦")]),
            ("ម៉ោង 6:00", &[(Khmer, "ម៉ោង "), (Other, "6:00")]),
            ("2026 ", &[(Other, "2026 ")]),
            ("... !", &[(Other, "... !")]),
            // the Khmer symbols block (lunar dates)
            ("ថ្ងៃ᧠", &[(Khmer, "ថ្ងៃ᧠")]),
        ];
        for (text, expected) in table {
            let runs = split_script_runs(text);
            assert_eq!(runs, *expected, "{text:?}");
            assert_eq!(runs.iter().map(|(_, run)| *run).collect::<String>(), *text);
        }
    }
}
