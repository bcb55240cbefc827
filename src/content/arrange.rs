//! Play order: playlist.yaml entries first, in their order, then the unlisted files by name (or none).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::{Entry, Manifest, Selection};
use super::naming::{MANIFEST, inside_path, nfc};
use super::{Item, Rejected, Unlisted};

/// What the scan already knows about files that are not playable, to explain manifest entries.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// NFC rel path -> reason.
    pub rejected: HashMap<String, String>,
    /// NFC rel paths still being written.
    pub pending: HashSet<String>,
    pub pending_groups: HashSet<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Arranged {
    pub items: Vec<Item>,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<String>,
}

/// The files that playlist.yaml names one by one (NFC): a Syncthing conflict copy among them is played.
pub(crate) fn listed_files(manifest: &Manifest) -> HashSet<String> {
    let mut listed = HashSet::new();
    for entry in &manifest.items {
        if let Selection::Files { paths, .. } = &entry.select {
            for path in paths {
                if let Some(rel) = inside_path(path).ok().and_then(|p| p.to_str().map(nfc)) {
                    listed.insert(rel);
                }
            }
        }
    }
    listed
}

/// Orders `items` (given in name order) by the manifest, if any; `root` is the canonical
/// content folder, used to tell a symlink escape from a missing file.
pub(crate) fn arrange(
    items: Vec<Item>,
    manifest: Option<&Manifest>,
    unlisted: Unlisted,
    known: &Known,
    root: &Path,
) -> Arranged {
    let Some(manifest) = manifest else {
        return Arranged {
            items,
            ..Default::default()
        };
    };
    let mut out = Arranged::default();
    let by_rel: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (nfc(&item.rel.to_string_lossy()), i))
        .collect();
    let mut by_group: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        by_group.entry(item.group.as_str()).or_default().push(i);
    }
    // Index of the entry that placed each item, and the order they go in.
    let mut placed_by: Vec<Option<usize>> = vec![None; items.len()];
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (number, entry) in (1..).zip(&manifest.items) {
        let selected = match &entry.select {
            Selection::Group(group) => {
                let group = nfc(group.trim_end_matches('/'));
                let found = by_group.get(group.as_str()).cloned().unwrap_or_default();
                if found.is_empty() && !known.pending_groups.contains(&group) {
                    out.rejected.push(Rejected {
                        rel: PathBuf::from(&group),
                        reason: format!("listed in {MANIFEST} (item {number}) but no playable file has this group name"),
                    });
                }
                found
            }
            Selection::Files { paths, .. } => paths
                .iter()
                .filter_map(|path| find_file(path, number, &by_rel, known, root, &mut out))
                .collect(),
        };
        for i in selected {
            match placed_by[i] {
                Some(first) => out.warnings.push(format!(
                    "{MANIFEST} item {number}: {} is already listed in item {first}; it plays at its first place",
                    items[i].rel.display()
                )),
                None => {
                    placed_by[i] = Some(number);
                    order.push((i, number - 1));
                }
            }
        }
    }
    let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    for (i, entry) in order {
        if let Some(mut item) = slots[i].take() {
            apply(&manifest.items[entry], &mut item);
            out.items.push(item);
        }
    }
    let unlisted = manifest.unlisted.unwrap_or(unlisted);
    for item in slots.into_iter().flatten() {
        match unlisted {
            // The urgent/ folder is how an urgent item goes on air without editing the manifest.
            Unlisted::Play => out.items.push(item),
            Unlisted::Ignore if item.urgent => out.items.push(item),
            Unlisted::Ignore => out.rejected.push(Rejected {
                rel: item.rel,
                reason: format!("not listed in {MANIFEST} (unlisted: ignore)"),
            }),
        }
    }
    out
}

fn apply(entry: &Entry, item: &mut Item) {
    if let Selection::Files {
        group: Some(group), ..
    } = &entry.select
    {
        item.group = nfc(group.trim_end_matches('/'));
    }
    item.duration = entry.duration.or(item.duration);
    item.from = entry.from;
    item.until = entry.until;
    item.urgent |= entry.urgent;
}

