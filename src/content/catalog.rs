//! The result of a scan: what plays in what order, what does not and why, and what changed since the last scan;
//! and the catalog as a person reads it (`infokiosk catalog` without `--json`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::naming::file_group;
use super::{Item, Language, Rejected, Sidecar, SidecarKind};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Playable items in play order.
    pub items: Vec<Item>,
    /// Files and playlist.yaml entries that will not be played, each with its reason; by path.
    pub rejected: Vec<Rejected>,
    /// Tickers and captions.
    pub sidecars: Vec<Sidecar>,
    /// Relative paths seen but still being written: scan again after the settle time.
    pub pending: Vec<PathBuf>,
    /// Why playlist.yaml was not used ("playlist.yaml line L column C: ..."); the last good one,
    /// if any, still decides the order.
    pub manifest_error: Option<String>,
    /// Groups that have some of vi/en/km but not all, with the missing ones (in vi, en, km order).
    pub missing_variants: Vec<(String, Vec<Language>)>,
    /// Problems that are not about one file: manifest entries listed twice or naming a rejected
    /// file, an unreadable content folder, a probe cache that cannot be written.
    pub warnings: Vec<String>,
    /// `version:` of the manifest in use.
    pub manifest_version: Option<u64>,
    /// With `trust.require_signature`: the integrity incidents of this scan, for the journal.
    /// Why playlist.yaml was refused ("playlist.yaml.minisig: signature does not verify …"),
    /// then each file refused by the signed manifest as "rel: reason" ("news/a.mp4: hash
    /// mismatch: …"). While the manifest is refused, the last verified one stays in use.
    pub integrity: Vec<String>,
}

/// What a rescan changed, for the journal: paths relative to the content folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogDiff {
    pub added: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    /// Still playable, but the file (size, mtime) or its manifest settings changed.
    pub changed: Vec<PathBuf>,
    /// Rejected now and not (for this reason) before.
    pub newly_rejected: Vec<Rejected>,
    /// Integrity incidents not in the previous scan: one journal `integrity` incident each.
    pub new_integrity: Vec<String>,
}

impl CatalogDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.newly_rejected.is_empty()
            && self.new_integrity.is_empty()
    }
}

fn rel_string(rel: &Path) -> String {
    rel.to_string_lossy().into_owned()
}

impl Catalog {
    /// For `infokiosk catalog --json`: paths relative to the content folder.
    pub fn to_json(&self) -> Value {
        let playable: Vec<Value> = self
            .items
            .iter()
            .map(|item| {
                json!({
                    "path": rel_string(&item.rel),
                    "kind": item.kind,
                    "language": item.language,
                    "group": item.group,
                    "size": item.size,
                    "duration_ms": item.play_duration().map(|d| d.as_millis() as u64),
                    "width": item.info.map(|i| i.width),
                    "height": item.info.map(|i| i.height),
                    "urgent": item.urgent,
                    "from": item.from.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                    "until": item.until.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                })
            })
            .collect();
        let rejected: Vec<Value> = self
            .rejected
            .iter()
            .map(|r| json!({ "path": rel_string(&r.rel), "reason": r.reason }))
            .collect();
        let sidecars: Vec<Value> = self
            .sidecars
            .iter()
            .map(|s| json!({ "path": rel_string(&s.rel), "kind": s.kind, "language": s.language, "group": s.group }))
            .collect();
        let missing: Vec<Value> = self
            .missing_variants
            .iter()
            .map(|(group, languages)| json!({ "group": group, "missing": languages }))
            .collect();
        json!({
            "playable": playable,
            "rejected": rejected,
            "pending": self.pending.iter().map(|p| rel_string(p)).collect::<Vec<_>>(),
            "sidecars": sidecars,
            "missing_variants": missing,
            "manifest_error": self.manifest_error,
            "manifest_version": self.manifest_version,
            "warnings": self.warnings,
            "integrity": self.integrity,
        })
    }

