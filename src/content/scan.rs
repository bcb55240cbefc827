//! The `Scanner`: turns the content folder into a `Catalog`, remembering probes and the last good playlist.yaml.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::arrange::{arrange, listed_files};
use super::cache::ProbeCache;
use super::catalog::missing_variants;
use super::inspect::MediaLimits;
use super::integrity::{Checksums, ManifestInUse};
use super::judge::{Findings, Judge, reject_orphan_backgrounds, reject_orphan_captions};
use super::naming::nfc;
use super::settle::Settling;
use super::walk::{What, walk};
use super::{Catalog, Kind, Language, Probe, ScanOptions};

/// Scans one content folder, again and again: keeps the probe cache, the files still settling
/// and the last playlist.yaml that parsed.
#[derive(Debug)]
pub struct Scanner {
    content_dir: PathBuf,
    opts: ScanOptions,
    cache: ProbeCache,
    settling: Settling,
    manifest: ManifestInUse,
}

impl Scanner {
    /// `cache_file`: the probe cache (JSON) under the data folder; `None` keeps it in memory only.
    pub fn new(content_dir: PathBuf, opts: ScanOptions, cache_file: Option<PathBuf>) -> Self {
        let content_dir = std::path::absolute(&content_dir).unwrap_or(content_dir);
        Scanner {
            content_dir,
            manifest: ManifestInUse::new(&opts),
            settling: Settling::new(opts.settle),
            opts,
            cache: ProbeCache::new(cache_file),
        }
    }

    pub fn content_dir(&self) -> &Path {
        &self.content_dir
    }

    pub fn options(&self) -> &ScanOptions {
        &self.opts
    }

    /// Files read to be hashed so far (tests: unchanged files are not read again).
    #[cfg(test)]
    pub(crate) fn files_read(&self) -> usize {
        self.manifest.files_read()
    }

    /// Forgets every cached probe, e.g. after a missing GStreamer plugin was installed: cached
    /// probe errors otherwise stand until the file changes.
    pub fn clear_cache(&mut self) {
        self.cache.ensure_loaded();
        self.cache.clear();
    }

    /// One full scan. `now` decides which files are still being written.
    pub fn scan(&mut self, probe: &mut dyn Probe, now: SystemTime) -> Catalog {
        let mut catalog = Catalog::default();
        let walked = fs::canonicalize(&self.content_dir)
            .map_err(|e| {
                format!(
                    "content folder {} cannot be read: {e}",
                    self.content_dir.display()
                )
            })
            .and_then(|root| Ok((walk(&self.content_dir, &root)?, root)));
        let (walked, root) = match walked {
            Ok(walked) => walked,
            Err(warning) => {
                catalog.warnings.push(warning);
                return catalog;
            }
        };
        self.cache.ensure_loaded();
        let mut found = Findings {
            rejected: walked.rejected,
            ..Default::default()
        };
        self.manifest.update(
            &self.content_dir,
            [walked.manifest, walked.signature],
            &mut self.settling,
            now,
            &mut catalog,
            &mut found,
        );
        let manifest = self.manifest.last_good.clone();
        let listed = manifest.as_ref().map(listed_files).unwrap_or_default();
        let present: HashSet<String> = walked.files.iter().map(|f| f.rel_str.clone()).collect();
        let video_groups: HashSet<String> = walked
            .files
            .iter()
            .filter(|f| {
                matches!(
                    f.what,
                    What::Media {
                        kind: Kind::Video,
                        ..
                    }
                )
            })
            .map(|f| f.group.clone())
            .collect();
        let slides: HashSet<(String, Language)> = walked
            .files
            .iter()
            .filter_map(|f| match f.what {
                What::Media {
                    kind: Kind::Text,
                    language,
                    ..
                } => Some((f.group.clone(), language)),
                _ => None,
            })
            .collect();
        let unsigned = Checksums::default();
        let checksums = manifest.as_ref().map_or(&unsigned, |m| &m.checksums);
        let gate = self.manifest.gate(checksums);
        let mut judge = Judge {
            content_dir: &self.content_dir,
            cache: &mut self.cache,
            settling: &mut self.settling,
            probe,
            limits: MediaLimits {
                max_image_pixels: self.opts.max_image_pixels,
                max_texture_side: self.opts.max_texture_side,
            },
            listed: &listed,
            now,
            gate,
        };
        for file in walked.files {
            judge.judge(file, &mut found);
        }
        reject_orphan_captions(&mut found, &video_groups);
        reject_orphan_backgrounds(&mut found, &slides);

        found.known.rejected = found
            .rejected
            .iter()
            .map(|r| (nfc(&r.rel.to_string_lossy()), r.reason.clone()))
            .collect();
        let arranged = arrange(
            found.items,
            manifest.as_ref(),
            self.opts.unlisted,
            &found.known,
            &root,
        );
        found.rejected.extend(arranged.rejected);
        found.rejected.sort_by(|a, b| {
            a.rel
                .as_os_str()
                .as_encoded_bytes()
                .cmp(b.rel.as_os_str().as_encoded_bytes())
        });
        found.pending.sort();

        self.settling.finish_scan();
        self.cache.retain(&present);
        if !self.opts.inspect_only
            && let Err(warning) = self.cache.save()
        {
            catalog.warnings.push(warning);
        }
        catalog.warnings.extend(self.manifest.finish_scan(&present));
        catalog.integrity.extend(found.integrity);
        catalog.missing_variants = missing_variants(&arranged.items);
        catalog.items = arranged.items;
        catalog.sidecars = found.sidecars;
        catalog.rejected = found.rejected;
        catalog.pending = found.pending;
        catalog.warnings.extend(arranged.warnings);
        catalog.manifest_version = manifest.and_then(|m| m.version);
        catalog
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::tests::fixtures::*;
    use std::fs::File;

    #[test]
    fn unchanged_files_are_not_probed_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("data/probe-cache.json");
        let content = dir.path().join("content");
        put(&content, "a.vi.mp4", b"video a");
        put(&content, "b.vi.mp4", b"video b");
        put(&content, "logo.png", &png_header(640, 360));
        let mut probe = FakeProbe::default();
        let mut scanner =
            Scanner::new(content.clone(), ScanOptions::default(), Some(cache.clone()));
        let first = scanner.scan(&mut probe, later());
        assert_eq!(probe.calls, ["a.vi.mp4", "b.vi.mp4"]);
        assert_eq!(scanner.scan(&mut probe, later()), first);
        assert_eq!(probe.calls.len(), 2, "second scan: all from the cache");

        // After a restart the cache file answers; the image header is not read again either:
        // same size and mtime, new bytes that would be refused, and it is still accepted.
        let logo = content.join("logo.png");
        let mtime = fs::metadata(&logo).unwrap().modified().unwrap();
        fs::write(&logo, png_header(20_000, 20_000)).unwrap();
        File::options()
            .write(true)
            .open(&logo)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let mut scanner = Scanner::new(content.clone(), ScanOptions::default(), Some(cache));
        let again = scanner.scan(&mut probe, later());
        assert_eq!(probe.calls.len(), 2);
        assert_eq!(playable(&again), ["a.vi.mp4", "b.vi.mp4", "logo.png"]);

        // A replaced file (new size) is probed again.
        put(&content, "b.vi.mp4", b"video b, re-encoded");
        scanner.scan(&mut probe, later());
        assert_eq!(probe.calls, ["a.vi.mp4", "b.vi.mp4", "b.vi.mp4"]);
    }

