//! The kiosk configuration file (YAML): keys, defaults and validation.
//!
//! Every key has a default so that a minimal file works; an unknown key or a
//! bad value is an error that names the file and the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::content::Language;
use crate::playlist::{LanguageMode, PlaylistPolicy};
use crate::schedule::{OperatingSchedule, ScheduleConfig};

mod display;

mod outbox;
mod overlay;
#[cfg(feature = "player")]
pub mod plugin;
mod presentation;
pub use display::{DisplayBackend, DisplayConfig};
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

/// A kiosk config is a few kilobytes; anything near this is not one.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config {path}: key `{key}`: {reason}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        reason: String,
    },
}

impl KioskConfig {
    /// Reads, parses and validates a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        // Not from the content folder: a symlinked config in /etc is followed, its target
        // still checked to be a regular file.
        let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let text = crate::guard::read_limited(&resolved, MAX_CONFIG_BYTES).map_err(|message| {
            ConfigError::Parse {
                path: path.to_owned(),
                message,
            }
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates config text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        crate::guard::check_nesting(text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })?;
        // An empty file is a valid config: all defaults.
        let config: Self = if text.trim().is_empty() {
            Self::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| ConfigError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?
        };
        let mut config = config;
        config.checked = config.validate(path)?;
        Ok(config)
    }

