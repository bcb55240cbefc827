//! `control.yaml` in the synced folder: the remote form of the emergency override, read and checked.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::local::{local, minute_text};
use super::{Override, OverrideSource, Power, ScheduleError};

/// What a valid `control.yaml` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlCommand {
    /// `override: off` or `override: on`.
    Set(Override),
    /// `override: clear`: back to the schedule.
    Clear { reason: String, by: String },
}

/// `control.yaml` as written. `reason` and `by` are optional so that an emergency
/// switch-off never fails on a missing signature; `until` is ignored by `clear`.
/// `override` and `until` are read as text and checked afterwards, because the YAML
/// parser would place errors raised inside it at the top of the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlFile {
    #[serde(rename = "override")]
    action: String,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    by: Option<String>,
}

/// `off` / `on` / `clear` (any case); `clear` is `None`.
fn parse_action(text: &str) -> Result<Option<Power>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "off" => Ok(Some(Power::Off)),
        "on" => Ok(Some(Power::On)),
        "clear" => Ok(None),
        _ => Err(format!("override \"{text}\": expected off, on or clear")),
    }
}

/// An `until` as written: with an offset it is an instant; without, a time on the schedule's wall clock.
enum Until {
    Instant(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

fn parse_until(text: &str) -> Result<Until, String> {
    let trimmed = text.trim();
    // Accept a space for the `T`, and `Z` for `+00:00`.
    let mut normal = trimmed.replacen(' ', "T", 1);
    if normal.ends_with(['Z', 'z']) {
        normal.truncate(normal.len() - 1);
        normal.push_str("+00:00");
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&normal) {
        return Ok(Until::Instant(t));
    }
    if let Ok(t) = DateTime::parse_from_str(&normal, "%Y-%m-%dT%H:%M%#z") {
        return Ok(Until::Instant(t));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&normal, format) {
            return Ok(Until::Local(t));
        }
    }
    if NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").is_ok() {
        return Err(format!("give the time of day too, e.g. {trimmed}T07:00"));
    }
    Err(
        "expected a date and time such as 2026-12-01T07:00+07:00 or 2026-12-01 07:00 (local time)"
            .into(),
    )
}

/// Reads `control.yaml`. A local `until` is read on the wall clock of `tz`; an
/// `until` that is not after `now` is an error, as is any unknown key.
pub fn parse_control(
    text: &str,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<ControlCommand, ScheduleError> {
    if let Err(message) = crate::guard::check_nesting(text) {
        return Err(ScheduleError::ControlSyntax {
            line: None,
            column: None,
            message,
        });
    }
    if text.trim().is_empty() {
        return Err(ScheduleError::ControlSyntax {
            line: None,
            column: None,
            message:
                "the file is empty: write `override: off`, `override: on` or `override: clear`"
                    .into(),
        });
    }
    let file: ControlFile = serde_yaml::from_str(text).map_err(|error| {
        let location = error.location();
        let message = error.to_string();
        let message = match message.rsplit_once(" at line ") {
            Some((message, _)) if location.is_some() => message.to_string(),
            _ => message,
        };
        ScheduleError::ControlSyntax {
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message,
        }
    })?;
    let bad_value = |key: &str, message: String| {
        let (line, column) = value_location(text, key).unzip();
        ScheduleError::ControlSyntax {
            line,
            column,
            message,
        }
    };
    let reason = file.reason.unwrap_or_default().trim().to_string();
    let by = file.by.unwrap_or_default().trim().to_string();
    let Some(action) =
        parse_action(&file.action).map_err(|message| bad_value("override", message))?
    else {
        return Ok(ControlCommand::Clear { reason, by });
    };
    let until = match file.until {
        None => None,
        Some(written) => {
            let parsed = parse_until(&written)
                .map_err(|problem| bad_value("until", format!("until \"{written}\": {problem}")))?;
            let line = value_location(text, "until").map(|(line, _)| line);
            Some(
                resolve(parsed, tz, now).map_err(|problem| ScheduleError::ControlUntil {
                    line,
                    text: written,
                    problem,
                })?,
            )
        }
    };
    Ok(ControlCommand::Set(Override {
        action,
        until,
        reason,
        by,
        set_at: now,
        source: OverrideSource::ControlFile,
    }))
}

/// The 1-based line and column of the value of `key:` in a flat YAML file.
fn value_location(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let rest = line
            .trim_start()
            .strip_prefix(key)?
            .trim_start_matches([' ', '\t']);
        let value = rest.strip_prefix(':')?;
        let column = line.len() - value.trim_start().len() + 1;
        Some((index + 1, column))
    })
}