    #[test]
    fn broken_manifest_keeps_the_last_good_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        put(d, "a.png", &png_header(10, 10));
        put(d, "b.png", &png_header(10, 10));
        put(d, "playlist.yaml", b"items:\n  - file: b.png\n");
        let mut scanner = Scanner::new(d.into(), ScanOptions::default(), None);
        let mut probe = FakeProbe::default();
        assert_eq!(
            playable(&scanner.scan(&mut probe, later())),
            ["b.png", "a.png"]
        );

        put(
            d,
            "playlist.yaml",
            b"items:\n  - file: a.png\n    duraton: 5\n",
        );
        let catalog = scanner.scan(&mut probe, later());
        let error = catalog.manifest_error.as_deref().unwrap();
        assert!(
            error.starts_with("playlist.yaml line 3 column 5: "),
            "{error}"
        );
        assert!(error.contains("duraton"), "{error}");
        assert_eq!(playable(&catalog), ["b.png", "a.png"], "last good order");

        fs::remove_file(d.join("playlist.yaml")).unwrap();
        let catalog = scanner.scan(&mut probe, later());
        assert_eq!(playable(&catalog), ["a.png", "b.png"]);
        assert_eq!(catalog.manifest_error, None);
    }

    #[test]
    fn rescan_diff_and_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        put(d, "a.png", &png_header(10, 10));
        put(d, "b.png", &png_header(10, 10));
        let mut scanner = Scanner::new(d.into(), ScanOptions::default(), None);
        let mut probe = FakeProbe::default();
        let before = scanner.scan(&mut probe, later());
        fs::remove_file(d.join("a.png")).unwrap();
        put(d, "b.png", &png_header(20, 20));
        put(d, "c.png", &png_header(10, 10));
        put(d, "d.png", b"");
        let diff = before.diff(&scanner.scan(&mut probe, later()));
        assert_eq!(
            (diff.added, diff.removed, diff.changed),
            (
                vec!["c.png".into()],
                vec!["a.png".into()],
                vec!["b.png".into()]
            )
        );
        assert_eq!(diff.newly_rejected.len(), 1);

        let mut gone = Scanner::new(d.join("nope"), ScanOptions::default(), None);
        let catalog = gone.scan(&mut probe, later());
        assert!(catalog.items.is_empty());
        assert!(
            catalog.warnings[0].contains("cannot be read"),
            "{:?}",
            catalog.warnings
        );
    }
}
