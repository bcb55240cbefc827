//! `ticker:`, `captions:`, `status_strip:`, `text:` and `transition:` in the
//! config: what is drawn over content, how text slides look, and how one item
//! gives way to the next.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::content::Language;

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

/// `captions:` in the config: which caption languages are shown under a
/// clip, and the band at the bottom edge of the screen they are fitted into
/// (so that they never cover more of a clip's own titles than that band).
/// Written as a list (`captions: [km, en]`, the band at its default height)
/// or as a map with `languages` and `band_height`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionsConfig {
    /// Stacked in this order; the clip's own language is skipped.
    pub languages: Vec<Language>,
    /// The band's height as a fraction of the screen height.
    pub band_height: f32,
}

impl Default for CaptionsConfig {
    fn default() -> Self {
        Self {
            languages: vec![Language::Km, Language::En],
            band_height: 0.12,
        }
    }
}

/// The band's height is kept between these (fractions of the screen
/// height): lower, no line is legible; higher, it is the lower third.
const BAND_HEIGHTS: std::ops::RangeInclusive<f32> = 0.05..=0.3;

impl CaptionsConfig {
    /// Why the keys do not make sense, if they do not.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.band_height.is_finite() && BAND_HEIGHTS.contains(&self.band_height)) {
            return Err(format!(
                "band_height {} is not between {} and {} (of the screen height)",
                self.band_height,
                BAND_HEIGHTS.start(),
                BAND_HEIGHTS.end()
            ));
        }
        if self.languages.contains(&Language::Neutral) {
            return Err("languages: list vi, en or km".into());
        }
        Ok(())
    }
}

/// The map form of `captions:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CaptionsKeys {
    languages: Vec<Language>,
    band_height: f32,
}

impl Default for CaptionsKeys {
    fn default() -> Self {
        let CaptionsConfig {
            languages,
            band_height,
        } = CaptionsConfig::default();
        Self {
            languages,
            band_height,
        }
    }
}

/// The list form or the map form, each with serde's own error messages.
impl<'de> Deserialize<'de> for CaptionsConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ListOrMap;
        impl<'de> Visitor<'de> for ListOrMap {
            type Value = CaptionsConfig;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of languages, or a map with `languages` and `band_height`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Ok(CaptionsConfig {
                    languages: Deserialize::deserialize(SeqAccessDeserializer::new(seq))?,
                    ..CaptionsConfig::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let keys = CaptionsKeys::deserialize(MapAccessDeserializer::new(map))?;
                Ok(CaptionsConfig {
                    languages: keys.languages,
                    band_height: keys.band_height,
                })
            }
        }
        d.deserialize_any(ListOrMap)
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

/// Where a text slide that fits on one page sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextAlign {
    Top,
    /// In the middle of the screen (a slide of several pages starts at the top).
    #[default]
    Center,
}

/// `text:` in the config: how large text slides are drawn and in which colours.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextConfig {
    /// A short slide grows up to this many times the base size (title 1/16,
    /// body 1/26 of the screen height).
    pub max_scale: f32,
    /// Body text is never smaller than this fraction of the screen height:
    /// a slide that does not fit at that size is split into pages.
    pub min_height: f32,
    pub align: TextAlign,
    /// Colours as `#rrggbb`.
    pub background: String,
    pub title_color: String,
    pub body_color: String,
}

impl Default for TextConfig {
    fn default() -> Self {
        Self {
            max_scale: 2.5,
            min_height: 0.03,
            align: TextAlign::Center,
            background: "#0a2445".into(),
            title_color: "#ffd966".into(),
            body_color: "#ffffff".into(),
        }
    }
}

impl TextConfig {
    /// Why the keys do not make sense, if they do not.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.max_scale.is_finite() && (1.0..=5.0).contains(&self.max_scale)) {
            return Err(format!(
                "max_scale {} is not between 1 and 5",
                self.max_scale
            ));
        }
        if !(self.min_height.is_finite() && (0.01..=0.1).contains(&self.min_height)) {
            return Err(format!(
                "min_height {} is not between 0.01 and 0.1 (of the screen height)",
                self.min_height
            ));
        }
        for (key, value) in [
            ("background", &self.background),
            ("title_color", &self.title_color),
            ("body_color", &self.body_color),
        ] {
            rgb(value).ok_or_else(|| format!("{key} {value:?} is not a colour like #0a2445"))?;
        }
        Ok(())
    }
}

/// `#rrggbb` as red, green and blue bytes.
pub fn rgb(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
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