    /// Checks every key; what it had to parse to do so comes back, kept.
    fn validate(&self, path: &Path) -> Result<Checked, ConfigError> {
        let invalid = |key, reason: &str| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            reason: reason.to_owned(),
        };
        if self.kiosk_id.trim().is_empty() {
            return Err(invalid("kiosk_id", "must not be empty"));
        }
        // Shorter than half a second would flicker, picture after picture.
        if !(self.image_seconds.is_finite() && (0.5..=86_400.0).contains(&self.image_seconds)) {
            return Err(invalid(
                "image_seconds",
                &format!(
                    "{} is not a duration between 0.5 and 86400 seconds",
                    self.image_seconds
                ),
            ));
        }
        if !(0.0..=1.0).contains(&self.volume) {
            return Err(invalid(
                "volume",
                &format!("{} is outside 0.0 to 1.0", self.volume),
            ));
        }
        if !(self.transition_seconds.is_finite() && (0.0..=10.0).contains(&self.transition_seconds))
        {
            return Err(invalid("transition_seconds", "must be between 0 and 10"));
        }
        if !(self.preroll_seconds.is_finite() && (0.1..=30.0).contains(&self.preroll_seconds)) {
            return Err(invalid("preroll_seconds", "must be between 0.1 and 30"));
        }
        if !(self.max_fps.is_finite() && (1.0..=240.0).contains(&self.max_fps)) {
            return Err(invalid("max_fps", "must be between 1 and 240"));
        }
        if self.content_dir.as_os_str().is_empty() {
            return Err(invalid("content_dir", "must not be empty"));
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty"));
        }
        if self.languages.is_empty() || self.languages.contains(&Language::Neutral) {
            return Err(invalid("languages", "list one or more of vi, en, km"));
        }
        if !(self.rescan_seconds.is_finite() && (1.0..=86_400.0).contains(&self.rescan_seconds)) {
            return Err(invalid("rescan_seconds", "must be between 1 and 86400"));
        }
        if !(self.max_image_megapixels.is_finite() && self.max_image_megapixels > 0.0) {
            return Err(invalid("max_image_megapixels", "must be a positive number"));
        }
        if !(self.ticker.speed.is_finite() && (1.0..=2000.0).contains(&self.ticker.speed)) {
            return Err(invalid(
                "ticker",
                "speed must be between 1 and 2000 pixels per second",
            ));
        }
        self.text
            .validate()
            .map_err(|reason| invalid("text", &reason))?;
        self.captions
            .validate()
            .map_err(|reason| invalid("captions", &reason))?;
        self.trust
            .validate()
            .map_err(|e| invalid("trust", &e.to_string()))?;
        let schedule = OperatingSchedule::from_config(&self.schedule)
            .map_err(|e| invalid("schedule", &e.to_string()))?;
        self.display
            .validate()
            .map_err(|reason| invalid("display", &reason))?;
        self.outbox
            .validate()
            .map_err(|reason| invalid("outbox", &reason))?;
        let hotkey = self
            .overlay
            .validate()
            .map_err(|reason| invalid("overlay", &reason))?;
        let transition = match self.transition {
            TransitionKind::Cut => Transition::Cut,
            TransitionKind::Crossfade => Transition::Crossfade {
                seconds: self.transition_seconds,
            },
        };
        Ok(Checked {
            schedule,
            hotkey,
            transition,
        })
    }

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
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<KioskConfig, ConfigError> {
        KioskConfig::parse(text, Path::new("/etc/infokiosk/infokiosk.yaml"))
    }

    #[test]
    fn text_slides_keys_are_checked_naming_the_key() {
        let config =
            parse("text:\n  max_scale: 2\n  align: top\n  body_color: \"#fafafa\"\n").unwrap();
        assert_eq!(config.text.max_scale, 2.0);
        assert_eq!(config.text.align, TextAlign::Top);
        for (text, says) in [
            (
                "text:\n  max_scale: 9\n",
                "max_scale 9 is not between 1 and 5",
            ),
            (
                "text:\n  title_color: red\n",
                "title_color \"red\" is not a colour",
            ),
            (
                "text:\n  min_height: 0.5\n",
                "min_height 0.5 is not between",
            ),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains("`text`") && err.contains(says), "{err}");
        }
    }

    #[test]
    fn captions_are_a_list_or_a_map_with_the_band_height_checked_naming_file_and_key() {
        let list = parse("captions: [en]\n").unwrap().captions;
        assert_eq!(list.languages, [Language::En]);
        assert_eq!(list.band_height, 0.12);
        let map = parse("captions:\n  languages: [km]\n  band_height: 0.1\n").unwrap();
        assert_eq!(map.captions.languages, [Language::Km]);
        assert_eq!(map.captions.band_height, 0.1);
        assert_eq!(
            parse("captions:\n  band_height: 0.2\n")
                .unwrap()
                .captions
                .languages,
            [Language::Km, Language::En],
            "the languages default when only the band is given"
        );
        for (text, says) in [
            (
                "captions:\n  band_height: 0.5\n",
                "key `captions`: band_height 0.5 is not between 0.05 and 0.3",
            ),
            ("captions:\n  band_height: 0\n", "band_height 0 is not"),
            ("captions:\n  band: 0.1\n", "unknown field `band`"),
            ("captions: 3\n", "a list of languages, or a map"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(
                err.contains(says) && err.contains("/etc/infokiosk/infokiosk.yaml"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(parse("").unwrap(), KioskConfig::default());
    }

    #[test]
    fn all_keys_are_read() {
        let c = parse(
            "kiosk_id: tinh-bien-1\ncontent_dir: /c\ndata_dir: /d\nimage_seconds: 7.5\nfit: cover\nvolume: 0.25\n",
        )
        .unwrap();
        assert_eq!(c.kiosk_id, "tinh-bien-1");
        assert_eq!(c.content_dir, PathBuf::from("/c"));
        assert_eq!(c.data_dir, PathBuf::from("/d"));
        assert_eq!(c.image_seconds, 7.5);
        assert_eq!(c.fit, Fit::Cover);
        assert_eq!(c.volume, 0.25);
        assert_eq!(c.journal_dir(), PathBuf::from("/d/journal"));
    }

    #[test]
    fn unknown_key_names_key_and_file() {
        let err = parse("kiosk_id: a\nimage_secs: 5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("image_secs"), "{err}");
        assert!(err.contains("/etc/infokiosk/infokiosk.yaml"), "{err}");
    }

    #[test]
    fn bad_values_name_the_key() {
        for (text, key) in [
            ("volume: 1.5", "volume"),
            ("volume: -0.1", "volume"),
            ("image_seconds: 0", "image_seconds"),
            ("image_seconds: -3", "image_seconds"),
            ("image_seconds: 1e-300", "image_seconds"),
            ("kiosk_id: ''", "kiosk_id"),
        ] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(&format!("`{key}`")), "{text}: {err}");
            assert!(err.contains("infokiosk.yaml"), "{text}: {err}");
        }
    }

    #[test]
    fn wrong_type_and_bad_enum_are_parse_errors() {
        let err = parse("fit: stretch").unwrap_err().to_string();
        assert!(err.contains("fit") || err.contains("stretch"), "{err}");
        let err = parse("volume: loud").unwrap_err().to_string();
        assert!(err.contains("volume"), "{err}");
    }

    #[test]
    fn schedule_and_display_sections_are_read_and_checked() {
        let c = parse(
            "schedule:\n  windows: [\"08:00-12:00\"]\ndisplay:\n  backend: wlr-randr\n  output: HDMI-A-1\n",
        )
        .unwrap();
        assert_eq!(c.schedule.windows, ["08:00-12:00"]);
        assert_eq!(c.display.backend, DisplayBackend::WlrRandr);
        let err = parse("schedule:\n  timezone: Mars/Olympus\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`schedule`") && err.contains("Mars/Olympus"),
            "{err}"
        );
        let err = parse("display:\n  backend: wlr-randr\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`display`") && err.contains("output"), "{err}");
    }

    #[test]
    fn hostile_yaml_is_refused_quickly() {
        // Billion laughs: nine levels of nine aliases. Their anchors need keys
        // of their own, which `deny_unknown_fields` refuses before anything
        // expands (and the parser caps alias repetition besides).
        let mut bomb = String::from("languages: &a [vi, en, km, vi, en, km, vi, en, km]\n");
        let mut previous = 'a';
        for name in 'b'..='j' {
            let refs = vec![format!("*{previous}"); 9].join(", ");
            bomb.push_str(&format!("x{name}: &{name} [{refs}]\n"));
            previous = name;
        }
        bomb = bomb.replacen("languages: &a", "captions: &a", 1) + "languages: *j\n";
        let started = std::time::Instant::now();
        assert!(parse(&bomb).is_err());
        let deep = format!("kiosk_id: {}{}", "[".repeat(50_000), "]".repeat(50_000));
        let err = parse(&deep).unwrap_err().to_string();
        assert!(err.contains("nested deeper"), "{err}");
        assert!(
            started.elapsed().as_secs() < 10,
            "refused in {:?}",
            started.elapsed()
        );
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.yaml");
        std::fs::write(&big, "#".repeat(2 << 20)).unwrap();
        let err = KioskConfig::load(&big).unwrap_err().to_string();
        assert!(
            err.contains("refused unread") && err.contains("big.yaml"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_is_a_read_error_naming_it() {
        let err = KioskConfig::load(Path::new("/nonexistent/k.yaml")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/k.yaml"));
    }
}
