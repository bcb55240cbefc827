//! Daily opening windows such as `07:00-11:00`: parsing, the `24:00` end, and overlap checks.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ScheduleError;

const DAY_SECONDS: u32 = 86_400;

/// One opening window of a local day: open from `start` (inclusive) to `end` (exclusive).
///
/// A window never crosses midnight. A window that runs to the end of the day
/// (written `24:00`) has `end == NaiveTime::MIN` (00:00): `NaiveTime` has no 24:00,
/// and an exclusive end of 00:00 can only mean the following midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Window {
    /// Whether the window runs to midnight at the end of its day (`…-24:00`).
    pub fn ends_at_midnight(&self) -> bool {
        self.end == NaiveTime::MIN
    }

    /// Whether a local time of day falls inside: start inclusive, end exclusive.
    pub fn contains(&self, time: NaiveTime) -> bool {
        time >= self.start && (self.ends_at_midnight() || time < self.end)
    }

    /// Seconds of the window on the clock face (a DST day may differ; see
    /// [`OperatingSchedule::required_seconds`](super::OperatingSchedule::required_seconds)).
    pub fn clock_seconds(&self) -> i64 {
        i64::from(self.end_second()) - i64::from(self.start_second())
    }

    fn start_second(&self) -> u32 {
        self.start.num_seconds_from_midnight()
    }

    fn end_second(&self) -> u32 {
        if self.ends_at_midnight() {
            DAY_SECONDS
        } else {
            self.end.num_seconds_from_midnight()
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let start = clock_text(self.start_second());
        let end = clock_text(self.end_second());
        write!(f, "{start}-{end}")
    }
}

/// `HH:MM`, or `HH:MM:SS` when the seconds matter; 86 400 s is `24:00`.
fn clock_text(second: u32) -> String {
    let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

impl FromStr for Window {
    /// The problem in words, without the entry name (the caller knows it).
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const SYNTAX: &str = "expected HH:MM-HH:MM on the 24-hour clock, e.g. 07:00-11:00";
        let (start, end) = text
            .split_once(['-', '–'])
            .ok_or_else(|| SYNTAX.to_string())?;
        let start = clock_second(start).ok_or_else(|| SYNTAX.to_string())?;
        let end = clock_second(end).ok_or_else(|| SYNTAX.to_string())?;
        if start == DAY_SECONDS {
            return Err("a window cannot start at 24:00".into());
        }
        if end < start {
            return Err(format!(
                "window ends before it starts; a window across midnight is not supported: split it into {}-24:00 and 00:00-{}",
                clock_text(start),
                clock_text(end)
            ));
        }
        if end == start {
            return Err(format!(
                "window is empty (starts and ends at {})",
                clock_text(start)
            ));
        }
        let time =
            |second: u32| NaiveTime::from_num_seconds_from_midnight_opt(second % DAY_SECONDS, 0);
        match (time(start), time(end)) {
            (Some(start), Some(end)) => Ok(Window { start, end }),
            _ => Err(SYNTAX.into()),
        }
    }
}

/// `H:MM`, `HH:MM` or `HH:MM:SS` to seconds since midnight; `24:00` is 86 400.
fn clock_second(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let number = |part: &str, max_len: usize| -> Option<u32> {
        let digits_only =
            !part.is_empty() && part.len() <= max_len && part.bytes().all(|b| b.is_ascii_digit());
        digits_only.then(|| part.parse().ok()).flatten()
    };
    let (h, m, s) = match parts.as_slice() {
        [h, m] if m.len() == 2 => (number(h, 2)?, number(m, 2)?, 0),
        [h, m, s] if m.len() == 2 && s.len() == 2 => (number(h, 2)?, number(m, 2)?, number(s, 2)?),
        _ => return None,
    };
    let second = h * 3600 + m * 60 + s;
    (m < 60 && s < 60 && second <= DAY_SECONDS).then_some(second)
}