/// The item a `file`/`files` path names; anything else is reported in `out`.
fn find_file(
    written: &str,
    number: usize,
    by_rel: &HashMap<String, usize>,
    known: &Known,
    root: &Path,
    out: &mut Arranged,
) -> Option<usize> {
    let refuse = |out: &mut Arranged, reason: String| {
        out.rejected.push(Rejected {
            rel: PathBuf::from(written),
            reason,
        });
        None
    };
    let rel = match inside_path(written) {
        Ok(rel) => rel,
        Err(reason) => return refuse(out, format!("{MANIFEST} item {number}: {reason}")),
    };
    let key = nfc(&rel.to_string_lossy());
    if let Some(&i) = by_rel.get(&key) {
        return Some(i);
    }
    if known.pending.contains(&key) {
        return None;
    }
    // The file itself, or a folder it is in, may have been refused by the scan.
    if let Some(reason) = known.rejected.get(&key) {
        out.warnings.push(format!(
            "{MANIFEST} item {number}: {} is not played: {reason}",
            rel.display()
        ));
        return None;
    }
    for folder in rel
        .ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
    {
        if let Some(reason) = known.rejected.get(&nfc(&folder.to_string_lossy())) {
            let folder = folder.display();
            return refuse(
                out,
                format!(
                    "{MANIFEST} item {number}: inside {folder}, which is not scanned: {reason}"
                ),
            );
        }
    }
    // Through a symlinked folder, which the walk does not follow.
    if let Ok(target) = fs::canonicalize(root.join(&rel))
        && !target.starts_with(root)
    {
        return refuse(
            out,
            format!("{MANIFEST} item {number}: symlink points outside the content folder"),
        );
    }
    refuse(
        out,
        format!("listed in {MANIFEST} but missing (item {number})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::manifest::parse;
    use crate::content::{Kind, Language};
    use std::time::{Duration, SystemTime};

    fn item(rel: &str, group: &str, language: Language) -> Item {
        Item {
            path: Path::new("/c").join(rel),
            rel: rel.into(),
            kind: Kind::Image,
            language,
            group: group.into(),
            size: 1,
            modified: SystemTime::UNIX_EPOCH,
            info: None,
            duration: None,
            urgent: false,
            from: None,
            until: None,
        }
    }

    fn catalog() -> Vec<Item> {
        vec![
            item("a.jpg", "a", Language::Neutral),
            item("b.km.jpg", "b", Language::Km),
            item("chao.vi.jpg", "chao", Language::Vi),
            item("news/x.jpg", "news/x", Language::Neutral),
            item("welcome.en.jpg", "welcome", Language::En),
        ]
    }

    fn rels(items: &[Item]) -> Vec<&str> {
        items.iter().map(|i| i.rel.to_str().unwrap()).collect()
    }

    #[test]
    fn listed_first_then_unlisted_by_name() {
        let m = parse("items:\n  - group: news/x\n    duration: 7\n  - files: [chao.vi.jpg, welcome.en.jpg]\n    group: welcome\n    urgent: true\n").unwrap();
        let out = arrange(
            catalog(),
            Some(&m),
            Unlisted::Play,
            &Known::default(),
            Path::new("/c"),
        );
        assert_eq!(
            rels(&out.items),
            [
                "news/x.jpg",
                "chao.vi.jpg",
                "welcome.en.jpg",
                "a.jpg",
                "b.km.jpg"
            ]
        );
        assert_eq!(out.items[0].duration, Some(Duration::from_secs(7)));
        assert_eq!(
            out.items[1].group, "welcome",
            "files: joins differently named variants"
        );
        assert!(out.items[1].urgent && out.items[2].urgent && !out.items[3].urgent);
        assert!(out.rejected.is_empty() && out.warnings.is_empty());
    }

    #[test]
    fn unlisted_ignore_rejects_the_rest() {
        let m = parse("unlisted: ignore\nitems:\n  - file: b.km.jpg\n").unwrap();
        let out = arrange(
            catalog(),
            Some(&m),
            Unlisted::Play,
            &Known::default(),
            Path::new("/c"),
        );
        assert_eq!(rels(&out.items), ["b.km.jpg"]);
        assert_eq!(out.rejected.len(), 4);
        assert!(
            out.rejected
                .iter()
                .all(|r| r.reason.starts_with("not listed in playlist.yaml"))
        );
        // The scan options' default applies when the manifest does not say; the urgent/ folder
        // plays whatever the manifest says.
        let m = parse("items:\n  - file: b.km.jpg\n").unwrap();
        let mut items = catalog();
        items.push(item("urgent/flood.jpg", "urgent/flood", Language::Neutral));
        items[5].urgent = true;
        let out = arrange(
            items,
            Some(&m),
            Unlisted::Ignore,
            &Known::default(),
            Path::new("/c"),
        );
        assert_eq!(rels(&out.items), ["b.km.jpg", "urgent/flood.jpg"]);
    }

    #[test]
    fn bad_entries_are_reported_not_fatal() {
        let m = parse(
            "items:\n  - file: ../etc/passwd\n  - file: /etc/passwd\n  - file: gone.jpg\n  - group: nobody\n  - file: empty.jpg\n  - file: a.jpg\n  - file: ./a.jpg\n",
        )
        .unwrap();
        let known = Known {
            rejected: HashMap::from([("empty.jpg".into(), "empty file (0 bytes)".into())]),
            ..Default::default()
        };
        let out = arrange(catalog(), Some(&m), Unlisted::Play, &known, Path::new("/c"));
        assert_eq!(rels(&out.items)[0], "a.jpg");
        assert_eq!(out.items.len(), 5);
        let rows: Vec<_> = out
            .rejected
            .iter()
            .map(|r| (r.rel.to_str().unwrap(), r.reason.as_str()))
            .collect();
        assert_eq!(
            rows[0],
            (
                "../etc/passwd",
                "playlist.yaml item 1: '..' is refused: paths stay inside the content folder"
            )
        );
        assert_eq!(
            rows[1],
            (
                "/etc/passwd",
                "playlist.yaml item 2: absolute paths are refused: give the path relative to the content folder"
            )
        );
        assert_eq!(
            rows[2],
            ("gone.jpg", "listed in playlist.yaml but missing (item 3)")
        );
        assert_eq!(rows[3].0, "nobody");
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("empty.jpg is not played: empty file"));
        assert!(out.warnings[1].contains("already listed in item 6"));
    }
}
