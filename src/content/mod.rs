//! The content folder as a `Catalog`: what can be played, in what order, and why every other file is not.
//!
//! PURE: no Bevy, no GStreamer, no clock. Video probing comes in through the [`Probe`] trait and
//! the current time is a parameter, so the whole module is tested with real files in temp dirs.
//!
//! Naming rules (see `naming.rs`): `NAME.LANG.EXT` with LANG in vi, en, km groups the language
//! variants of one item; `NAME.EXT` is language-neutral. `ticker[.LANG].txt` is the news ticker,
//! `NAME[.LANG].srt|vtt` are captions for the video `NAME.*`. The optional `playlist.yaml`
//! (see `manifest.rs`) sets the order, durations, date ranges and urgent items.
//!
//! Never played, each with a reason in `Catalog::rejected`: hidden and temporary names (`.`, `~`,
//! Syncthing/Nextcloud/rsync temp files), Syncthing conflict copies not listed in playlist.yaml,
//! empty files, folders named like media, symlinks leading out of the folder, unknown types,
//! non-UTF-8 names, images over the pixel limit or with a bad header, videos the probe refuses.
//! Files modified less than `ScanOptions::settle` ago are `pending`, neither played nor rejected.
//!
//! With `ScanOptions::trust.require_signature` (see `integrity/`), a file plays only if
//! playlist.yaml is signed by a trusted minisign key, is not older than the last one accepted, and
//! lists the file with its size and SHA-256; it then plays from a copy in the verified store.
//! Anything else is rejected with the reason and listed in `Catalog::integrity`; while the
//! manifest is refused, the last verified one stays in use. `integrity/signing.rs` has the
//! office's `build_manifest` and the technician's `verify_folder`.
//!
//! The scan is pure; `plugin.rs` (`ContentPlugin`) runs it on a worker thread for the player.
//!
//! Use (the plugin and the CLI):
//!
//! ```text
//! let mut scanner = Scanner::new(content_dir, ScanOptions::default(), Some(data_dir.join("probe-cache.json")));
//! let catalog = scanner.scan(&mut discoverer, SystemTime::now());
//! // catalog.pending not empty: scan again after `settle`.
//! // previous.diff(&catalog): one journal line per added, removed, changed, newly rejected file.
//! ```

mod arrange;
mod cache;
mod catalog;
mod inspect;
mod integrity;
mod judge;
mod manifest;
mod naming;
#[cfg(feature = "player")]
pub mod plugin;
#[cfg(feature = "player")]
mod refused;
mod scan;
mod settle;
#[cfg(test)]
pub(crate) mod tests;
mod walk;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

pub use catalog::{Catalog, CatalogDiff, describe_catalog};
pub use integrity::{AcceptedManifest, accepted_manifest};
pub use integrity::{
    ControlKeys, ManifestBuildError, Release, TrustConfig, TrustError, VerifyReport,
    build_manifest, read_release, verify_folder,
};
pub use scan::Scanner;

/// What the player does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Image,
    Video,
    Text,
}

impl Kind {
    /// The kind a (lower-case) file extension stands for.
    pub fn from_extension(ext: &str) -> Option<Kind> {
        match ext {
            "jpg" | "jpeg" | "png" | "webp" => Some(Kind::Image),
            "mp4" | "mkv" | "webm" | "mov" => Some(Kind::Video),
            "txt" | "md" => Some(Kind::Text),
            _ => None,
        }
    }

    /// The kind a file's extension stands for.
    pub fn of_path(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Kind::from_extension(&ext)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Kind::Image => "image",
            Kind::Video => "video",
            Kind::Text => "text",
        }
    }
}

/// The language of one variant; `Neutral` is a file without a LANG part (no speech, no text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Vi,
    En,
    Km,
    Neutral,
}

impl Language {
    /// The languages a programme is expected in, in the order the rules list them.
    pub const SPOKEN: [Language; 3] = [Language::Vi, Language::En, Language::Km];

    pub fn code(&self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
            Language::Km => "km",
            Language::Neutral => "neutral",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language '{0}': expected vi, en or km")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// Only the three spoken languages: a file name part `neutral` is not a language tag.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "vi" => Ok(Language::Vi),
            "en" => Ok(Language::En),
            "km" => Ok(Language::Km),
            _ => Err(UnknownLanguage(s.to_owned())),
        }
    }
}

/// Dimensions and length of a media file: from the image header, or from the video probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaInfo {
    pub duration: Option<Duration>,
    pub width: u32,
    pub height: u32,
}

/// Video probing, implemented elsewhere with GStreamer's Discoverer.
pub trait Probe {
    /// `Err` is a reason a person can act on, e.g. "missing plugin: H.265 decoder".
    fn probe_video(&mut self, path: &Path) -> Result<MediaInfo, String>;
}

