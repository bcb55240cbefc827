//! The answer of `infokiosk at` as a few lines for a person.

use chrono::SecondsFormat;

use super::{Answer, Cited, OnScreen};

impl OnScreen {
    /// The answer as a few lines for a person.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "At {} ({}):\n",
            self.local_time,
            self.instant.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        let cite = |c: &Cited| {
            format!(
                "{} seq {} at {}",
                c.file,
                c.seq.map_or("?".into(), |s| s.to_string()),
                c.local_time
            )
        };
        match self.answer {
            Answer::Future => out.push_str("  this instant is in the future: nothing was shown yet\n"),
            Answer::NoRecord => out.push_str(
                "  the journal has no line at or before this instant: no record of the player\n",
            ),
            Answer::NotRunning => {
                out.push_str("  the player was NOT running (downtime): nothing was shown\n")
            }
            Answer::Closed => out.push_str("  the screen was CLOSED (black, display off)\n"),
            Answer::Showing => out.push_str("  the screen was OPEN and showing an item\n"),
            Answer::BetweenItems => out.push_str(
                "  the screen was OPEN between two items (the last picture held, or the fallback slide)\n",
            ),
        }
        if let Some(d) = &self.downtime {
            out.push_str(&format!("  why: {}\n", d.why));
            if let Some(c) = &d.last_before {
                out.push_str(&format!("  last line before: {} {}\n", c.event, cite(c)));
            }
            if let Some(c) = &d.next_after {
                out.push_str(&format!("  first line after: {} {}\n", c.event, cite(c)));
            }
        }
        if let Some(s) = &self.screen {
            out.push_str(&format!(
                "  screen {} since {} — {} ({})\n",
                s.state,
                s.line.local_time,
                s.reason,
                cite(&s.line)
            ));
        }
        if let Some(o) = &self.override_in_force {
            out.push_str(&format!(
                "  override {} until {} by {} via {}: {} ({})\n",
                o.action,
                o.until.as_deref().unwrap_or("cleared"),
                o.by,
                o.source,
                o.reason,
                cite(&o.line)
            ));
        }
        if let Some(i) = &self.item {
            out.push_str(&format!(
                "  item: {} ({}, language {}), started {}\n",
                i.item,
                i.kind,
                i.language,
                cite(&i.line)
            ));
            match (&i.sha256, &i.archived) {
                (Some(h), Some(p)) => {
                    out.push_str(&format!("  sha256: {h}\n  archived copy: {}\n", p.display()))
                }
                (Some(h), None) => {
                    out.push_str(&format!("  sha256: {h}\n  archived copy: not archived\n"))
                }
                (None, _) => out.push_str(
                    "  sha256: not in the journal line (written before play-time archiving): not archived\n",
                ),
            }
        }
        if let Some(c) = &self.last_ended {
            out.push_str(&format!("  last play ended: {}\n", cite(c)));
        }
        if let Some(c) = &self.next_started {
            out.push_str(&format!("  next play started: {}\n", cite(c)));
        }
        out
    }
}
