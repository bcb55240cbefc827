//! Retention: keep the newest N monthly archives, and delete older ones only
//! while every kept archive still verifies.

use std::path::{Path, PathBuf};

use super::hash::sidecar_of;
use super::verify::verify;
use super::{BackupError, sync_dir};
use crate::report::Month;

/// What [`prune`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PruneReport {
    pub kept: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    /// Why nothing was removed although there were more than N archives.
    pub held_back: Option<String>,
}

/// The monthly archives of `kiosk` in `backup_dir`, newest month first.
pub fn archives(backup_dir: &Path, kiosk: &str) -> Vec<(Month, PathBuf)> {
    let prefix = format!("infokiosk-{kiosk}-");
    let Ok(entries) = std::fs::read_dir(backup_dir) else {
        return Vec::new();
    };
    let mut found: Vec<(Month, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let month = name.strip_prefix(&prefix)?.strip_suffix(".tar.zst")?;
            Some((month.parse().ok()?, entry.path()))
        })
        .collect();
    found.sort_by_key(|(month, _)| std::cmp::Reverse(*month));
    found
}

/// Keeps the `keep` newest archives (at least one) and removes older ones, but
/// only after each kept archive verifies: while a newer archive is damaged, an
/// older copy may be all that is left, so nothing is removed.
pub fn prune(backup_dir: &Path, kiosk: &str, keep: usize) -> Result<PruneReport, BackupError> {
    let all = archives(backup_dir, kiosk);
    let keep = keep.max(1).min(all.len());
    let (kept, older) = all.split_at(keep);
    let mut report = PruneReport {
        kept: kept.iter().map(|(_, p)| p.clone()).collect(),
        ..PruneReport::default()
    };
    if older.is_empty() {
        return Ok(report);
    }
    for (month, path) in kept {
        let check = verify(path)?;
        if let Some(damage) = check.damage.first() {
            report.held_back = Some(format!(
                "the archive of {month} ({}) is damaged ({damage}); older archives are kept",
                path.display()
            ));
            report.kept.extend(older.iter().map(|(_, p)| p.clone()));
            return Ok(report);
        }
    }
    for (_, path) in older {
        std::fs::remove_file(path).map_err(|source| BackupError::Remove {
            path: path.clone(),
            source,
        })?;
        let _ = std::fs::remove_file(sidecar_of(path));
        report.removed.push(path.clone());
    }
    sync_dir(backup_dir)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{Fixture, flip_byte};
    use super::*;

    #[test]
    fn keeps_the_newest_and_removes_older_only_when_the_kept_verify() {
        let fx = Fixture::new();
        for month in ["2026-08", "2026-09", "2026-10", "2026-11"] {
            fx.month_with_plays(month, &["a.vi.jpg"]);
            fx.backup(month, false).unwrap();
        }
        // Something else in the folder is never touched.
        std::fs::write(fx.backup_dir().join("notes.txt"), "x").unwrap();
        let months = |dir: &Path| -> Vec<String> {
            archives(dir, "tb-1")
                .iter()
                .map(|(m, _)| m.to_string())
                .collect()
        };
        assert_eq!(
            months(&fx.backup_dir()),
            ["2026-11", "2026-10", "2026-09", "2026-08"]
        );

        // The newest is damaged: nothing goes.
        let newest = archives(&fx.backup_dir(), "tb-1")[0].1.clone();
        let original = std::fs::read(&newest).unwrap();
        flip_byte(&newest, original.len() as u64 / 2);
        let report = prune(&fx.backup_dir(), "tb-1", 2).unwrap();
        assert!(report.removed.is_empty());
        assert!(report.held_back.unwrap().contains("2026-11"));
        assert_eq!(months(&fx.backup_dir()).len(), 4);

        // Repaired: the two oldest go.
        std::fs::write(&newest, original).unwrap();
        let report = prune(&fx.backup_dir(), "tb-1", 2).unwrap();
        assert_eq!(report.removed.len(), 2);
        assert_eq!(months(&fx.backup_dir()), ["2026-11", "2026-10"]);
        assert!(fx.backup_dir().join("notes.txt").exists());
        // Keeping 0 still keeps one.
        prune(&fx.backup_dir(), "tb-1", 0).unwrap();
        assert_eq!(months(&fx.backup_dir()), ["2026-11"]);
    }
}
