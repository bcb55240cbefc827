//! `ticker:`, `status_strip:` and `transition:` in the config: what is
//! drawn over content, and how one item gives way to the next.

use serde::Deserialize;

/// Which language the ticker shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TickerLanguage {
    /// The language of the item on screen (a neutral item keeps the last).
    #[default]
    Follow,
    /// vi, en, km in turn, one full pass each.
    All,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TickerConfig {
    pub enabled: bool,
    /// Scrolling speed in pixels per second (frame-rate independent).
    pub speed: f32,
    pub language: TickerLanguage,
}

impl Default for TickerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            speed: 120.0,
            language: TickerLanguage::Follow,
        }
    }
}

/// A strip along the top: the local time and the labels, e.g. the border
/// gate's name in three languages.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusStripConfig {
    pub enabled: bool,
    pub labels: Vec<String>,
}

/// `transition:` in the config: how the next item replaces the one on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransitionKind {
    /// The next item's first frame replaces the last frame at once.
    #[default]
    Cut,
    /// The next item fades in over the last frame of the one before.
    Crossfade,
}

/// The transition the stage makes, with its length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transition {
    Cut,
    Crossfade { seconds: f64 },
}
