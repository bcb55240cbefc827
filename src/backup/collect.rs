//! What goes into a month's archive: the versions of files shown that month (the
//! objects the journal's `play_started` and `content_in_force` lines name by
//! `sha256`), the month's
//! journal and the config in force. A `play_started` line without `sha256` (a
//! journal from before the object store, or a store that could not take the
//! file) falls back to the file as it is now in the content folder.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::objects::{ObjectStore, hash};
use super::{BackupError, BackupJob};
use crate::guard::open_regular;
use crate::report::lines::{stream_lines, text, time_of};

/// One file to archive, as planned before writing starts.
#[derive(Debug, Clone)]
pub(super) struct PlannedFile {
    pub source: PathBuf,
    /// The path inside the archive's top folder, e.g. `content/tin-tuc.vi.jpg`.
    pub name: String,
    pub size: u64,
    /// For content files: how it was shown that month.
    pub shown: Option<Shown>,
    /// For objects: the items (content folder paths) shown with these bytes.
    pub items: Vec<String>,
    /// Only ever appended to (the journal): archive what is there when it is
    /// opened, even if the player appends a line meanwhile.
    pub append_only: bool,
}

/// How often and when an item was shown in the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shown {
    pub plays: u64,
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
}

/// An item the journal says was shown but that cannot be archived. Not a failure:
/// the content folder is synced and old items leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingItem {
    pub item: String,
    pub reason: String,
    pub plays: u64,
}

impl std::fmt::Display for MissingItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, shown {} times)",
            self.item, self.reason, self.plays
        )
    }
}

/// Everything to archive for one month.
#[derive(Debug)]
pub(super) struct Plan {
    /// Content files first, then the journal, then the config.
    pub files: Vec<PlannedFile>,
    pub missing: Vec<MissingItem>,
    /// Journal lines that did not parse (cut off by a power failure).
    pub broken_journal_lines: usize,
    pub total_bytes: u64,
}

pub(super) fn plan(job: &BackupJob) -> Result<Plan, BackupError> {
    let journal = job.month.journal_file(&job.journal_dir);
    let mut shown: BTreeMap<String, Shown> = BTreeMap::new();
    let mut objects: BTreeMap<String, (Shown, BTreeSet<String>)> = BTreeMap::new();
    let broken = stream_lines(&journal, |line| {
        let Some((item, sha256)) = shown_in(&line) else {
            return ControlFlow::Continue(());
        };
        let Some(t) = time_of(&line) else {
            return ControlFlow::Continue(());
        };
        if sha256.is_empty() {
            shown
                .entry(item.to_owned())
                .and_modify(|seen| seen.add(t))
                .or_insert_with(|| Shown::once(t));
        } else {
            objects
                .entry(sha256.to_owned())
                .and_modify(|(seen, items)| {
                    seen.add(t);
                    items.insert(item.to_owned());
                })
                .or_insert_with(|| (Shown::once(t), BTreeSet::from([item.to_owned()])));
        }
        ControlFlow::Continue(())
    })
    .map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => BackupError::NoJournal {
            month: job.month,
            path: journal.clone(),
        },
        _ => BackupError::Read {
            path: journal.clone(),
            source,
        },
    })?;

    let mut files = Vec::new();
    let mut missing = Vec::new();
    let store = ObjectStore::new(job.objects_dir());
    for (sha256, (seen, items)) in objects {
        let items: Vec<String> = items.into_iter().collect();
        match stored_object(&store, &sha256) {
            Ok((source, size)) => files.push(PlannedFile {
                source,
                name: format!("objects/{sha256}"),
                size,
                shown: Some(seen),
                items,
                append_only: false,
            }),
            Err(reason) => missing.push(MissingItem {
                item: format!("{} (sha256 {sha256})", items.join(", ")),
                reason,
                plays: seen.plays,
            }),
        }
    }
    for (item, seen) in shown {
        let missing_because = |reason: &str| MissingItem {
            item: item.clone(),
            reason: reason.into(),
            plays: seen.plays,
        };
        let Some(rel) = inside_folder(&item) else {
            missing.push(missing_because("not a path inside the content folder"));
            continue;
        };
        let source = job.content_dir.join(rel);
        match std::fs::metadata(&source) {
            Ok(meta) if meta.is_file() => files.push(PlannedFile {
                name: format!("content/{}", rel.display()),
                source,
                size: meta.len(),
                shown: Some(seen),
                items: vec![item.clone()],
                append_only: false,
            }),
            Ok(_) => missing.push(missing_because("not a regular file")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(missing_because("no longer in the content folder"));
            }
            Err(source_error) => {
                return Err(BackupError::Read {
                    path: source,
                    source: source_error,
                });
            }
        }
    }
    let mut journal_file = planned(&journal, format!("journal/{}.jsonl", job.month))?;
    journal_file.append_only = true;
    files.push(journal_file);
    let config_name = job.config_file.file_name().map_or_else(
        || "infokiosk.yaml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    files.push(planned(&job.config_file, format!("config/{config_name}"))?);
    let total_bytes = files.iter().map(|f| f.size).sum();
    Ok(Plan {
        files,
        missing,
        broken_journal_lines: broken,
        total_bytes,
    })
}

