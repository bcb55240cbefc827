//! When an object may leave the shown-content store: once every month whose
//! journal names it (a `play_started` or `content_in_force` line's `sha256`) has a verified archive
//! that holds it. An object no journal names yet (stored a moment before its
//! line is written) is kept.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::path::Path;

use super::collect::shown_in;
use super::objects::ObjectStore;
use super::{archive_name, verify};
use crate::journal::month_files;
use crate::report::Month;
use crate::report::lines::stream_lines;

/// What [`prune_objects`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ObjectPruning {
    /// Objects removed (their SHA-256).
    pub removed: Vec<String>,
    /// Their size together.
    pub bytes: u64,
    /// Objects still needed: a month naming them has no verified archive
    /// holding them (the month running now, a failed backup).
    pub needed: usize,
}

/// Removes the objects every month that names them has safely archived.
/// Journals that cannot be read keep everything (nothing is removed).
pub fn prune_objects(
    store: &ObjectStore,
    journal_dir: &Path,
    backup_dir: &Path,
    kiosk: &str,
) -> std::io::Result<ObjectPruning> {
    let mut named: BTreeMap<Month, BTreeSet<String>> = BTreeMap::new();
    for file in month_files(journal_dir) {
        let Some(month) = file
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<Month>().ok())
        else {
            continue;
        };
        let shas = named.entry(month).or_default();
        stream_lines(&file, |line| {
            if let Some((_, sha256)) = shown_in(&line)
                && !sha256.is_empty()
            {
                shas.insert(sha256.to_owned());
            }
            ControlFlow::Continue(())
        })?;
    }
    let mut referenced = BTreeSet::new();
    let mut needed = BTreeSet::new();
    for (month, shas) in &named {
        let archive = backup_dir.join(archive_name(kiosk, *month));
        let archived: BTreeSet<String> = match verify(&archive) {
            Ok(report) if report.is_intact() => report
                .manifest
                .keys()
                .filter_map(|k| k.strip_prefix("objects/").map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        };
        referenced.extend(shas.iter().cloned());
        needed.extend(shas.difference(&archived).cloned());
    }
    let mut pruning = ObjectPruning::default();
    for sha256 in referenced {
        let Some(path) = store.path_of(&sha256) else {
            continue;
        };
        if needed.contains(&sha256) {
            pruning.needed += 1;
            continue;
        }
        let size = std::fs::symlink_metadata(&path).map_or(0, |m| m.len());
        if std::fs::remove_file(&path).is_ok() {
            pruning.removed.push(sha256);
            pruning.bytes += size;
        }
    }
    Ok(pruning)
}