    /// The captions next to this item's file (`NAME.LANG.srt|vtt` for `NAME.LANG.mp4`), matched
    /// by file name so they follow a video that playlist.yaml puts in a differently named group.
    pub fn captions_for<'a>(&'a self, item: &Item) -> impl Iterator<Item = &'a Sidecar> + 'a {
        let group = file_group(&item.rel);
        self.sidecars
            .iter()
            .filter(move |s| s.kind == SidecarKind::Captions && Some(&s.group) == group.as_ref())
    }

    /// The background picture of a text slide: `NAME.LANG.bg.png` next to
    /// `NAME.LANG.txt|md`, else `NAME.bg.png`; matched by file name, as
    /// captions are.
    pub fn background_for(&self, item: &Item) -> Option<&Sidecar> {
        let group = file_group(&item.rel)?;
        let backgrounds = || {
            self.sidecars
                .iter()
                .filter(|s| s.kind == SidecarKind::Background && s.group == group)
        };
        backgrounds()
            .find(|s| s.language == item.language)
            .or_else(|| backgrounds().find(|s| s.language == Language::Neutral))
    }

    /// What changed from `self` to `newer`; order changes alone are not reported.
    pub fn diff(&self, newer: &Catalog) -> CatalogDiff {
        let old: HashMap<&Path, &Item> = self.items.iter().map(|i| (i.rel.as_path(), i)).collect();
        let new: HashMap<&Path, &Item> = newer.items.iter().map(|i| (i.rel.as_path(), i)).collect();
        let mut diff = CatalogDiff::default();
        for item in &newer.items {
            match old.get(item.rel.as_path()) {
                None => diff.added.push(item.rel.clone()),
                Some(before) if *before != item => diff.changed.push(item.rel.clone()),
                Some(_) => {}
            }
        }
        diff.removed = self
            .items
            .iter()
            .filter(|i| !new.contains_key(i.rel.as_path()))
            .map(|i| i.rel.clone())
            .collect();
        let seen: HashSet<(&Path, &str)> = self
            .rejected
            .iter()
            .map(|r| (r.rel.as_path(), r.reason.as_str()))
            .collect();
        diff.newly_rejected = newer
            .rejected
            .iter()
            .filter(|r| !seen.contains(&(r.rel.as_path(), r.reason.as_str())))
            .cloned()
            .collect();
        let known: HashSet<&str> = self.integrity.iter().map(String::as_str).collect();
        diff.new_integrity = newer
            .integrity
            .iter()
            .filter(|incident| !known.contains(incident.as_str()))
            .cloned()
            .collect();
        diff
    }
}

/// Groups with some spoken-language variants but not all three; neutral-only groups are complete.
pub(crate) fn missing_variants(items: &[Item]) -> Vec<(String, Vec<Language>)> {
    let mut present: BTreeMap<&str, HashSet<Language>> = BTreeMap::new();
    for item in items.iter().filter(|i| i.language != Language::Neutral) {
        present
            .entry(&item.group)
            .or_default()
            .insert(item.language);
    }
    present
        .into_iter()
        .filter_map(|(group, have)| {
            let missing: Vec<Language> = Language::SPOKEN
                .into_iter()
                .filter(|l| !have.contains(l))
                .collect();
            (!missing.is_empty()).then(|| (group.to_owned(), missing))
        })
        .collect()
}

