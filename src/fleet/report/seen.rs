//! What the office notes from a kiosk's journal lines besides the single-kiosk
//! report's figures: `seq` runs (for gaps), the days content changed, and the
//! backups written, kept or failed.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::BackupRow;
use crate::report::lines::parse_time;

/// Content lines this close after the first line read, with nothing known
/// before, are the catalog the journal copy starts with, not an update.
const BASELINE: Duration = Duration::minutes(5);

/// What the office notes from the lines besides the report's figures.
pub(super) struct Seen {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    tz: Tz,
    /// Runs of consecutive `seq`, in reading order.
    runs: Vec<(u64, u64)>,
    first_line: Option<DateTime<Utc>>,
    /// Files in the catalog, and the SHA-256 last shown for each.
    items: HashMap<String, Option<String>>,
    pub(super) update_days: BTreeSet<NaiveDate>,
    pub(super) backups: Vec<BackupRow>,
}

impl Seen {
    pub(super) fn new(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> Self {
        Self {
            start,
            end,
            tz,
            runs: Vec::new(),
            first_line: None,
            items: HashMap::new(),
            update_days: BTreeSet::new(),
            backups: Vec::new(),
        }
    }

    pub(super) fn note(&mut self, line: &Value) {
        if let Some(seq) = line["seq"].as_u64() {
            match self.runs.last_mut() {
                Some((_, last)) if seq == *last + 1 => *last = seq,
                _ => self.runs.push((seq, seq)),
            }
        }
        let Some(t) = line["time"].as_str().and_then(parse_time) else {
            return;
        };
        let first = *self.first_line.get_or_insert(t);
        let inside = self.start <= t && t < self.end;
        let date = t.with_timezone(&self.tz).date_naive();
        let text = |key: &str| line[key].as_str().unwrap_or_default();
        let event = text("event");
        let updated = match event {
            "content_added" => {
                let new = !self.items.contains_key(text("item"));
                self.items.entry(text("item").into()).or_default();
                new && t - first > BASELINE
            }
            "content_removed" => {
                self.items.remove(text("item"));
                true
            }
            // The same name with other bytes: a file replaced in place (the
            // catalog journals no line for it).
            "play_started" => match line["sha256"].as_str() {
                Some(sha) => {
                    let shown = self.items.entry(text("item").into()).or_default();
                    let replaced = shown.as_deref().is_some_and(|before| before != sha);
                    *shown = Some(sha.into());
                    replaced
                }
                None => false,
            },
            _ => false,
        };
        if !inside {
            return;
        }
        if updated {
            self.update_days.insert(date);
        }
        if matches!(event, "backup_written" | "backup_kept" | "backup_failed") {
            let verified = event != "backup_failed";
            let detail = text(if verified { "archive" } else { "error" });
            self.backups.push(BackupRow {
                time: t,
                month: text("month").into(),
                verified,
                detail: detail.into(),
            });
        }
    }

    /// The `seq` numbers missing between the lowest and the highest read.
    pub(super) fn gaps(&self) -> Vec<(u64, u64)> {
        let mut runs = self.runs.clone();
        runs.sort_unstable();
        let mut gaps = Vec::new();
        let mut covered: Option<u64> = None;
        for (from, to) in runs {
            if let Some(end) = covered
                && from > end + 1
            {
                gaps.push((end + 1, from - 1));
            }
            covered = Some(covered.map_or(to, |end| end.max(to)));
        }
        gaps
    }
}
