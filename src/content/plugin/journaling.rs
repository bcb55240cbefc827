//! The journal lines a catalog change makes: one per file added, removed or
//! failing integrity, and the refused files, a line each when few, one
//! bounded `content_refused` summary when many.

use std::path::PathBuf;

use bevy::log::{error, info, warn};

use crate::content::{CatalogDiff, Kind, Rejected};
use crate::journal::Event;
use crate::journal::plugin::Record;

/// Up to this many files refused at once get an `item_failed` line each;
/// more make one `content_refused` summary line.
const REFUSALS_LINE_EACH: usize = 10;
/// Names listed in a `content_refused` line, and reasons counted apart.
const REFUSALS_NAMED: usize = 5;
const REFUSAL_REASONS: usize = 10;

/// Journals what one scan changed, and logs it.
pub(super) fn journal_diff(diff: &CatalogDiff, record: &mut Record) {
    let name = |p: &PathBuf| p.display().to_string();
    for added in &diff.added {
        info!("content added: {}", added.display());
        record.event(Event::ContentAdded { item: name(added) });
    }
    for removed in &diff.removed {
        info!("content removed: {}", removed.display());
        record.event(Event::ContentRemoved {
            item: name(removed),
        });
    }
    for detail in &diff.new_integrity {
        error!("integrity: {detail}");
        record.event(Event::Integrity {
            detail: detail.clone(),
        });
    }
    let refused: Vec<&Rejected> = diff
        .newly_rejected
        .iter()
        .filter(|r| !r.is_temporary())
        .collect();
    if refused.len() > REFUSALS_LINE_EACH {
        let summary = refusal_summary(&refused);
        warn!("not playing {} files: {summary:?}", refused.len());
        record.event(summary);
        return;
    }
    for rejected in refused {
        warn!(
            "not playing {}: {}",
            rejected.rel.display(),
            rejected.reason
        );
        record.event(Event::ItemFailed {
            item: name(&rejected.rel),
            kind: Kind::of_path(&rejected.rel)
                .map_or("other", |k| k.name())
                .into(),
            reason: rejected.reason.clone(),
            stage: "catalog".into(),
        });
    }
}

/// One `content_refused` line for many refused files: how many, how many
/// for each reason (the most common few, the rest together), the first
/// names. Bounded whatever the folder holds.
fn refusal_summary(refused: &[&Rejected]) -> Event {
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for rejected in refused {
        *counts.entry(rejected.reason.as_str()).or_default() += 1;
    }
    let mut counts: Vec<(&str, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut by_reason: std::collections::BTreeMap<String, u64> = counts
        .iter()
        .take(REFUSAL_REASONS)
        .map(|(reason, n)| ((*reason).to_owned(), *n))
        .collect();
    let others: u64 = counts.iter().skip(REFUSAL_REASONS).map(|(_, n)| n).sum();
    if others > 0 {
        by_reason.insert("other reasons".into(), others);
    }
    Event::ContentRefused {
        count: refused.len() as u64,
        by_reason,
        first: refused
            .iter()
            .take(REFUSALS_NAMED)
            .map(|r| r.rel.display().to_string())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::journal::plugin::Recorder;
    use crate::journal::{Journal, month_files, read_file};
    use bevy::ecs::system::RunSystemOnce;
    use bevy::prelude::*;
    use chrono::TimeZone;

    fn junk(n: usize) -> Vec<Rejected> {
        (0..n)
            .map(|i| Rejected {
                rel: PathBuf::from(format!("{i}.docx")),
                reason: "not a picture, video or text slide".into(),
            })
            .collect()
    }

    /// The journal lines `journal_diff` writes for `newly_rejected`.
    fn journaled(newly_rejected: Vec<Rejected>) -> Vec<serde_json::Value> {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::new();
        app.insert_resource(Clock::starting_at(
            chrono::Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap(),
            0.0,
        ))
        .insert_resource(Recorder::synchronous(
            Journal::open(dir.path(), "test", chrono_tz::Asia::Ho_Chi_Minh).unwrap(),
        ));
        let diff = CatalogDiff {
            newly_rejected,
            ..default()
        };
        app.world_mut()
            .run_system_once(move |mut record: Record| journal_diff(&diff, &mut record))
            .unwrap();
        month_files(dir.path())
            .iter()
            .flat_map(|f| read_file(f).records)
            .collect()
    }

    #[test]
    fn thousands_of_refused_files_make_one_summary_line() {
        let lines = journaled(junk(20_000));
        assert_eq!(lines.len(), 1, "{lines:?}");
        let summary = &lines[0];
        assert_eq!(summary["event"], "content_refused");
        assert_eq!(summary["count"], 20_000);
        assert_eq!(
            summary["by_reason"]["not a picture, video or text slide"],
            20_000
        );
        assert_eq!(summary["first"].as_array().unwrap().len(), REFUSALS_NAMED);
    }

    #[test]
    fn a_few_refused_files_get_a_line_each() {
        let lines = journaled(junk(1));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["event"], "item_failed");
        assert_eq!(lines[0]["item"], "0.docx");
        assert_eq!(lines[0]["stage"], "catalog");
    }

    #[test]
    fn a_summary_counts_few_reasons_apart_whatever_the_reasons() {
        let mut many = junk(1000);
        for (i, r) in many.iter_mut().enumerate() {
            r.reason = format!("reason {i}");
        }
        let lines = journaled(many);
        let by_reason = lines[0]["by_reason"].as_object().unwrap();
        assert_eq!(by_reason.len(), REFUSAL_REASONS + 1);
        assert_eq!(by_reason["other reasons"], 1000 - REFUSAL_REASONS as u64);
    }
}