/// Play order, then every file that will not play and why.
pub fn describe_catalog(catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "playable ({}), in play order:", catalog.items.len());
    for (n, item) in catalog.items.iter().enumerate() {
        let size = item
            .info
            .map(|i| format!("  {}x{}", i.width, i.height))
            .unwrap_or_default();
        let duration = item
            .play_duration()
            .map(|d| format!("  {:.1} s", d.as_secs_f64()))
            .unwrap_or_default();
        let urgent = if item.urgent { "  URGENT" } else { "" };
        let _ = writeln!(
            out,
            "{:>4}. {}  [{} {}]{size}{duration}{urgent}",
            n + 1,
            item.rel.display(),
            item.kind.name(),
            item.language.code(),
        );
    }
    if !catalog.rejected.is_empty() {
        let _ = writeln!(out, "\nnot played ({}):", catalog.rejected.len());
        for r in &catalog.rejected {
            let _ = writeln!(out, "  {}: {}", r.rel.display(), r.reason);
        }
    }
    if !catalog.pending.is_empty() {
        let _ = writeln!(
            out,
            "\nstill being written, played once settled ({}):",
            catalog.pending.len()
        );
        for p in &catalog.pending {
            let _ = writeln!(out, "  {}", p.display());
        }
    }
    for (group, missing) in &catalog.missing_variants {
        let codes: Vec<&str> = missing.iter().map(|l| l.code()).collect();
        let _ = writeln!(out, "note: {group} has no {} version", codes.join(", "));
    }
    for warning in &catalog.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for incident in &catalog.integrity {
        let _ = writeln!(out, "INTEGRITY: {incident}");
    }
    if let Some(error) = &catalog.manifest_error {
        let _ = writeln!(out, "manifest error (the last good order is kept): {error}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Kind, MediaInfo};
    use std::time::{Duration, SystemTime};

    fn item(rel: &str, group: &str, language: Language) -> Item {
        Item {
            path: Path::new("/c").join(rel),
            rel: rel.into(),
            kind: Kind::Video,
            language,
            group: group.into(),
            size: 100,
            modified: SystemTime::UNIX_EPOCH,
            info: Some(MediaInfo {
                duration: Some(Duration::from_millis(1500)),
                width: 640,
                height: 360,
            }),
            duration: None,
            urgent: false,
            from: None,
            until: None,
        }
    }

    #[test]
    fn json_has_the_documented_shape() {
        let catalog = Catalog {
            items: vec![item(
                "campaign/welcome.vi.mp4",
                "campaign/welcome",
                Language::Vi,
            )],
            rejected: vec![Rejected {
                rel: "a.jpg".into(),
                reason: "empty file (0 bytes)".into(),
            }],
            pending: vec!["b.mp4".into()],
            ..Default::default()
        };
        let json = catalog.to_json();
        let first = &json["playable"][0];
        assert_eq!(first["path"], "campaign/welcome.vi.mp4");
        assert_eq!(first["kind"], "video");
        assert_eq!(first["language"], "vi");
        assert_eq!(first["group"], "campaign/welcome");
        assert_eq!(first["size"], 100);
        assert_eq!(first["duration_ms"], 1500);
        assert_eq!(
            (first["width"].as_u64(), first["height"].as_u64()),
            (Some(640), Some(360))
        );
        assert_eq!(first["urgent"], false);
        assert_eq!(
            json["rejected"][0],
            json!({ "path": "a.jpg", "reason": "empty file (0 bytes)" })
        );
        assert_eq!(json["pending"], json!(["b.mp4"]));
    }

    #[test]
    fn diff_reports_added_removed_changed_and_newly_rejected() {
        let old = Catalog {
            items: vec![
                item("a.mp4", "a", Language::Neutral),
                item("b.mp4", "b", Language::Neutral),
                item("c.mp4", "c", Language::Neutral),
            ],
            rejected: vec![Rejected {
                rel: "x.jpg".into(),
                reason: "empty file (0 bytes)".into(),
            }],
            ..Default::default()
        };
        let mut changed = item("b.mp4", "b", Language::Neutral);
        changed.size = 200;
        let new = Catalog {
            // c before b: order alone is no change
            items: vec![
                item("c.mp4", "c", Language::Neutral),
                changed,
                item("d.mp4", "d", Language::Neutral),
            ],
            rejected: vec![
                Rejected {
                    rel: "x.jpg".into(),
                    reason: "empty file (0 bytes)".into(),
                },
                Rejected {
                    rel: "a.mp4".into(),
                    reason: "missing plugin".into(),
                },
            ],
            ..Default::default()
        };
        let diff = old.diff(&new);
        assert_eq!(diff.added, [PathBuf::from("d.mp4")]);
        assert_eq!(diff.removed, [PathBuf::from("a.mp4")]);
        assert_eq!(diff.changed, [PathBuf::from("b.mp4")]);
        assert_eq!(
            diff.newly_rejected,
            [Rejected {
                rel: "a.mp4".into(),
                reason: "missing plugin".into()
            }]
        );
        assert!(new.diff(&new).is_empty());
    }

    #[test]
    fn missing_variants_per_group() {
        let items = vec![
            item("a.vi.mp4", "a", Language::Vi),
            item("a.km.mp4", "a", Language::Km),
            item("logo.png", "logo", Language::Neutral),
            item("b.vi.mp4", "b", Language::Vi),
            item("b.en.mp4", "b", Language::En),
            item("b.km.mp4", "b", Language::Km),
            item("c.en.md", "c", Language::En),
        ];
        assert_eq!(
            missing_variants(&items),
            [
                ("a".to_owned(), vec![Language::En]),
                ("c".to_owned(), vec![Language::Vi, Language::Km])
            ]
        );
    }
}
