//! Reading `infokiosk.yaml`: size and nesting limits before anything is
//! parsed, then every key checked, each error naming the file and the key.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{Checked, KioskConfig, Transition, TransitionKind};
use crate::content::Language;
use crate::schedule::OperatingSchedule;

/// A kiosk config is a few kilobytes; anything near this is not one.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Why `infokiosk.yaml` was not taken, naming the file (and the key).
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
        let mut config: Self = if text.trim().is_empty() {
            Self::default()
        } else {
            serde_yaml::from_str(text).map_err(|e| ConfigError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?
        };
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
        // A section's own check gives a reason; the error names the section.
        let in_section = |key| move |reason: String| invalid(key, &reason);
        if self.kiosk_id.trim().is_empty() {
            return Err(invalid("kiosk_id", "must not be empty"));
        }
        // Shorter than half a second would flicker, picture after picture.
        if !within(self.image_seconds, 0.5..=86_400.0) {
            return Err(invalid(
                "image_seconds",
                &format!(
                    "{} is not a duration between 0.5 and 86400 seconds",
                    self.image_seconds
                ),
            ));
        }
        if !within(self.volume, 0.0..=1.0) {
            return Err(invalid(
                "volume",
                &format!("{} is outside 0.0 to 1.0", self.volume),
            ));
        }
        if !within(self.transition_seconds, 0.0..=10.0) {
            return Err(invalid("transition_seconds", "must be between 0 and 10"));
        }
        if !within(self.preroll_seconds, 0.1..=30.0) {
            return Err(invalid("preroll_seconds", "must be between 0.1 and 30"));
        }
        if !within(self.max_fps, 1.0..=240.0) {
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
        if !within(self.rescan_seconds, 1.0..=86_400.0) {
            return Err(invalid("rescan_seconds", "must be between 1 and 86400"));
        }
        if !(self.max_image_megapixels.is_finite() && self.max_image_megapixels > 0.0) {
            return Err(invalid("max_image_megapixels", "must be a positive number"));
        }
        if !within(f64::from(self.ticker.speed), 1.0..=2000.0) {
            return Err(invalid(
                "ticker",
                "speed must be between 1 and 2000 pixels per second",
            ));
        }
        self.text.validate().map_err(in_section("text"))?;
        self.captions.validate().map_err(in_section("captions"))?;
        self.trust
            .validate()
            .map_err(|e| invalid("trust", &e.to_string()))?;
        let schedule = OperatingSchedule::from_config(&self.schedule)
            .map_err(|e| invalid("schedule", &e.to_string()))?;
        self.display.validate().map_err(in_section("display"))?;
        self.outbox.validate().map_err(in_section("outbox"))?;
        let hotkey = self.overlay.validate().map_err(in_section("overlay"))?;
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
}

/// Whether `value` is a number in `range` (NaN and the infinities are not).
fn within(value: f64, range: RangeInclusive<f64>) -> bool {
    value.is_finite() && range.contains(&value)
}
