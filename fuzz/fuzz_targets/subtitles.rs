//! Text files as the player reads them: captions (`parse_file`, as `.srt`
//! and as `.vtt`, with `read_text`'s BOM and UTF-16 decoding), a ticker file
//! (`parse_ticker`) and an article (`parse_article`, Markdown and plain), and
//! every line they give cut into runs by script as the renderer does.
#![no_main]

use std::time::Duration;

use infokiosk::captions::{Captions, parse_file, parse_ticker, read_text};
use infokiosk::text::{ZWSP, parse_article, runs};
use infokiosk_fuzz::scratch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for name in ["clip.vi.srt", "clip.vi.vtt"] {
        let path = scratch().join(name);
        std::fs::write(&path, data).expect("scratch file written");
        match parse_file(&path) {
            Ok(captions) => check_captions(&captions),
            // Logged with the file name.
            Err(error) => drop(error.to_string()),
        }
    }
    let path = scratch().join("ticker.vi.txt");
    std::fs::write(&path, data).expect("scratch file written");
    let Ok(text) = read_text(&path) else {
        return;
    };
    for headline in parse_ticker(&text) {
        assert!(
            !headline.is_empty() && !headline.starts_with('#'),
            "{headline:?}"
        );
        assert!(!headline.contains(['\n', '\r']), "{headline:?}");
        check_runs(&headline);
    }
    for markdown in [true, false] {
        let article = parse_article(&text, markdown);
        check_runs(&article.title);
        article
            .paragraphs
            .iter()
            .flatten()
            .for_each(|line| check_runs(line));
    }
});

/// Never empty, in start order, each cue shown for a while with some text.
fn check_captions(captions: &Captions) {
    assert!(!captions.cues.is_empty());
    for cue in &captions.cues {
        assert!(cue.start < cue.end, "{cue:?}");
        assert!(!cue.text.is_empty(), "{cue:?}");
        cue.text.lines().for_each(check_runs);
    }
    assert!(captions.cues.is_sorted_by_key(|cue| cue.start));
    let first = &captions.cues[0];
    let shown = captions.at(first.start);
    assert!(
        shown.contains(&first.text.as_str()),
        "{first:?} not shown at its start"
    );
    let _ = captions.at(Duration::MAX);
}

/// Runs cover the line: only break points (U+200B) are added.
fn check_runs(line: &str) {
    let joined: String = runs(line).into_iter().map(|run| run.text).collect();
    assert_eq!(
        joined.replace(ZWSP, ""),
        line.replace(ZWSP, ""),
        "runs of {line:?}"
    );
}
