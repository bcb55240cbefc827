//! Security events (Art. 7.9b of the decision): which journal lines are one,
//! and the hash chain walked when a report is made, since a journal edited
//! afterwards cannot be trusted to say so itself.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::lines::{text, time_of};
use super::model::{SecurityEvent, SecurityEvents};
use super::{Month, Period};
use crate::journal::chain::verify_month;

/// Events listed one by one in a report; more are counted only (a hostile
/// content folder can make thousands).
pub const LISTED: usize = 500;

/// Words in a refusal's reason that say it was refused for its integrity:
/// the signed manifest, its signature, the trust settings, a rollback.
const INTEGRITY_WORDS: [&str; 6] = [
    "signed manifest",
    "not signed",
    "signature",
    ".minisig",
    "already accepted",
    "trust.",
];

/// Whether a refusal's reason is about integrity rather than format.
pub(crate) fn is_integrity_reason(reason: &str) -> bool {
    INTEGRITY_WORDS.iter().any(|w| reason.contains(w))
}

/// One journal line as a security event, if it is one.
pub(crate) fn security_event(line: &Value, t: DateTime<Utc>) -> Option<SecurityEvent> {
    let event = text(line, "event");
    let reason = match event {
        "integrity" => text(line, "detail").to_owned(),
        "content_refused" => {
            let by_reason = line["by_reason"].as_object()?;
            let refused: Vec<String> = (by_reason.iter())
                .filter(|(reason, _)| is_integrity_reason(reason))
                .map(|(reason, n)| format!("{} × {reason}", n.as_u64().unwrap_or(0)))
                .collect();
            if refused.is_empty() {
                return None;
            }
            refused.join("; ")
        }
        "admin_locked" => {
            let minutes = line["minutes"].as_i64().unwrap_or(0);
            match text(line, "reason") {
                "" => format!("too many wrong PINs: overlay locked for {minutes} min"),
                why => format!("overlay locked for {minutes} min: {why}"),
            }
        }
        "control_rejected" | "config_rejected" => {
            format!("{}: {}", text(line, "file"), text(line, "reason"))
        }
        "inspection" if line["checks"]["journal"] == "FAIL" => {
            format!("journal check failed (inspection by {})", text(line, "by"))
        }
        _ => return None,
    };
    let kind = match event {
        "inspection" => "journal_check",
        other => other,
    };
    Some(SecurityEvent {
        time: t,
        kind: kind.into(),
        reason,
    })
}

impl SecurityEvents {
    pub(crate) fn push(&mut self, event: SecurityEvent) {
        self.count += 1;
        *self.by_kind.entry(event.kind.clone()).or_default() += 1;
        if self.events.len() < LISTED {
            self.events.push(event);
        }
    }
}

/// The security events of the newest month file, as `status.json` says them:
/// the month, how many, and the newest few (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecuritySeen {
    pub month: Option<String>,
    pub count: u64,
    pub last: Vec<SecurityEvent>,
}

impl SecuritySeen {
    /// Events kept in `last`.
    pub const KEEP: usize = 5;

    /// Counts `line` if it is a security event.
    pub(crate) fn note(&mut self, line: &Value) {
        let Some(event) = time_of(line).and_then(|t| security_event(line, t)) else {
            return;
        };
        self.count += 1;
        self.last.push(event);
        if self.last.len() > Self::KEEP {
            self.last.remove(0);
        }
    }
}

/// The hash chain of each month file of `period` in `journal_dir` (with the
/// month seals in `seals`, the outbox, if given): a failure for each month
/// whose chain is broken, whose seal differs, or that cannot be read; missing
/// months are none. Dated `now`, when it was found.
pub(crate) fn verify_period(
    journal_dir: &Path,
    seals: Option<&Path>,
    period: Period,
    now: DateTime<Utc>,
) -> Vec<SecurityEvent> {
    period
        .months()
        .into_iter()
        .filter(|m| m.journal_file(journal_dir).is_file())
        .filter_map(|month: Month| {
            let reason = match verify_month(journal_dir, &month.to_string(), seals) {
                Ok(check) if check.is_intact() => return None,
                Ok(check) => check.to_string().lines().next().unwrap_or_default().into(),
                Err(e) => format!("{month}.jsonl cannot be read: {e}"),
            };
            Some(SecurityEvent {
                time: now,
                kind: "journal_verify".into(),
                reason,
            })
        })
        .collect()
}