fn resolve(until: Until, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let at = match until {
        Until::Instant(t) => t.to_utc(),
        Until::Local(t) => match tz.from_local_datetime(&t) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.to_utc(),
            LocalResult::None => return Err(format!("no such time in {tz}: the clocks skip it")),
        },
    };
    if at <= now {
        return Err(format!(
            "is not in the future (now {})",
            minute_text(local(tz, now))
        ));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{HCM, hcm};

    #[test]
    fn control_file_sets_an_override() {
        let now = hcm("2026-11-28 10:00");
        let text =
            "override: off\nuntil: 2026-12-01T07:00+07:00\nreason: \"drill\"\nby: Border Guard\n";
        let expected = Override {
            action: Power::Off,
            until: Some(hcm("2026-12-01 07:00")),
            reason: "drill".into(),
            by: "Border Guard".into(),
            set_at: now,
            source: OverrideSource::ControlFile,
        };
        assert_eq!(
            parse_control(text, HCM, now).unwrap(),
            ControlCommand::Set(expected)
        );
    }

    #[test]
    fn until_spellings_with_offset_or_on_the_local_clock() {
        let now = hcm("2026-11-28 10:00");
        let spellings = [
            "2026-12-01T07:00+07:00",
            "2026-12-01T07:00:00+07:00",
            "2026-12-01T07:00+0700",
            "2026-12-01T00:00Z",
            "2026-12-01T00:00:00Z",
            "2026-12-01T07:00",
            "2026-12-01 07:00",
            "\"2026-12-01 07:00:00\"",
        ];
        for until in spellings {
            let text = format!("override: off\nuntil: {until}\n");
            let Ok(ControlCommand::Set(ov)) = parse_control(&text, HCM, now) else {
                panic!("{until}: {:?}", parse_control(&text, HCM, now));
            };
            assert_eq!(ov.until, Some(hcm("2026-12-01 07:00")), "{until}");
        }
    }

    #[test]
    fn on_without_until_and_clear() {
        let now = hcm("2026-11-28 20:00");
        let Ok(ControlCommand::Set(on)) = parse_control("override: ON\nby: Border Guard", HCM, now)
        else {
            panic!("override: ON should parse");
        };
        assert_eq!(
            (on.action, on.until, on.reason.as_str()),
            (Power::On, None, "")
        );
        // A leftover `until`, even a past one, does not stop a clear.
        let clear = parse_control(
            "override: clear\nuntil: 2020-01-01T00:00\nby: Office",
            HCM,
            now,
        )
        .unwrap();
        assert_eq!(
            clear,
            ControlCommand::Clear {
                reason: String::new(),
                by: "Office".into()
            }
        );
    }

    #[test]
    fn bad_control_files_say_where_and_why() {
        let now = hcm("2026-11-28 10:00");
        let cases = [
            (
                "override: off\nuntill: 2026-12-01T07:00\n",
                "control.yaml line 2 column 1: unknown field `untill`",
            ),
            (
                "by: Office\noverride: maybe\n",
                "control.yaml line 2 column 11: override \"maybe\": expected off, on or clear",
            ),
            ("until: 2026-12-01T07:00\n", "missing field `override`"),
            (
                "override: off\nuntil: tomorrow\n",
                "line 2 column 8: until \"tomorrow\": expected a date and time",
            ),
            (
                "override: off\nuntil: 2026-12-01\n",
                "until \"2026-12-01\": give the time of day too",
            ),
            (
                "override: off\nby: a: b\n",
                "control.yaml line 2 column 6: mapping values are not allowed",
            ),
            (
                "override: off\noverride: on\n",
                "duplicate field `override`",
            ),
            ("  \n", "control.yaml: the file is empty"),
            (
                "override: off\nuntil: 2026-11-28T09:00+07:00\n",
                "control.yaml line 2: until \"2026-11-28T09:00+07:00\": is not in the future (now 2026-11-28 10:00 (+07))",
            ),
            (
                "override: off\nuntil: 2026-11-28 10:00\n",
                "is not in the future",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_control(text, HCM, now).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{text:?}: expected {expected:?} in {err:?}"
            );
        }
        let berlin_gap = parse_control(
            "override: off\nuntil: 2027-03-28 02:30",
            Tz::Europe__Berlin,
            now,
        );
        assert!(
            berlin_gap
                .unwrap_err()
                .to_string()
                .contains("no such time in Europe/Berlin")
        );
    }
}
