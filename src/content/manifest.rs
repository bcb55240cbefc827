//! playlist.yaml: the optional manifest that orders the content and gives it durations, dates and urgency.
//!
//! ```yaml
//! version: 3            # optional integer; signed manifests: never lower than the last accepted
//! unlisted: play        # play | ignore: files not listed here
//! items:
//!   - group: welcome            # every variant of campaign "welcome" (welcome.vi.jpg, ...)
//!     duration: 12              # seconds, for images and text
//!     from: 2026-12-01T07:00    # local time; a date alone means its start
//!     until: 2026-12-31         # first moment it is no longer shown; a date alone means its end
//!     urgent: false
//!   - file: news/flood.vi.jpg   # one file
//!   - files: [chao-mung.vi.mp4, welcome.en.mp4, svakum.km.mp4]
//!     group: welcome-video      # optional: the name of the group these files form
//! checksums:            # every file: size and SHA-256 (`infokiosk manifest build` writes it)
//!   "welcome.vi.jpg": {size: 183204, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08}
//! ```
//!
//! `checksums:` is what makes the manifest a statement about the bytes: with
//! `trust.require_signature` a file plays only if the manifest is signed (`playlist.yaml.minisig`,
//! minisign), not older than the last one accepted, and lists the file with this size and digest.
//! Without it the table is parsed and ignored, and manifests without it parse as before.

use std::fmt;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::de::Visitor;
use serde::{Deserialize, Deserializer};

use super::Unlisted;
use super::integrity::Checksums;
use super::naming::MANIFEST;

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    #[serde(default)]
    pub version: Option<u64>,
    #[serde(default)]
    pub unlisted: Option<Unlisted>,
    #[serde(default)]
    pub items: Vec<Entry>,
    #[serde(default)]
    pub checksums: Checksums,
}

/// One `items:` entry, checked: exactly one of `group`, `file`, `files` selects what it is about.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawEntry")]
pub(crate) struct Entry {
    pub select: Selection,
    pub duration: Option<Duration>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
    pub urgent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    /// Every playable file of this group.
    Group(String),
    /// These files, as written (checked against the folder later); `group` names the group they form.
    Files {
        paths: Vec<String>,
        group: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    group: Option<String>,
    file: Option<String>,
    files: Option<Vec<String>>,
    duration: Option<f64>,
    #[serde(default, deserialize_with = "start_time")]
    from: Option<NaiveDateTime>,
    #[serde(default, deserialize_with = "end_time")]
    until: Option<NaiveDateTime>,
    #[serde(default)]
    urgent: bool,
}

impl TryFrom<RawEntry> for Entry {
    type Error = String;

    fn try_from(raw: RawEntry) -> Result<Self, String> {
        let select = match (raw.group, raw.file, raw.files) {
            (Some(group), None, None) => Selection::Group(group),
            (group, Some(file), None) => Selection::Files {
                paths: vec![file],
                group,
            },
            (group, None, Some(paths)) if !paths.is_empty() => Selection::Files { paths, group },
            (_, None, Some(_)) => return Err("`files` is empty".into()),
            (_, Some(_), Some(_)) => return Err("give either `file` or `files`, not both".into()),
            (None, None, None) => return Err("each item needs `group`, `file` or `files`".into()),
        };
        let duration = match raw.duration {
            None => None,
            // Shorter than half a second would flicker, item after item.
            Some(secs) if secs.is_finite() && (0.5..1e9).contains(&secs) => {
                Some(Duration::from_secs_f64(secs))
            }
            Some(secs) => {
                return Err(format!("duration must be at least 0.5 seconds, not {secs}"));
            }
        };
        if let (Some(from), Some(until)) = (raw.from, raw.until)
            && until <= from
        {
            return Err(format!("until ({until}) must be after from ({from})"));
        }
        Ok(Entry {
            select,
            duration,
            from: raw.from,
            until: raw.until,
            urgent: raw.urgent,
        })
    }
}

fn start_time<'de, D: Deserializer<'de>>(de: D) -> Result<Option<NaiveDateTime>, D::Error> {
    local_time(de, false)
}

fn end_time<'de, D: Deserializer<'de>>(de: D) -> Result<Option<NaiveDateTime>, D::Error> {
    local_time(de, true)
}

/// `2026-12-01T07:00`, `2026-12-01 07:00:30` or `2026-12-01` (its start, or for `until` its end).
/// A visitor rather than `String::deserialize` so an error carries the value's line and column.
fn local_time<'de, D: Deserializer<'de>>(
    de: D,
    end: bool,
) -> Result<Option<NaiveDateTime>, D::Error> {
    de.deserialize_str(LocalTime { end }).map(Some)
}

struct LocalTime {
    end: bool,
}

impl Visitor<'_> for LocalTime {
    type Value = NaiveDateTime;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a local date/time like 2026-12-01T07:00 or 2026-12-01")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<NaiveDateTime, E> {
        let text = text.trim();
        for format in [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ] {
            if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
                return Ok(t);
            }
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            E::custom(format!(
                "'{text}' is not a local date/time like 2026-12-01T07:00 or 2026-12-01"
            ))
        })?;
        let start = date.and_time(NaiveTime::MIN);
        Ok(if self.end {
            start + TimeDelta::days(1)
        } else {
            start
        })
    }
}

