//! Date exceptions: which days follow their own windows, validated so no day has two.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::window::{Window, parse_windows};
use super::{ExceptionConfig, ScheduleError};

/// The days an exception covers (both ends inclusive; one day has `from == until`)
/// and its note. Shown as `2027-02-16 (Tết)` or `2027-04-28..2027-05-01`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExceptionSpan {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub note: Option<String>,
}

impl ExceptionSpan {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.until
    }

    /// `2027-02-16` or `2027-04-28..2027-05-01`, without the note.
    pub fn dates(&self) -> String {
        if self.from == self.until {
            self.from.to_string()
        } else {
            format!("{}..{}", self.from, self.until)
        }
    }
}

impl fmt::Display for ExceptionSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dates())?;
        match self.note.as_deref().map(str::trim) {
            Some(note) if !note.is_empty() => write!(f, " ({note})"),
            _ => Ok(()),
        }
    }
}

/// A validated exception: its days and the windows that replace the daily ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exception {
    pub(crate) span: ExceptionSpan,
    pub(crate) windows: Vec<Window>,
}

/// Validates `schedule.exceptions` and returns them sorted by first day.
pub(crate) fn parse_exceptions(
    configs: &[ExceptionConfig],
) -> Result<Vec<Exception>, ScheduleError> {
    let entry = |i: usize| format!("schedule.exceptions[{i}]");
    let mut parsed = Vec::with_capacity(configs.len());
    for (i, config) in configs.iter().enumerate() {
        let bad = |problem: &str| ScheduleError::BadException {
            entry: entry(i),
            problem: problem.into(),
        };
        let (from, until) = match (config.date, config.from, config.until) {
            (Some(date), None, None) => (date, date),
            (None, Some(from), Some(until)) if from <= until => (from, until),
            (None, Some(from), Some(until)) => {
                return Err(bad(&format!("from {from} is after until {until}")));
            }
            (None, None, None) => return Err(bad("give either `date`, or `from` and `until`")),
            (None, Some(_), None) => {
                return Err(bad("`from` needs `until` (the last day, inclusive)"));
            }
            (None, None, Some(_)) => return Err(bad("`until` needs `from` (the first day)")),
            (Some(_), _, _) => {
                return Err(bad("give either `date`, or `from` and `until`, not both"));
            }
        };
        let windows = parse_windows(&format!("{}.windows", entry(i)), &config.windows)?;
        let note = config.note.clone();
        parsed.push((
            i,
            Exception {
                span: ExceptionSpan { from, until, note },
                windows,
            },
        ));
    }
    parsed.sort_by_key(|(_, e)| e.span.from);
    for pair in parsed.windows(2) {
        let [(i, earlier), (j, later)] = pair else {
            continue;
        };
        if earlier.span.until >= later.span.from {
            let ((first, a), (second, b)) = if i < j {
                ((i, earlier), (j, later))
            } else {
                ((j, later), (i, earlier))
            };
            return Err(ScheduleError::OverlappingExceptions {
                entry: entry(*first),
                dates: a.span.dates(),
                other_entry: entry(*second),
                other_dates: b.span.dates(),
            });
        }
    }
    Ok(parsed.into_iter().map(|(_, e)| e).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Option<NaiveDate> {
        Some(text.parse().unwrap())
    }

    fn exception(
        date: Option<NaiveDate>,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> ExceptionConfig {
        ExceptionConfig {
            date,
            from,
            until,
            windows: Vec::new(),
            note: None,
        }
    }

    #[test]
    fn dates_must_be_one_day_or_one_forward_range() {
        let cases = [
            (
                exception(None, None, None),
                "schedule.exceptions[0]: give either `date`, or `from` and `until`",
            ),
            (
                exception(day("2027-02-16"), day("2027-02-16"), None),
                "schedule.exceptions[0]: give either `date`, or `from` and `until`, not both",
            ),
            (
                exception(None, day("2027-02-16"), None),
                "schedule.exceptions[0]: `from` needs `until`",
            ),
            (
                exception(None, None, day("2027-02-16")),
                "schedule.exceptions[0]: `until` needs `from`",
            ),
            (
                exception(None, day("2027-02-20"), day("2027-02-10")),
                "schedule.exceptions[0]: from 2027-02-20 is after until 2027-02-10",
            ),
        ];
        for (config, expected) in cases {
            let err = parse_exceptions(&[config]).unwrap_err().to_string();
            assert!(
                err.starts_with(expected),
                "expected {expected:?}, got {err:?}"
            );
        }
    }

    #[test]
    fn overlapping_exceptions_name_both_entries() {
        let configs = [
            exception(None, day("2027-02-14"), day("2027-02-18")),
            exception(day("2027-03-01"), None, None),
            exception(day("2027-02-18"), None, None),
        ];
        let err = parse_exceptions(&configs).unwrap_err().to_string();
        assert_eq!(
            err,
            "schedule.exceptions[0] (2027-02-14..2027-02-18) overlaps schedule.exceptions[2] (2027-02-18): a day can follow only one exception"
        );
    }

    #[test]
    fn a_bad_exception_window_is_named_by_its_path() {
        let mut config = exception(day("2027-02-16"), None, None);
        config.windows = vec!["19:00-22:00".into(), "23:00-01:00".into()];
        let err =
            parse_exceptions(&[exception(day("2027-01-01"), None, None), config]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "schedule.exceptions[1].windows[1] \"23:00-01:00\": window ends before it starts"
            ),
            "{err}"
        );
    }

    #[test]
    fn spans_show_dates_and_note() {
        let mut config = exception(None, day("2027-04-28"), day("2027-05-01"));
        config.note = Some("Reunification Day".into());
        let [parsed] = parse_exceptions(&[config]).unwrap().try_into().unwrap();
        assert_eq!(
            parsed.span.to_string(),
            "2027-04-28..2027-05-01 (Reunification Day)"
        );
        assert!(parsed.span.contains(day("2027-05-01").unwrap()));
        assert!(!parsed.span.contains(day("2027-05-02").unwrap()));
        let tet = ExceptionSpan {
            from: day("2027-02-16").unwrap(),
            until: day("2027-02-16").unwrap(),
            note: Some("Tết".into()),
        };
        assert_eq!(tet.to_string(), "2027-02-16 (Tết)");
    }
}
