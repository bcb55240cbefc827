//! `control.yaml` in the synced folder: the remote form of the emergency override, read and checked.

use std::path::Path;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::local::{local, minute_text};
use super::{Override, OverrideSource, Power, ScheduleError};

/// What a valid `control.yaml` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlCommand {
    /// `override: off` or `override: on`.
    Set(Override),
    /// `override: clear`: back to the schedule.
    Clear {
        reason: String,
        by: String,
        requested_by: String,
        issued: Option<DateTime<Utc>>,
    },
}

impl ControlCommand {
    /// When the order was issued (`issued:`), if it says.
    pub fn issued(&self) -> Option<DateTime<Utc>> {
        match self {
            ControlCommand::Set(o) => o.issued,
            ControlCommand::Clear { issued, .. } => *issued,
        }
    }
}

/// `control.yaml` as written. `reason` and `by` are optional so that an emergency
/// switch-off never fails on a missing line; `until` is ignored by `clear`. `issued` (when the
/// order was written; required when signed, see [`check_issued`]) and `requested_by` (whose
/// request it answers) are for the record.
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
    #[serde(default)]
    issued: Option<String>,
    #[serde(default)]
    requested_by: Option<String>,
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
    let requested_by = file.requested_by.unwrap_or_default().trim().to_string();
    let issued = match file.issued {
        None => None,
        Some(written) => Some(
            parse_until(&written)
                .map(|t| instant(t, tz))
                .and_then(|t| t.ok_or_else(|| format!("no such time in {tz}")))
                .map_err(|problem| {
                    bad_value("issued", format!("issued \"{written}\": {problem}"))
                })?,
        ),
    };
    let Some(action) =
        parse_action(&file.action).map_err(|message| bad_value("override", message))?
    else {
        return Ok(ControlCommand::Clear {
            reason,
            by,
            requested_by,
            issued,
        });
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
        requested_by,
        issued,
        signer: None,
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

/// The instant a written time stands for; `None` for a local time the clocks of `tz` skip.
fn instant(t: Until, tz: Tz) -> Option<DateTime<Utc>> {
    match t {
        Until::Instant(t) => Some(t.to_utc()),
        Until::Local(t) => match tz.from_local_datetime(&t) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
            LocalResult::None => None,
        },
    }
}

fn resolve(until: Until, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let Some(at) = instant(until, tz) else {
        return Err(format!("no such time in {tz}: the clocks skip it"));
    };
    if at <= now {
        return Err(format!(
            "is not in the future (now {})",
            minute_text(local(tz, now))
        ));
    }
    Ok(at)
}

/// A signed order must say when it was issued, later than the newest order already accepted:
/// last month's signed `on` cannot be played back. `newest` is that order's `issued`.
pub fn check_issued(
    issued: Option<DateTime<Utc>>,
    newest: Option<DateTime<Utc>>,
    tz: Tz,
) -> Result<(), String> {
    let Some(issued) = issued else {
        return Err(
            "a signed control.yaml must say when it was issued (`issued: 2026-12-01T07:00+07:00`): refused"
                .into(),
        );
    };
    match newest {
        Some(newest) if issued <= newest => Err(format!(
            "issued {} is not after {}, the newest order already accepted: refused as a replay (sign a new order with a later `issued:`)",
            minute_text(local(tz, issued)),
            minute_text(local(tz, newest)),
        )),
        _ => Ok(()),
    }
}

/// The identity of a control file: the SHA-256 of its bytes, in hex.
pub fn control_identity(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the kiosk remembers of `control.yaml` across restarts (`data_dir/state/control.json`):
/// the file last acted on, so a restart acts on none twice and ends the override of a file
/// removed while the player was down, and the newest signed order accepted (replays).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlState {
    /// [`control_identity`] of the control file last acted on, while it is there.
    #[serde(default)]
    pub acted_on: Option<String>,
    /// `issued` of the newest signed order accepted.
    #[serde(default)]
    pub newest_issued: Option<DateTime<Utc>>,
}

impl ControlState {
    /// The state kept in `path`; none when there is no file. A damaged file is an error: the
    /// caller starts afresh and says so.
    pub fn load(path: &Path) -> Result<ControlState, String> {
        let bytes = match crate::guard::read_bytes_limited(path, 64 * 1024) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes the state whole (temp file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let json = serde_json::to_vec_pretty(self).expect("plain data");
        crate::durable::write_atomically(path, &json).map_err(fail)
    }
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
            requested_by: String::new(),
            issued: None,
            signer: None,
        };
        assert_eq!(
            parse_control(text, HCM, now).unwrap(),
            ControlCommand::Set(expected)
        );
        let text = "override: on\nissued: 2026-11-28T09:55+07:00\nrequested_by: \"Sở TT&TT, công văn 12\"\n";
        let Ok(ControlCommand::Set(on)) = parse_control(text, HCM, now) else {
            panic!("{:?}", parse_control(text, HCM, now));
        };
        assert_eq!(on.issued, Some(hcm("2026-11-28 09:55")));
        assert_eq!(on.requested_by, "Sở TT&TT, công văn 12");
        let clear = parse_control("override: clear\nissued: 2026-11-28 09:56\n", HCM, now).unwrap();
        assert_eq!(clear.issued(), Some(hcm("2026-11-28 09:56")));
    }

    #[test]
    fn a_signed_order_must_be_newer_than_the_last_one_accepted() {
        let issued = hcm("2026-11-28 09:00");
        assert_eq!(check_issued(Some(issued), None, HCM), Ok(()));
        assert_eq!(
            check_issued(Some(issued), Some(hcm("2026-11-28 08:59")), HCM),
            Ok(())
        );
        for newest in ["2026-11-28 09:00", "2026-11-28 09:01"] {
            let err = check_issued(Some(issued), Some(hcm(newest)), HCM).unwrap_err();
            assert!(
                err.starts_with(&format!(
                    "issued 2026-11-28 09:00 (+07) is not after {newest} (+07), the newest order already accepted"
                )),
                "{err}"
            );
        }
        let err = check_issued(None, None, HCM).unwrap_err();
        assert!(err.contains("must say when it was issued"), "{err}");
        let err = parse_control("override: off\nissued: yesterday\n", HCM, issued).unwrap_err();
        assert!(
            err.to_string()
                .contains("line 2 column 9: issued \"yesterday\""),
            "{err}"
        );
    }

    #[test]
    fn the_control_state_is_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/control.json");
        assert_eq!(ControlState::load(&path), Ok(ControlState::default()));
        let state = ControlState {
            acted_on: Some(control_identity(b"override: off\n")),
            newest_issued: Some(hcm("2026-11-28 09:00")),
        };
        state.save(&path).unwrap();
        assert_eq!(ControlState::load(&path), Ok(state));
        assert_ne!(
            control_identity(b"override: off\n"),
            control_identity(b"override: off \n")
        );
        std::fs::write(&path, "{").unwrap();
        assert!(
            ControlState::load(&path)
                .unwrap_err()
                .contains("control.json")
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
                by: "Office".into(),
                requested_by: String::new(),
                issued: None,
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
