//! The content folder's checks: the catalog, every clip probed, every
//! picture decoded.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Check, Verdict};
use crate::config::KioskConfig;
use crate::content::{Catalog, Kind, MediaInfo, Probe, Scanner};

/// A probe that remembers each clip's result.
struct ProbeLog<'a> {
    inner: &'a mut dyn Probe,
    results: Vec<(PathBuf, Result<(), String>)>,
}

impl Probe for ProbeLog<'_> {
    fn probe_video(&mut self, path: &Path) -> Result<MediaInfo, String> {
        let result = self.inner.probe_video(path);
        self.results.push((
            path.to_owned(),
            result.as_ref().map(drop).map_err(Clone::clone),
        ));
        result
    }
}

/// `content`, `videos` and `images`. The scan uses no probe cache: an
/// inspection probes every clip afresh (a plugin may have been removed).
/// It is an inspection (`ScanOptions::inspect_only`): the running player's
/// verified copies and trust state are read, never written or pruned.
pub(super) fn content_checks(
    config: &KioskConfig,
    probe: &mut dyn Probe,
    now: SystemTime,
) -> Vec<Check> {
    let dir = &config.content_dir;
    if let Err(e) = std::fs::read_dir(dir) {
        let reason = format!("content folder {} cannot be read: {e}", dir.display());
        let skipped = "not checked: the content folder cannot be read";
        return vec![
            Check::fail("content", reason),
            Check::warn("videos", skipped),
            Check::warn("images", skipped),
        ];
    }
    let mut scanner = Scanner::new(dir.clone(), config.scan_options().inspect_only(), None);
    let mut log = ProbeLog {
        inner: probe,
        results: Vec::new(),
    };
    let catalog = scanner.scan(&mut log, now);
    let content_dir = scanner.content_dir().to_owned();
    vec![
        catalog_check(&catalog, dir),
        videos_check(&log.results, &content_dir),
        images_check(&catalog),
    ]
}

fn catalog_check(catalog: &Catalog, dir: &Path) -> Check {
    let count = |kind| catalog.items.iter().filter(|i| i.kind == kind).count();
    let (images, videos, texts) = (count(Kind::Image), count(Kind::Video), count(Kind::Text));
    let texts = match texts {
        0 => String::new(),
        n => format!(", {n} text slides"),
    };
    let problems: Vec<_> = catalog
        .rejected
        .iter()
        .filter(|r| !r.is_temporary())
        .collect();
    let mut reason = format!(
        "{}: {} playable ({images} pictures, {videos} clips{texts}), {} not played",
        dir.display(),
        catalog.items.len(),
        catalog.rejected.len(),
    );
    if !catalog.pending.is_empty() {
        reason += &format!(", {} still being written", catalog.pending.len());
    }
    let mut details: Vec<String> = problems
        .iter()
        .map(|r| format!("{}: {}", r.rel.display(), r.reason))
        .collect();
    details.extend(
        catalog
            .manifest_error
            .iter()
            .map(|e| format!("manifest: {e}")),
    );
    details.extend(catalog.warnings.iter().cloned());
    details.extend(catalog.missing_variants.iter().map(|(group, missing)| {
        let codes: Vec<&str> = missing.iter().map(|l| l.code()).collect();
        format!("note: {group} has no {} version", codes.join(", "))
    }));
    let verdict = if catalog.items.is_empty() {
        reason += "; the \"no content\" slide shows";
        Verdict::Warn
    } else if problems.is_empty() && catalog.manifest_error.is_none() {
        Verdict::Pass
    } else {
        Verdict::Warn
    };
    Check::new("content", verdict, reason).with_details(details)
}

/// A failure that is the kiosk's, not one file's: GStreamer or a plugin
/// missing. The texts are [`crate::media::DiscovererProbe`]'s.
fn is_system_failure(reason: &str) -> bool {
    reason.starts_with("missing GStreamer plugin") || reason.starts_with("cannot probe videos")
}

fn videos_check(results: &[(PathBuf, Result<(), String>)], content_dir: &Path) -> Check {
    if results.is_empty() {
        return Check::pass("videos", "no clips to probe");
    }
    let failed: Vec<(String, &str)> = results
        .iter()
        .filter_map(|(path, result)| {
            let rel = path.strip_prefix(content_dir).unwrap_or(path);
            result
                .as_ref()
                .err()
                .map(|e| (rel.display().to_string(), e.as_str()))
        })
        .collect();
    let details = failed
        .iter()
        .map(|(rel, e)| format!("{rel}: {e}"))
        .collect();
    let total = results.len();
    let check = if let Some((_, e)) = failed.iter().find(|(_, e)| is_system_failure(e)) {
        Check::fail(
            "videos",
            format!("GStreamer cannot decode clips on this kiosk: {e}"),
        )
    } else if failed.is_empty() {
        Check::pass(
            "videos",
            format!("all {total} clips decodable (GStreamer Discoverer)"),
        )
    } else {
        Check::warn(
            "videos",
            format!(
                "{} of {total} clips cannot be decoded; they are skipped",
                failed.len()
            ),
        )
    };
    check.with_details(details)
}

/// Decodes every playable picture as the player would, a few at a time.
fn images_check(catalog: &Catalog) -> Check {
    let pictures: Vec<&crate::content::Item> = catalog
        .items
        .iter()
        .filter(|i| i.kind == Kind::Image)
        .collect();
    if pictures.is_empty() {
        return Check::pass("images", "no pictures to decode");
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let chunk = pictures.len().div_ceil(threads);
    let failed: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = pictures
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter_map(|item| {
                            crate::player::decode_picture(&item.path)
                                .err()
                                .map(|e| format!("{}: {e}", item.rel.display()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|_| vec!["a decoder crashed".into()])
            })
            .collect()
    });
    let total = pictures.len();
    if failed.is_empty() {
        Check::pass("images", format!("all {total} pictures decode"))
    } else {
        let reason = format!(
            "{} of {total} pictures cannot be decoded; they are skipped",
            failed.len()
        );
        Check::warn("images", reason).with_details(failed)
    }
}
