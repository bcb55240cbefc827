//! The news ticker file: one headline per line, `#` starts a comment line.

use super::clean::{nfc, without_controls};

/// The headlines of `ticker[.LANG].txt`, in file order: each non-empty line trimmed, without
/// control characters, NFC. Lines starting with `#` are the office's notes, not headlines.
pub fn parse_ticker(text: &str) -> Vec<String> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        // '\r' alone ends a line too (old Mac editors); "\r\n" leaves an empty line, dropped.
        .split(['\n', '\r'])
        .map(|line| without_controls(line).trim().to_owned())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| nfc(&line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_one_per_line() {
        let text = "\u{feff}# Tin nóng tuần 45 (comment)\r\n\
                    Cửa khẩu mở cửa từ 6 giờ\r\n\
                    \r\n\
                    \t  Border gate opens at 06:00  \r\n\
                    ច្រកព្រំដែនបើកពីម៉ោង ៦\r\
                    Thu\u{301} tu\u{323}c nhanh\u{7}\n\
                    \u{20}   # indented comment\n\
                    Số #1 không phải chú thích\n";
        assert_eq!(
            parse_ticker(text),
            [
                "Cửa khẩu mở cửa từ 6 giờ",
                "Border gate opens at 06:00",
                "ច្រកព្រំដែនបើកពីម៉ោង ៦",
                "Thú tục nhanh",
                "Số #1 không phải chú thích",
            ]
        );
        assert!(parse_ticker("").is_empty());
        assert!(parse_ticker("\n# only notes\n   \n").is_empty());
    }
}