impl Serialize for Window {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses the windows listed under `list` (e.g. `schedule.windows`) and returns them
/// sorted by start; touching windows (`07:00-11:00`, `11:00-14:00`) are fine.
pub(crate) fn parse_windows(list: &str, texts: &[String]) -> Result<Vec<Window>, ScheduleError> {
    let entry = |i: usize| format!("{list}[{i}]");
    let mut parsed = Vec::with_capacity(texts.len());
    for (i, text) in texts.iter().enumerate() {
        let window = text
            .parse::<Window>()
            .map_err(|problem| ScheduleError::BadWindow {
                entry: entry(i),
                text: text.clone(),
                problem,
            })?;
        parsed.push((i, window));
    }
    parsed.sort_by_key(|(_, w)| (w.start_second(), w.end_second()));
    for pair in parsed.windows(2) {
        let [(i, earlier), (j, later)] = pair else {
            continue;
        };
        if earlier.end_second() > later.start_second() {
            let (first, second) = if i < j { (*i, *j) } else { (*j, *i) };
            return Err(ScheduleError::OverlappingWindows {
                entry: entry(first),
                text: texts[first].clone(),
                other_entry: entry(second),
                other_text: texts[second].clone(),
            });
        }
    }
    Ok(parsed.into_iter().map(|(_, w)| w).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn accepted_spellings() {
        let cases = [
            ("07:00-11:00", hm(7, 0), hm(11, 0), "07:00-11:00"),
            ("7:00-11:00", hm(7, 0), hm(11, 0), "07:00-11:00"),
            (" 14:00 - 18:00 ", hm(14, 0), hm(18, 0), "14:00-18:00"),
            ("14:00–18:00", hm(14, 0), hm(18, 0), "14:00-18:00"),
            (
                "07:00:30-11:00:00",
                NaiveTime::from_hms_opt(7, 0, 30).unwrap(),
                hm(11, 0),
                "07:00:30-11:00",
            ),
            ("18:00-24:00", hm(18, 0), NaiveTime::MIN, "18:00-24:00"),
            (
                "00:00-24:00:00",
                NaiveTime::MIN,
                NaiveTime::MIN,
                "00:00-24:00",
            ),
        ];
        for (text, start, end, shown) in cases {
            let w: Window = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((w.start, w.end), (start, end), "{text}");
            assert_eq!(w.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn rejected_spellings_say_why() {
        let cases = [
            ("7am-11am", "expected HH:MM-HH:MM"),
            ("07:00", "expected HH:MM-HH:MM"),
            ("07:60-11:00", "expected HH:MM-HH:MM"),
            ("25:00-26:00", "expected HH:MM-HH:MM"),
            ("24:01-24:30", "expected HH:MM-HH:MM"),
            ("07:0-11:00", "expected HH:MM-HH:MM"),
            ("24:00-24:00", "cannot start at 24:00"),
            ("14:00-13:00", "window ends before it starts"),
            ("22:00-02:00", "split it into 22:00-24:00 and 00:00-02:00"),
            ("07:00-07:00", "window is empty"),
        ];
        for (text, expected) in cases {
            let problem = text.parse::<Window>().unwrap_err();
            assert!(problem.contains(expected), "{text}: {problem}");
        }
    }

    #[test]
    fn start_is_inclusive_end_is_exclusive() {
        let morning: Window = "07:00-11:00".parse().unwrap();
        let before = NaiveTime::from_hms_milli_opt(10, 59, 59, 999).unwrap();
        assert!(!morning.contains(NaiveTime::from_hms_opt(6, 59, 59).unwrap()));
        assert!(morning.contains(hm(7, 0)));
        assert!(morning.contains(before));
        assert!(!morning.contains(hm(11, 0)));
        let evening: Window = "18:00-24:00".parse().unwrap();
        assert!(evening.contains(NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap()));
        assert!(!evening.contains(NaiveTime::MIN));
        assert_eq!(evening.clock_seconds(), 6 * 3600);
    }

    #[test]
    fn lists_are_sorted_and_overlaps_name_both_entries() {
        let texts = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let sorted = parse_windows(
            "schedule.windows",
            &texts(&["14:00-18:00", "07:00-11:00", "11:00-14:00"]),
        )
        .unwrap();
        let shown: Vec<String> = sorted.iter().map(Window::to_string).collect();
        assert_eq!(shown, ["07:00-11:00", "11:00-14:00", "14:00-18:00"]);

        let err =
            parse_windows("schedule.windows", &texts(&["10:00-12:00", "07:00-11:00"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "schedule.windows[0] \"10:00-12:00\" overlaps schedule.windows[1] \"07:00-11:00\""
        );
        let err =
            parse_windows("schedule.windows", &texts(&["07:00-11:00", "14:00-13:00"])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("schedule.windows[1] \"14:00-13:00\": window ends before it starts"),
            "{err}"
        );
    }

    #[test]
    fn serializes_as_its_text() {
        let w: Window = "18:00-24:00".parse().unwrap();
        assert_eq!(serde_json::to_string(&w).unwrap(), "\"18:00-24:00\"");
        assert_eq!(
            serde_json::from_str::<Window>("\"18:00-24:00\"").unwrap(),
            w
        );
    }
}
