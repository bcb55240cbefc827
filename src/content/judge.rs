//! Judging one found file: playable item, sidecar, rejected with a reason, or still being written.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::arrange::Known;
use super::cache::ProbeCache;
use super::inspect::{MediaLimits, Subject, inspect};
use super::integrity::{Gate, Refusal};
use super::naming::{MANIFEST, nfc};
use super::settle::Settling;
use super::walk::{Found, What};
use super::{Item, Kind, Language, MAX_BACKGROUND_BYTES, Probe, Rejected, Sidecar, SidecarKind};

/// One scan's findings before they are put in play order.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub items: Vec<Item>,
    pub sidecars: Vec<Sidecar>,
    pub rejected: Vec<Rejected>,
    pub pending: Vec<PathBuf>,
    pub known: Known,
    /// Files refused by the signed manifest, as "rel: reason".
    pub integrity: Vec<String>,
}

/// What judging needs from the scanner for one scan.
pub(crate) struct Judge<'a> {
    pub content_dir: &'a Path,
    pub cache: &'a mut ProbeCache,
    pub settling: &'a mut Settling,
    pub probe: &'a mut dyn Probe,
    pub limits: MediaLimits,
    /// NFC paths playlist.yaml names one by one.
    pub listed: &'a HashSet<String>,
    pub now: SystemTime,
    /// With `trust.require_signature`: files play from where the gate says, or not at all.
    pub gate: Option<Gate<'a>>,
}

impl Judge<'_> {
    /// The cheap checks first: a file being written is never opened, an empty one never probed.
    pub fn judge(&mut self, file: Found, out: &mut Findings) {
        let reject = |out: &mut Findings, rel, reason| out.rejected.push(Rejected { rel, reason });
        if let What::Media { conflict: true, .. } = file.what
            && !self.listed.contains(&nfc(&file.rel_str))
        {
            let reason = format!(
                "Syncthing conflict copy (two edits collided): list it in {MANIFEST} to play it, or delete it"
            );
            return reject(out, file.rel, reason);
        }
        if !self
            .settling
            .is_settled(&file.rel_str, file.size, file.modified, self.now)
        {
            out.known.pending.insert(nfc(&file.rel_str));
            out.known.pending_groups.insert(file.group);
            out.pending.push(file.rel);
            return;
        }
        if file.size == 0 {
            return reject(out, file.rel, "empty file (0 bytes)".into());
        }
        let mut path = self.content_dir.join(&file.rel);
        if let Some(gate) = &mut self.gate {
            match gate.admit(&path, &file.rel_str, file.stamp) {
                Ok(verified) => path = verified,
                Err(Refusal::Integrity(reason)) => {
                    out.integrity.push(format!("{}: {reason}", file.rel_str));
                    return reject(out, file.rel, reason);
                }
                Err(Refusal::Failed(reason)) => return reject(out, file.rel, reason),
            }
        }
        let (kind, language) = match file.what {
            What::Sidecar { kind, language } => {
                if kind == SidecarKind::Background
                    && let Err(reason) = self.check_background(&path, &file)
                {
                    return reject(out, file.rel, reason);
                }
                let sidecar = Sidecar {
                    rel: file.rel,
                    path,
                    kind,
                    language,
                    group: file.group,
                    size: file.size,
                    modified: file.modified,
                };
                out.sidecars.push(sidecar);
                return;
            }
            What::Media { kind, language, .. } => (kind, language),
        };
        let subject = Subject {
            path: &path,
            rel: &file.rel_str,
            kind,
            size: file.size,
            modified: file.modified,
        };
        match inspect(&subject, self.cache, self.probe, self.limits) {
            Err(reason) => reject(out, file.rel, reason),
            Ok(info) => out.items.push(Item {
                path,
                rel: file.rel,
                kind,
                language,
                group: file.group,
                size: file.size,
                modified: file.modified,
                info,
                duration: None,
                urgent: file.urgent,
                from: None,
                until: None,
            }),
        }
    }

    /// A slide's background picture: refused when larger than
    /// [`MAX_BACKGROUND_BYTES`], or when its header says it is no picture or
    /// one over the pixel limit (the slide still shows, on the theme's colour).
    fn check_background(&mut self, path: &Path, file: &Found) -> Result<(), String> {
        if file.size > MAX_BACKGROUND_BYTES {
            return Err(format!(
                "background picture of {} MiB, larger than {} MiB: save it smaller (a 1920x1080 JPEG is enough)",
                file.size.div_ceil(1 << 20),
                MAX_BACKGROUND_BYTES >> 20
            ));
        }
        let subject = Subject {
            path,
            rel: &file.rel_str,
            kind: Kind::Image,
            size: file.size,
            modified: file.modified,
        };
        inspect(&subject, self.cache, self.probe, self.limits)
            .map(|_| ())
            .map_err(|reason| format!("background picture not usable: {reason}"))
    }
}

/// A background picture with no text slide of its name and language next
/// to it would never be shown: say so (a `NAME.bg.png` goes with any
/// language of the slide `NAME`).
pub(crate) fn reject_orphan_backgrounds(
    found: &mut Findings,
    slides: &HashSet<(String, Language)>,
) {
    let has_slide = |s: &Sidecar| {
        slides.contains(&(s.group.clone(), s.language))
            || s.language == Language::Neutral && slides.iter().any(|(g, _)| *g == s.group)
    };
    reject_orphans(found, |s| {
        if s.kind != SidecarKind::Background || has_slide(s) {
            return None;
        }
        let slide = match s.language {
            Language::Neutral => s.group.clone(),
            language => format!("{}.{}", s.group, language.code()),
        };
        Some(format!(
            "background picture without a text slide: no {slide}.txt or {slide}.md next to it"
        ))
    });
}

/// Captions for a video that is not there would never be shown: say so.
pub(crate) fn reject_orphan_captions(found: &mut Findings, video_groups: &HashSet<String>) {
    reject_orphans(found, |s| {
        (s.kind == SidecarKind::Captions && !video_groups.contains(&s.group)).then(|| {
            format!(
                "captions without a video: no video named {}.* next to it",
                s.group
            )
        })
    });
}

/// Moves each sidecar `orphaned` gives a reason for from `found.sidecars`
/// to `found.rejected`, both kept in order.
fn reject_orphans(found: &mut Findings, orphaned: impl Fn(&Sidecar) -> Option<String>) {
    for sidecar in std::mem::take(&mut found.sidecars) {
        match orphaned(&sidecar) {
            Some(reason) => found.rejected.push(Rejected {
                rel: sidecar.rel,
                reason,
            }),
            None => found.sidecars.push(sidecar),
        }
    }
}
