//! What the screens should show at an instant (open or closed), and why, in a sentence.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::local::minute_text;
use super::{ExceptionSpan, OverrideSource, Power, Window};

/// Whether the schedule (with any override) has the kiosk open, content shown,
/// or closed, the screen black and powered off. The player's `ScreenState`
/// follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatingState {
    Open,
    Closed,
}

impl OperatingState {
    pub fn is_open(self) -> bool {
        self == OperatingState::Open
    }

    /// The state a change leads to: there are only two.
    pub fn opposite(self) -> OperatingState {
        match self {
            OperatingState::Open => OperatingState::Closed,
            OperatingState::Closed => OperatingState::Open,
        }
    }
}

impl fmt::Display for OperatingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OperatingState::Open => "open",
            OperatingState::Closed => "closed",
        })
    }
}

/// The answer of [`OperatingSchedule::state_at`](super::OperatingSchedule::state_at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub state: OperatingState,
    pub reason: Reason,
    /// When `state` next flips, if within the search horizon; `None` also while an
    /// override without an end holds.
    pub next_change: Option<DateTime<Utc>>,
}

impl Status {
    /// The state after `next_change`.
    pub fn next_state(&self) -> Option<OperatingState> {
        self.next_change.map(|_| self.state.opposite())
    }
}

/// Why the screens are open or closed. `Display` gives the sentence for status
/// lines and the journal, e.g. `inside window 07:00-11:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Inside a daily window. As in [`Window`], `end == 00:00` means 24:00.
    Window { start: NaiveTime, end: NaiveTime },
    /// A normal day, between or outside its windows.
    OutsideWindows,
    /// The day follows an exception: open inside `window`, else closed.
    Exception {
        span: ExceptionSpan,
        window: Option<Window>,
    },
    /// An active override decides, whatever the schedule says.
    Override {
        action: Power,
        by: String,
        reason: String,
        /// On the schedule's wall clock; `None` until cleared.
        until: Option<DateTime<FixedOffset>>,
        source: OverrideSource,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Window { start, end } => write!(
                f,
                "inside window {}",
                Window {
                    start: *start,
                    end: *end
                }
            ),
            Reason::OutsideWindows => f.write_str("outside operating hours"),
            Reason::Exception {
                span,
                window: Some(window),
            } => {
                write!(f, "exception {span}: inside window {window}")
            }
            Reason::Exception { span, window: None } => write!(f, "exception {span}: closed"),
            Reason::Override {
                action,
                by,
                reason,
                until,
                ..
            } => {
                write!(f, "override {action}")?;
                if !by.trim().is_empty() {
                    write!(f, " by {}", by.trim())?;
                }
                match until {
                    Some(until) => write!(f, " until {}", minute_text(*until))?,
                    None => f.write_str(" until cleared")?,
                }
                if !reason.trim().is_empty() {
                    write!(f, ": {}", reason.trim())?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn reasons_read_as_sentences() {
        let tet = ExceptionSpan {
            from: "2027-02-16".parse().unwrap(),
            until: "2027-02-16".parse().unwrap(),
            note: Some("Tết".into()),
        };
        let drill = |by: &str, reason: &str, until| Reason::Override {
            action: Power::Off,
            by: by.into(),
            reason: reason.into(),
            until,
            source: OverrideSource::ControlFile,
        };
        let until = DateTime::parse_from_rfc3339("2026-12-01T07:00:00+07:00").unwrap();
        let cases = [
            (
                Reason::Window {
                    start: hm(7, 0),
                    end: hm(11, 0),
                },
                "inside window 07:00-11:00",
            ),
            (
                Reason::Window {
                    start: hm(18, 0),
                    end: NaiveTime::MIN,
                },
                "inside window 18:00-24:00",
            ),
            (Reason::OutsideWindows, "outside operating hours"),
            (
                Reason::Exception {
                    span: tet.clone(),
                    window: None,
                },
                "exception 2027-02-16 (Tết): closed",
            ),
            (
                Reason::Exception {
                    span: tet,
                    window: Some("19:00-22:00".parse().unwrap()),
                },
                "exception 2027-02-16 (Tết): inside window 19:00-22:00",
            ),
            (
                drill("Border Guard", "drill", Some(until)),
                "override off by Border Guard until 2026-12-01 07:00 (+07): drill",
            ),
            (drill("", "", None), "override off until cleared"),
        ];
        for (reason, expected) in cases {
            assert_eq!(reason.to_string(), expected);
        }
    }

    #[test]
    fn screens_serialize_lowercase_and_flip() {
        assert_eq!(
            serde_json::to_string(&OperatingState::Open).unwrap(),
            "\"open\""
        );
        assert_eq!(
            serde_json::to_string(&OperatingState::Closed).unwrap(),
            "\"closed\""
        );
        assert_eq!(OperatingState::Open.opposite(), OperatingState::Closed);
        let status = Status {
            state: OperatingState::Closed,
            reason: Reason::OutsideWindows,
            next_change: None,
        };
        assert_eq!(status.next_state(), None);
    }
}
