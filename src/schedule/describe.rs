//! What `infokiosk schedule` prints: the state at an instant and the plan of coming days, as text and JSON.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::local::{local, offset_label, rfc3339, rfc3339_utc};
use super::{OperatingSchedule, Override, SEARCH_HORIZON_DAYS};

/// The state at `at` in three lines: state, reason, next change (local and UTC).
///
/// ```text
/// open
/// reason: inside window 07:00-11:00
/// next change: 2026-11-28 11:00:00 +07 (04:00:00 UTC) -> closed
/// ```
pub fn describe(schedule: &OperatingSchedule, at: DateTime<Utc>, ov: Option<&Override>) -> String {
    let status = schedule.state_at(at, ov);
    let next = match status.next_change {
        Some(change) => {
            let here = local(schedule.timezone(), change);
            let utc_format = if change.date_naive() == here.date_naive() {
                "%H:%M:%S"
            } else {
                "%Y-%m-%d %H:%M:%S"
            };
            format!(
                "{} {} ({} UTC) -> {}",
                here.format("%Y-%m-%d %H:%M:%S"),
                offset_label(*here.offset()),
                change.format(utc_format),
                status.state.opposite()
            )
        }
        None if ov.is_some_and(|o| o.is_active(at)) => "none until the override is cleared".into(),
        None => format!("none within {SEARCH_HORIZON_DAYS} days"),
    };
    format!(
        "{}\nreason: {}\nnext change: {next}",
        status.state, status.reason
    )
}

/// The state at `at` for machines: `state`, `reason`, `next_change` (RFC 3339 on the
/// local clock, `null` when none), `next_change_utc`, `next_state`, `timezone`, `at`,
/// `at_utc`, and `override` (the active override, else `null`).
pub fn describe_json(
    schedule: &OperatingSchedule,
    at: DateTime<Utc>,
    ov: Option<&Override>,
) -> Value {
    let tz = schedule.timezone();
    let status = schedule.state_at(at, ov);
    json!({
        "at": rfc3339(local(tz, at)),
        "at_utc": rfc3339_utc(at),
        "timezone": tz.name(),
        "state": status.state,
        "reason": status.reason.to_string(),
        "next_change": status.next_change.map(|t| rfc3339(local(tz, t))),
        "next_change_utc": status.next_change.map(rfc3339_utc),
        "next_state": status.next_state(),
        "override": ov.filter(|o| o.is_active(at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{OverrideSource, Power};
    use crate::test_support::{KIOSK_WITH_DAWN, schedule, utc};

    #[test]
    fn describe_states_reason_and_next_change() {
        let kiosk = schedule(KIOSK_WITH_DAWN);
        let cases = [
            (
                "2026-11-28T03:00:00Z",
                "open\nreason: inside window 07:00-11:00\nnext change: 2026-11-28 11:00:00 +07 (04:00:00 UTC) -> closed",
            ),
            (
                "2027-02-16T01:00:00Z",
                "closed\nreason: exception 2027-02-16 (Tết): closed\nnext change: 2027-02-17 07:00:00 +07 (00:00:00 UTC) -> open",
            ),
            // 05:30 on the local clock is still the previous day in UTC.
            (
                "2027-02-19T12:00:00Z",
                "closed\nreason: outside operating hours\nnext change: 2027-02-20 05:30:00 +07 (2027-02-19 22:30:00 UTC) -> open",
            ),
        ];
        for (at, expected) in cases {
            assert_eq!(describe(&kiosk, utc(at), None), expected, "at {at}");
        }
    }

    #[test]
    fn describe_an_override_without_end() {
        let kiosk = schedule(KIOSK_WITH_DAWN);
        let ov = Override {
            action: Power::Off,
            until: None,
            reason: "drill".into(),
            by: "Border Guard".into(),
            set_at: utc("2026-11-28T01:00:00Z"),
            source: OverrideSource::ControlFile,
            requested_by: String::new(),
            issued: None,
            signer: None,
        };
        assert_eq!(
            describe(&kiosk, utc("2026-11-28T03:00:00Z"), Some(&ov)),
            "closed\nreason: override off by Border Guard until cleared: drill\nnext change: none until the override is cleared"
        );
        let json = describe_json(&kiosk, utc("2026-11-28T03:00:00Z"), Some(&ov));
        assert_eq!(json["state"], "closed");
        assert_eq!(json["next_change"], Value::Null);
        assert_eq!(json["next_state"], Value::Null);
        assert_eq!(json["override"]["by"], "Border Guard");
        assert_eq!(
            describe(&schedule("windows: []"), utc("2026-11-28T03:00:00Z"), None)
                .lines()
                .last(),
            Some("next change: none within 400 days")
        );
    }

    #[test]
    fn describe_json_has_rfc3339_times() {
        let kiosk = schedule(KIOSK_WITH_DAWN);
        let json = describe_json(&kiosk, utc("2026-11-28T03:00:00Z"), None);
        let expected = json!({
            "at": "2026-11-28T10:00:00+07:00",
            "at_utc": "2026-11-28T03:00:00Z",
            "timezone": "Asia/Ho_Chi_Minh",
            "state": "open",
            "reason": "inside window 07:00-11:00",
            "next_change": "2026-11-28T11:00:00+07:00",
            "next_change_utc": "2026-11-28T04:00:00Z",
            "next_state": "closed",
            "override": null,
        });
        assert_eq!(json, expected);
        let next = json["next_change"].as_str().unwrap();
        assert_eq!(
            DateTime::parse_from_rfc3339(next).unwrap(),
            utc("2026-11-28T04:00:00Z")
        );
    }
}