/// Parses playlist.yaml; the error names the line and column: "playlist.yaml line 4 column 5: ...".
pub(crate) fn parse(text: &str) -> Result<Manifest, String> {
    crate::guard::check_nesting(text).map_err(|e| format!("{MANIFEST}: {e}"))?;
    // An empty file (or one with only comments) is a manifest that says nothing.
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Manifest::default());
    }
    serde_yaml::from_str(text).map_err(|err| {
        let message = err.to_string();
        match err.location() {
            Some(at) => {
                // The library puts the position inside the message too; say it once, in front.
                let position = format!(" at line {} column {}", at.line(), at.column());
                let message = message.replacen(&position, "", 1);
                format!(
                    "{MANIFEST} line {} column {}: {message}",
                    at.line(),
                    at.column()
                )
            }
            None => format!("{MANIFEST}: {message}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "\
version: 3
unlisted: ignore
items:
  - group: welcome
    duration: 12
    from: 2026-12-01T07:00
    until: 2026-12-31
    urgent: true
  - file: news/flood.vi.jpg
  - files: [a.vi.mp4, b.en.mp4]
    group: clip
";

    #[test]
    fn full_manifest_parses() {
        let m = parse(FULL).unwrap();
        assert_eq!(m.version, Some(3));
        assert_eq!(m.unlisted, Some(Unlisted::Ignore));
        assert_eq!(m.items.len(), 3);
        let first = &m.items[0];
        assert_eq!(first.select, Selection::Group("welcome".into()));
        assert_eq!(first.duration, Some(Duration::from_secs(12)));
        assert_eq!(first.from.unwrap().to_string(), "2026-12-01 07:00:00");
        assert_eq!(first.until.unwrap().to_string(), "2027-01-01 00:00:00");
        assert!(first.urgent);
        assert_eq!(
            m.items[2].select,
            Selection::Files {
                paths: vec!["a.vi.mp4".into(), "b.en.mp4".into()],
                group: Some("clip".into())
            }
        );
        assert_eq!(parse("# nothing yet\n").unwrap(), Manifest::default());
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse("items:\n  - group: a\n    colour: red\n").unwrap_err();
        assert!(err.starts_with("playlist.yaml line 3 column 5: "), "{err}");
        assert!(err.contains("colour"), "{err}");
        let err = parse("items:\n  - group: a\n    from: tomorrow\n").unwrap_err();
        assert!(err.starts_with("playlist.yaml line 3 column"), "{err}");
        assert!(err.contains("'tomorrow'"), "{err}");
        let err = parse("items:\n  - duration: 5\n").unwrap_err();
        assert!(err.contains("needs `group`, `file` or `files`"), "{err}");
        assert!(err.starts_with("playlist.yaml line 2"), "{err}");
        let err = parse("items: [\n").unwrap_err();
        assert_eq!(
            err,
            "playlist.yaml line 2 column 1: did not find expected node content, while parsing a flow node"
        );
        let err =
            parse("items:\n  - group: a\n    from: 2026-12-02\n    until: 2026-12-01T08:00\n")
                .unwrap_err();
        assert!(err.contains("must be after"), "{err}");
        // Found by fuzzing: a duration that rounds to nothing would switch
        // items every frame.
        let err = parse("items:\n  - group: a\n    duration: 1e-10\n").unwrap_err();
        assert!(err.contains("at least 0.5 seconds"), "{err}");
    }
}
