//! The kiosk configuration file (YAML): keys, defaults and validation.
//!
//! Every key has a default so that a minimal file works; an unknown key or a
//! bad value is an error that names the file and the key.

use std::path::PathBuf;

use serde::Deserialize;

use crate::content::Language;
use crate::playlist::{LanguageMode, PlaylistPolicy};
use crate::schedule::{OperatingSchedule, ScheduleConfig};

mod display;
mod load;
mod outbox;
mod overlay;
#[cfg(feature = "player")]
pub mod plugin;
mod presentation;
pub use display::{DisplayBackend, DisplayConfig};
pub use load::ConfigError;
pub use outbox::OutboxConfig;
pub use overlay::{Hotkey, HotkeyKey, OverlayConfig, OverlayLanguage, PinEntry, Role};
pub use presentation::{
    CaptionsConfig, StatusStripConfig, TextAlign, TextConfig, TickerConfig, TickerLanguage,
    Transition, TransitionKind, rgb,
};

/// Whether monthly backups leave the kiosk through the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupExport {
    #[default]
    Outbox,
    None,
}

/// How a picture that does not have the screen's aspect ratio is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Whole picture visible, black bars where the aspect differs.
    #[default]
    Contain,
    /// Screen filled, the picture cropped where the aspect differs.
    Cover,
}

/// The parsed and validated `infokiosk.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Names this kiosk in the journal, reports and status files.
    pub kiosk_id: String,
    /// The synced content folder (read-only to the player).
    pub content_dir: PathBuf,
    /// Journal and state go under this folder.
    pub data_dir: PathBuf,
    /// Monthly archives go here.
    pub backup_dir: PathBuf,
    /// Monthly archives kept (older ones are removed once newer ones verify).
    pub backup_keep_months: usize,
    /// Where a verified monthly archive goes besides `backup_dir`: `outbox`
    /// (the default) copies it and its `.sha256` into `outbox_dir`, `none`
    /// keeps it on the kiosk only.
    pub backup_export: BackupExport,
    /// `status.json` and monthly reports go here (synced back to the office).
    pub outbox_dir: PathBuf,
    /// What else goes into the outbox: screenshots, how often.
    pub outbox: OutboxConfig,
    /// How long an image is shown, in seconds.
    pub image_seconds: f64,
    pub fit: Fit,
    /// Audio volume of video clips, 0.0 to 1.0.
    pub volume: f64,
    /// `cut` or `crossfade` between items.
    pub transition: TransitionKind,
    /// How long a crossfade takes, in seconds.
    pub transition_seconds: f64,
    /// A clip's successor is made ready (a clip prerolled to its first
    /// frame, a picture decoded and uploaded) this long before its turn.
    pub preroll_seconds: f64,
    /// The most frames drawn per second while something moves (the ticker,
    /// a crossfade, the overlay). A still screen is drawn once a second; a
    /// clip at its own frame rate.
    pub max_fps: f64,
    /// The languages shown, in order (vi, en, km).
    pub languages: Vec<Language>,
    /// `sequence`: all variants of an item back to back; `rotate`: one
    /// language per pass of the loop.
    pub language_mode: LanguageMode,
    /// Urgent items repeat after this many regular items (0: once).
    pub urgent_every: usize,
    /// A full rescan of the content folder this often, in seconds, besides
    /// the file change events.
    pub rescan_seconds: f64,
    /// Pictures with more pixels than this (in millions) are refused unread.
    pub max_image_megapixels: f64,
    /// Caption languages shown under a clip (from its `NAME.LANG.srt|vtt`
    /// sidecars), stacked in this order, the clip's own language skipped; and
    /// the band at the bottom edge they are fitted into.
    pub captions: CaptionsConfig,
    /// The news ticker along the bottom.
    pub ticker: TickerConfig,
    /// The optional strip along the top: local time and labels.
    pub status_strip: StatusStripConfig,
    /// Text slides: how large (fitted both ways) and in which colours.
    pub text: TextConfig,
    /// Signed content: minisign public keys and whether a signature is required.
    pub trust: crate::content::TrustConfig,
    /// Legal operating hours.
    pub schedule: ScheduleConfig,
    /// How the display is powered off and on.
    pub display: DisplayConfig,
    /// The admin overlay: hotkey, PIN hashes, label language, idle timeout.
    pub overlay: OverlayConfig,
    /// What validation made of the keys that need parsing.
    #[serde(skip)]
    pub checked: Checked,
}

