//! The report as `infokiosk check` prints it: one screen of text for a
//! technician, or JSON for machines (`--json`).

use std::fmt::Write;

use serde_json::{Value, json};

use super::{CheckReport, Verdict, plural};

/// Details shown per check in text before "… and N more"; JSON has them all.
const DETAIL_LINES: usize = 6;

impl CheckReport {
    /// ```text
    /// infokiosk check: kiosk tinh-bien-1, 2026-11-28 10:00:00 +07
    /// PASS  config    /etc/infokiosk/infokiosk.yaml is valid (kiosk tinh-bien-1)
    /// WARN  content   /srv/infokiosk/content: 12 playable (8 pictures, 4 clips), 1 not played
    ///                 - broken.mp4: not a playable video: …
    /// …
    /// result: WARN (0 failures, 1 warning)
    /// ```
    pub fn to_text(&self) -> String {
        let at = match self.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => self.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z"),
            Err(_) => self.at.format("%Y-%m-%d %H:%M:%S UTC"),
        };
        let mut out = format!("infokiosk check: kiosk {}, {at}\n", self.kiosk_id);
        let width = self.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for check in &self.checks {
            let _ = writeln!(
                out,
                "{}  {:width$}  {}",
                check.verdict.label(),
                check.name,
                check.reason
            );
            let indent = " ".repeat(width + 8);
            for detail in check.details.iter().take(DETAIL_LINES) {
                let _ = writeln!(out, "{indent}- {detail}");
            }
            if check.details.len() > DETAIL_LINES {
                let more = check.details.len() - DETAIL_LINES;
                let _ = writeln!(out, "{indent}… and {more} more (--json lists all)");
            }
        }
        let (failures, warnings) = (self.count(Verdict::Fail), self.count(Verdict::Warn));
        let _ = writeln!(
            out,
            "result: {} ({failures} {}, {warnings} {})",
            self.verdict().label(),
            plural(failures, "failure"),
            plural(warnings, "warning"),
        );
        out
    }

    /// `{"kiosk_id", "at", "timezone", "verdict", "checks": [{"name",
    /// "verdict", "reason", "details"}]}`; verdicts are `PASS`/`WARN`/`FAIL`.
    pub fn to_json(&self) -> Value {
        json!({
            "kiosk_id": self.kiosk_id,
            "at": self.at,
            "timezone": self.timezone,
            "verdict": self.verdict(),
            "checks": self.checks,
        })
    }
}
