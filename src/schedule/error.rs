//! Errors of the schedule configuration and of `control.yaml`, each naming the offending entry.

use thiserror::Error;

/// What is wrong with a `schedule:` section or a `control.yaml`, in words a kiosk
/// operator can act on: every message starts with the entry at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    #[error("schedule.timezone \"{name}\": not an IANA time zone name (e.g. Asia/Ho_Chi_Minh)")]
    UnknownTimezone { name: String },

    /// A window that does not parse, runs backwards, is empty or crosses midnight.
    #[error("{entry} \"{text}\": {problem}")]
    BadWindow {
        /// e.g. `schedule.windows[1]` or `schedule.exceptions[0].windows[0]`
        entry: String,
        text: String,
        problem: String,
    },

    #[error("{entry} \"{text}\" overlaps {other_entry} \"{other_text}\"")]
    OverlappingWindows {
        entry: String,
        text: String,
        other_entry: String,
        other_text: String,
    },

    /// An exception whose dates are missing, doubled or backwards.
    #[error("{entry}: {problem}")]
    BadException { entry: String, problem: String },

    #[error(
        "{entry} ({dates}) overlaps {other_entry} ({other_dates}): a day can follow only one exception"
    )]
    OverlappingExceptions {
        entry: String,
        dates: String,
        other_entry: String,
        other_dates: String,
    },

    /// `control.yaml` is not valid YAML or not a valid control file.
    #[error("control.yaml{}: {message}", location(*.line, *.column))]
    ControlSyntax {
        /// 1-based, when the YAML parser knows it
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },

    /// The `until` of `control.yaml` is unreadable, nonexistent or not in the future.
    #[error("control.yaml{}: until \"{text}\": {problem}", location(*.line, None))]
    ControlUntil {
        line: Option<usize>,
        text: String,
        problem: String,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" line {line} column {column}"),
        (Some(line), None) => format!(" line {line}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_syntax_message_carries_the_location_when_known() {
        let at = ScheduleError::ControlSyntax {
            line: Some(3),
            column: Some(1),
            message: "unknown field `untill`".into(),
        };
        assert_eq!(
            at.to_string(),
            "control.yaml line 3 column 1: unknown field `untill`"
        );
        let nowhere = ScheduleError::ControlSyntax {
            line: None,
            column: None,
            message: "the file is empty".into(),
        };
        assert_eq!(nowhere.to_string(), "control.yaml: the file is empty");
    }
}