/// The schedule, hotkey and transition as validation made them, kept so
/// that nothing parses them again. `KioskConfig::parse` sets them (and
/// `Default` for the defaults); the config's accessors read them.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    schedule: OperatingSchedule,
    hotkey: Hotkey,
    transition: Transition,
}

impl Default for KioskConfig {
    fn default() -> Self {
        let schedule = ScheduleConfig::default();
        let overlay = OverlayConfig::default();
        let checked = Checked {
            schedule: OperatingSchedule::from_config(&schedule)
                .expect("the built-in schedule is valid"),
            hotkey: Hotkey::parse(&overlay.hotkey).expect("the built-in hotkey is valid"),
            transition: Transition::Cut,
        };
        Self {
            kiosk_id: "kiosk".into(),
            content_dir: "/srv/infokiosk/content".into(),
            data_dir: "/var/lib/infokiosk".into(),
            backup_dir: "/var/backups/infokiosk".into(),
            backup_keep_months: 24,
            backup_export: BackupExport::Outbox,
            outbox_dir: "/srv/infokiosk/outbox".into(),
            outbox: OutboxConfig::default(),
            image_seconds: 10.0,
            fit: Fit::Contain,
            volume: 1.0,
            transition: TransitionKind::Cut,
            transition_seconds: 0.5,
            preroll_seconds: 2.0,
            max_fps: 60.0,
            languages: Language::SPOKEN.to_vec(),
            language_mode: LanguageMode::Sequence,
            urgent_every: 3,
            rescan_seconds: 60.0,
            max_image_megapixels: 40.0,
            captions: CaptionsConfig::default(),
            ticker: TickerConfig::default(),
            status_strip: StatusStripConfig::default(),
            text: TextConfig::default(),
            trust: crate::content::TrustConfig::default(),
            schedule,
            display: DisplayConfig::default(),
            overlay,
            checked,
        }
    }
}

impl KioskConfig {
    /// The operating schedule (validated when the config was loaded).
    pub fn operating_schedule(&self) -> OperatingSchedule {
        self.checked.schedule.clone()
    }

    /// The key combination that opens the admin overlay.
    pub fn hotkey(&self) -> Hotkey {
        self.checked.hotkey
    }

    /// The transition `transition` and `transition_seconds` make.
    pub fn transition(&self) -> Transition {
        self.checked.transition
    }

    /// The playlist policy these keys make.
    pub fn playlist_policy(&self) -> PlaylistPolicy {
        PlaylistPolicy {
            languages: self.languages.clone(),
            mode: self.language_mode,
            urgent_every: self.urgent_every,
        }
    }

    /// The content scan options these keys make.
    pub fn scan_options(&self) -> crate::content::ScanOptions {
        crate::content::ScanOptions {
            max_image_pixels: (self.max_image_megapixels * 1e6) as u64,
            trust: self.trust.clone(),
            trust_state: Some(self.data_dir.join("state/trust.json")),
            verified_store: Some(self.data_dir.join("verified")),
            ..Default::default()
        }
    }

    /// The journal folder under `data_dir`.
    pub fn journal_dir(&self) -> PathBuf {
        self.data_dir.join("journal")
    }

    /// The shown-content store under `data_dir`, beside the journal (the
    /// backup finds it there: `BackupJob::objects_dir`).
    pub fn objects_dir(&self) -> PathBuf {
        self.data_dir.join("objects")
    }
}

#[cfg(test)]
mod tests;
