//! Cue timings: `00:01:02,500 --> 00:01:04,000` (SRT) and `01:02.500 --> 01:04.000 align:start` (WebVTT).

use std::time::Duration;

/// Start and end of a timing line; settings after the end time are ignored. `Err` says what
/// is wrong, quoting the text.
pub(crate) fn timing(line: &str) -> Result<(Duration, Duration), String> {
    let (left, right) = line
        .split_once("-->")
        .ok_or_else(|| format!("no \"-->\" in the timing line {:?}", line.trim()))?;
    let start_text = left.trim();
    let end_text = right.split_whitespace().next().unwrap_or("");
    let start = timestamp(start_text).ok_or_else(|| format!("bad start time {start_text:?}"))?;
    let end = timestamp(end_text).ok_or_else(|| format!("bad end time {end_text:?}"))?;
    Ok((start, end))
}

/// `[H…:]MM:SS[,.]mmm`, tolerating one-digit minutes or seconds, a missing or short fraction
/// ("5" is 500 ms) and the other decimal separator.
pub(crate) fn timestamp(text: &str) -> Option<Duration> {
    let (clock, fraction) = match text.rfind([',', '.']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, "0"),
    };
    let number = |digits: &str, max_len: usize| -> Option<u64> {
        let ok =
            (1..=max_len).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| digits.parse().ok()).flatten()
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m, s] => (number(h, 6)?, number(m, 2)?, number(s, 2)?),
        [m, s] => (0, number(m, 2)?, number(s, 2)?),
        _ => return None,
    };
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    let millis = number(fraction, 3)? * 10u64.pow(3 - fraction.len() as u32);
    Some(Duration::from_millis(
        ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis,
    ))
}

/// `HH:MM:SS.mmm`, for messages.
pub(crate) fn clock(at: Duration) -> String {
    let ms = at.as_millis();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_srt_vtt_and_tolerated_forms() {
        let table: [(&str, Option<u64>); 16] = [
            ("00:00:01,000", Some(1000)),
            ("01:02:03,456", Some(3_723_456)),
            ("01:02:03.456", Some(3_723_456)),
            ("02:03.456", Some(123_456)),
            ("100:00:00.000", Some(360_000_000)),
            ("0:0:1,5", Some(1500)),
            ("00:00:01,05", Some(1050)),
            ("00:00:07", Some(7000)),
            ("00:60:00,000", None),
            ("00:00:60,000", None),
            ("00:00:01,0000", None),
            ("00:0x:01,000", None),
            ("-0:00:01,000", None),
            ("00:00:01,", None),
            ("1,000", None),
            ("", None),
        ];
        for (text, expected) in table {
            assert_eq!(
                timestamp(text),
                expected.map(Duration::from_millis),
                "{text:?}"
            );
        }
    }

    #[test]
    fn timing_lines_ignore_settings_and_say_what_is_wrong() {
        let second = Duration::from_secs;
        assert_eq!(
            timing("00:01.000 --> 00:03.000 align:start line:90%"),
            Ok((second(1), second(3)))
        );
        assert_eq!(
            timing("00:00:01,000-->00:00:03,000"),
            Ok((second(1), second(3)))
        );
        assert_eq!(
            timing("00:00:01,000 --> 00:00:03,000 X1:40 X2:600"),
            Ok((second(1), second(3)))
        );
        assert_eq!(
            timing("00:00:01,000 --> soon"),
            Err("bad end time \"soon\"".into())
        );
        assert_eq!(
            timing("later --> 00:00:03,000"),
            Err("bad start time \"later\"".into())
        );
        assert_eq!(timing("00:00:01,000 --> "), Err("bad end time \"\"".into()));
        assert_eq!(clock(Duration::from_millis(3_723_456)), "01:02:03.456");
    }
}