/// What a journal line says was shown, and the SHA-256 of its bytes (empty
/// when the line has none): a `play_started` (`item`), or a
/// `content_in_force` (`file`: a ticker, captions, the signed manifest).
pub(super) fn shown_in(line: &serde_json::Value) -> Option<(&str, &str)> {
    let item = match text(line, "event") {
        "play_started" => text(line, "item"),
        "content_in_force" => text(line, "file"),
        _ => return None,
    };
    Some((item, text(line, "sha256")))
}

fn planned(source: &Path, name: String) -> Result<PlannedFile, BackupError> {
    let meta = std::fs::metadata(source).map_err(|e| BackupError::Read {
        path: source.to_owned(),
        source: e,
    })?;
    Ok(PlannedFile {
        source: source.to_owned(),
        name,
        size: meta.len(),
        shown: None,
        items: Vec::new(),
        append_only: false,
    })
}

impl Shown {
    fn once(t: DateTime<Utc>) -> Self {
        Shown {
            plays: 1,
            first: t,
            last: t,
        }
    }

    fn add(&mut self, t: DateTime<Utc>) {
        self.plays += 1;
        self.first = self.first.min(t);
        self.last = self.last.max(t);
    }
}

/// The object named `sha256` in the store and its size, hashed again: an
/// object whose bytes no longer match its name is not archived as if it did.
fn stored_object(store: &ObjectStore, sha256: &str) -> Result<(PathBuf, u64), String> {
    let path = store
        .path_of(sha256)
        .ok_or_else(|| "the journal's sha256 is not a SHA-256".to_string())?;
    let mut file = match open_regular(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("not in the object store".into());
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    let actual = hash(&mut file).map_err(|e| format!("{}: {e}", path.display()))?;
    if actual != sha256 {
        return Err(format!(
            "damaged in the object store: {} now has SHA-256 {actual}",
            path.display()
        ));
    }
    Ok((path, size))
}

/// The item as a relative path that stays inside the content folder, or `None`
/// (absolute, `..`, empty): a journal line must not pull other files into a backup.
fn inside_folder(item: &str) -> Option<&Path> {
    let path = Path::new(item);
    let normal = path.components().all(|c| matches!(c, Component::Normal(_)));
    (normal && path.components().next().is_some()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_items_must_stay_inside_the_content_folder() {
        assert!(inside_folder("tin-tuc.vi.jpg").is_some());
        assert!(inside_folder("2026/khmer.km.mp4").is_some());
        for bad in [
            "",
            "/etc/shadow",
            "../secret.jpg",
            "a/../../b.jpg",
            "./a.jpg",
        ] {
            assert!(inside_folder(bad).is_none(), "{bad}");
        }
    }
}