/// One playable file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Absolute path to open: the content folder joined with `rel`; with
    /// `trust.require_signature`, the verified copy in `ScanOptions::verified_store`.
    pub path: PathBuf,
    /// Path relative to the content folder, as on disk.
    pub rel: PathBuf,
    pub kind: Kind,
    pub language: Language,
    /// `rel` without LANG and extension, NFC-normalised, e.g. "campaign/welcome";
    /// or the name a `files:` entry of playlist.yaml gives its files.
    pub group: String,
    pub size: u64,
    pub modified: SystemTime,
    /// Image header or video probe; `None` for text.
    pub info: Option<MediaInfo>,
    /// Per-item duration from playlist.yaml.
    pub duration: Option<Duration>,
    /// In the top-level `urgent/` folder or `urgent: true` in playlist.yaml.
    pub urgent: bool,
    /// Local time (Asia/Ho_Chi_Minh) from which the item may be shown.
    pub from: Option<NaiveDateTime>,
    /// Local time from which the item is no longer shown.
    pub until: Option<NaiveDateTime>,
}

impl Item {
    /// How long to show it: the playlist.yaml duration, else the probed length; `None` for an
    /// image or text without a manifest duration (the config default applies).
    pub fn play_duration(&self) -> Option<Duration> {
        self.duration.or(self.info.and_then(|info| info.duration))
    }
}

/// A file (or playlist.yaml entry) that will not be played, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub rel: PathBuf,
    pub reason: String,
}

impl Rejected {
    /// Hidden and temporary files (a sync or an editor at work): listed in
    /// the catalog, but not incidents worth a journal line.
    pub fn is_temporary(&self) -> bool {
        self.rel
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| naming::hidden_reason(n).is_some())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SidecarKind {
    /// `ticker.LANG.txt` or `ticker.txt`: one headline per line.
    Ticker,
    /// `NAME.LANG.srt|vtt` or `NAME.srt|vtt` next to the video `NAME.*`.
    Captions,
    /// `NAME.LANG.bg.png` (or `.jpg`, `.webp`; `NAME.bg.png` for every
    /// language) next to the text slide `NAME.LANG.txt|md`: drawn behind it.
    Background,
}

/// A slide's background picture larger than this is refused unread.
pub const MAX_BACKGROUND_BYTES: u64 = 32 << 20;

/// A file that goes with the items rather than being one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidecar {
    pub rel: PathBuf,
    pub path: PathBuf,
    pub kind: SidecarKind,
    pub language: Language,
    /// Same rule as [`Item::group`]: captions belong to the video of the same group.
    pub group: String,
    /// Size and modification time: a ticker file rewritten in place is a
    /// changed catalog, so the player reads it again.
    pub size: u64,
    pub modified: SystemTime,
}

/// Files that are in the folder but not in playlist.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unlisted {
    /// Played after the listed items, in name order.
    #[default]
    Play,
    /// Not played; each one is reported as rejected. Files in the top-level `urgent/` folder
    /// still play: dropping a file there is how an urgent item goes on air without a manifest edit.
    Ignore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Images whose header claims more pixels are refused before decoding (decompression bombs).
    pub max_image_pixels: u64,
    /// The render device's largest texture side: wider or taller clips are refused
    /// (`None` when no GPU is known, e.g. `infokiosk catalog`).
    pub max_texture_side: Option<u32>,
    /// Used when playlist.yaml does not say.
    pub unlisted: Unlisted,
    /// A file modified less than this long ago is still being written: `pending`.
    pub settle: Duration,
    /// Signed manifests; the default (nothing required) trusts the folder as it is.
    pub trust: TrustConfig,
    /// With `trust.require_signature`: where the highest accepted manifest version and the last
    /// verified manifest are kept across restarts (e.g. `data_dir/state/trust.json`); `None`
    /// keeps them in memory only.
    pub trust_state: Option<PathBuf>,
    /// With `trust.require_signature`: the folder verified files are copied to and played from
    /// (e.g. `data_dir/verified`); `None` checks files in place, which a file swapped after the
    /// check can defeat: give one to the player.
    pub verified_store: Option<PathBuf>,
    /// An inspection (`infokiosk check`, `catalog`, the overlay's self-test) beside a running
    /// player: it reads the trust state and the probe cache but writes nothing under the data
    /// folder. Files are hashed in place (the verified store is neither filled nor pruned), and
    /// the trust state and the probe cache are never saved, so an inspection of another folder
    /// cannot raise the kiosk's rollback floor. See [`ScanOptions::inspect_only`].
    pub inspect_only: bool,
}

impl ScanOptions {
    /// These options for an inspection that leaves the player's state as it was.
    pub fn inspect_only(self) -> Self {
        ScanOptions {
            inspect_only: true,
            ..self
        }
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_image_pixels: 40_000_000,
            max_texture_side: None,
            unlisted: Unlisted::Play,
            settle: Duration::from_secs(2),
            trust: TrustConfig::default(),
            trust_state: None,
            verified_store: None,
            inspect_only: false,
        }
    }
}
