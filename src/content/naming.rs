//! What a file name in the content folder means: kind, language and group, or why it is never played.

use std::path::{Component, Path, PathBuf};

use unicode_normalization::{UnicodeNormalization, is_nfc};

use super::{Kind, Language, SidecarKind};

/// The manifest; read only at the top of the content folder.
pub(crate) const MANIFEST: &str = "playlist.yaml";
/// Files the office writes to steer the kiosks: neither items nor rejected (at the top level).
pub(crate) const CONTROL_FILES: [&str; 4] =
    [MANIFEST, SIGNATURE, "control.yaml", "control.yaml.minisig"];
/// The manifest's minisign signature.
pub(crate) const SIGNATURE: &str = "playlist.yaml.minisig";
/// The top-level folder whose items preempt the loop.
pub(crate) const URGENT_FOLDER: &str = "urgent";

const SHOWN_EXTENSIONS: &str = "jpg jpeg png webp mp4 mkv webm mov txt md (and srt vtt captions, NAME.LANG.bg.png backgrounds)";

/// Why a conflict copy of a sidecar (captions, ticker, background) is
/// refused: unlike an item's, no playlist.yaml entry can pick it.
const SIDECAR_CONFLICT: &str =
    "Syncthing conflict copy (two edits collided): keep one version and delete the other";

/// What one file name stands for, before its size, age or content are looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameClass {
    /// Never played, whatever is inside.
    Refused(String),
    Media {
        kind: Kind,
        language: Language,
        /// The file name without LANG and extension.
        name: String,
        /// A Syncthing conflict copy: played only when playlist.yaml lists it.
        conflict: bool,
    },
    Sidecar {
        kind: SidecarKind,
        language: Language,
        name: String,
    },
}

/// Syncthing's folder marker and version store, and its ignore files.
pub(crate) fn is_silent(name: &str) -> bool {
    matches!(
        name,
        ".stfolder" | ".stversions" | ".stignore" | ".stglobalignore"
    )
}

/// Why a name starting with `.` or `~` is never played; `None` for ordinary names.
pub(crate) fn hidden_reason(name: &str) -> Option<String> {
    let writer = if name.starts_with(".syncthing.") && name.ends_with(".tmp")
        || name.starts_with("~syncthing~") && name.ends_with(".tmp")
    {
        "Syncthing"
    } else if name.starts_with('.') && is_nextcloud_temp(name) {
        "Nextcloud"
    } else if name.starts_with('.') && is_rsync_temp(name) {
        "rsync"
    } else if name.starts_with('.') {
        return Some("hidden file (name starts with '.')".into());
    } else if name.starts_with('~') {
        return Some("temporary or lock file (name starts with '~')".into());
    } else {
        return None;
    };
    Some(format!("temporary file still being written ({writer})"))
}

/// `.NAME.~XXXXXXXX`
fn is_nextcloud_temp(name: &str) -> bool {
    name.rfind(".~").is_some_and(|at| {
        let tail = &name[at + 2..];
        at > 1 && !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// `.NAME.XXXXXX` (mkstemp's six characters)
fn is_rsync_temp(name: &str) -> bool {
    name[1..].rsplit_once('.').is_some_and(|(base, tail)| {
        !base.is_empty() && tail.len() == 6 && tail.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// The lower-case extension, if the name has one after a non-empty stem.
pub(crate) fn extension(name: &str) -> Option<(&str, String)> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| (stem, ext.to_ascii_lowercase()))
}

/// A directory with a name like this is a mistake worth reporting, not a folder to scan.
pub(crate) fn looks_like_media(name: &str) -> bool {
    extension(name).is_some_and(|(_, ext)| {
        Kind::from_extension(&ext).is_some() || matches!(ext.as_str(), "srt" | "vtt")
    })
}

/// Classifies a file name (not a directory; hidden names are handled by the caller first).
pub(crate) fn classify(name: &str) -> NameClass {
    if let Some(reason) = hidden_reason(name) {
        return NameClass::Refused(reason);
    }
    let Some((stem, ext)) = extension(name) else {
        return NameClass::Refused(format!("no file extension (shown: {SHOWN_EXTENSIONS})"));
    };
    let conflict = stem.contains(".sync-conflict-");
    if let Some(slide) = background_of(stem, &ext) {
        return background(slide, conflict);
    }
    let (name, language, code) = split_language(stem);
    if matches!(ext.as_str(), "srt" | "vtt") || ext == "txt" && name.eq_ignore_ascii_case("ticker")
    {
        let kind = if ext == "txt" {
            SidecarKind::Ticker
        } else {
            SidecarKind::Captions
        };
        if conflict {
            return NameClass::Refused(SIDECAR_CONFLICT.into());
        }
        if let Some(code) = code.filter(|c| looks_like_language_code(c)) {
            return NameClass::Refused(format!(
                "language '{code}' in a {} file name is not one of vi, en, km",
                if kind == SidecarKind::Ticker {
                    "ticker"
                } else {
                    "captions"
                }
            ));
        }
        return NameClass::Sidecar {
            kind,
            language,
            name: name.to_owned(),
        };
    }
    match Kind::from_extension(&ext) {
        Some(kind) => NameClass::Media {
            kind,
            language,
            name: name.to_owned(),
            conflict,
        },
        None => NameClass::Refused(format!(
            "unknown file type '.{ext}' (shown: {SHOWN_EXTENSIONS})"
        )),
    }
}

/// The name of the text slide a picture `SLIDE.bg.EXT` is the background of
/// (`SLIDE` being `NAME.LANG` or `NAME`); `None` for any other name.
fn background_of<'a>(stem: &'a str, ext: &str) -> Option<&'a str> {
    let slide = stem
        .strip_suffix(".bg")
        .or_else(|| stem.strip_suffix(".BG"))?;
    (Kind::from_extension(ext) == Some(Kind::Image) && !slide.is_empty()).then_some(slide)
}

/// `NAME.LANG.bg.png`: the background picture of the text slide `NAME.LANG.txt|md`.
fn background(slide: &str, conflict: bool) -> NameClass {
    if conflict {
        return NameClass::Refused(SIDECAR_CONFLICT.into());
    }
    match split_language(slide) {
        (_, _, Some(code)) if looks_like_language_code(code) => NameClass::Refused(format!(
            "language '{code}' in a background picture's name is not one of vi, en, km"
        )),
        (name, language, _) => NameClass::Sidecar {
            kind: SidecarKind::Background,
            language,
            name: name.to_owned(),
        },
    }
}

/// `welcome.vi` -> ("welcome", Vi, None); `welcome` -> ("welcome", Neutral, None);
/// `news.fr` -> ("news.fr", Neutral, Some("fr")): the unknown last part is kept in the name.
fn split_language(stem: &str) -> (&str, Language, Option<&str>) {
    match stem.rsplit_once('.') {
        Some((name, code)) if !name.is_empty() => match code.parse::<Language>() {
            Ok(language) => (name, language, None),
            Err(_) => (stem, Language::Neutral, Some(code)),
        },
        _ => (stem, Language::Neutral, None),
    }
}

fn looks_like_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The group key: the folder path inside the content folder plus the name, `/`-separated, NFC
/// (macOS and some sync tools deliver Vietnamese names decomposed).
pub(crate) fn group_key(folder: &str, name: &str) -> String {
    let key = if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    };
    nfc(&key)
}

/// The group a file's own name puts it in (whatever group playlist.yaml gives it).
pub(crate) fn file_group(rel: &Path) -> Option<String> {
    let name = rel.file_name()?.to_str()?;
    let folder = rel.parent()?.to_str()?;
    match classify(name) {
        NameClass::Media { name, .. } | NameClass::Sidecar { name, .. } => {
            Some(group_key(folder, &name))
        }
        NameClass::Refused(_) => None,
    }
}

pub(crate) fn nfc(s: &str) -> String {
    if is_nfc(s) {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// A manifest path as a path inside the content folder, or why it is refused.
pub(crate) fn inside_path(written: &str) -> Result<PathBuf, String> {
    let path = Path::new(written);
    let mut inside = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => inside.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err("'..' is refused: paths stay inside the content folder".into());
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(
                    "absolute paths are refused: give the path relative to the content folder"
                        .into(),
                );
            }
        }
    }
    if inside.as_os_str().is_empty() {
        return Err("empty path".into());
    }
    Ok(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(name: &str) -> (Kind, Language, String, bool) {
        match classify(name) {
            NameClass::Media {
                kind,
                language,
                name,
                conflict,
            } => (kind, language, name, conflict),
            other => panic!("{name}: {other:?}"),
        }
    }

    fn refused(name: &str) -> String {
        match classify(name) {
            NameClass::Refused(reason) => reason,
            other => panic!("{name} should be refused: {other:?}"),
        }
    }

    #[test]
    fn language_variants_share_a_name() {
        assert_eq!(
            media("welcome.vi.jpg"),
            (Kind::Image, Language::Vi, "welcome".into(), false)
        );
        assert_eq!(
            media("welcome.EN.MP4"),
            (Kind::Video, Language::En, "welcome".into(), false)
        );
        assert_eq!(
            media("tin-tuc.km.md"),
            (Kind::Text, Language::Km, "tin-tuc".into(), false)
        );
        assert_eq!(
            media("logo.png"),
            (Kind::Image, Language::Neutral, "logo".into(), false)
        );
        assert_eq!(media("report.v2.webp").2, "report.v2");
        assert_eq!(
            media("vi.jpg"),
            (Kind::Image, Language::Neutral, "vi".into(), false)
        );
    }

    #[test]
    fn temporary_names_of_sync_tools_say_still_being_written() {
        for (name, tool) in [
            (".syncthing.welcome.vi.mp4.tmp", "Syncthing"),
            ("~syncthing~welcome.vi.mp4.tmp", "Syncthing"),
            (".welcome.vi.mp4.~1a2b3c4d", "Nextcloud"),
            (".welcome.vi.mp4.Xy12Ab", "rsync"),
        ] {
            let reason = refused(name);
            assert!(
                reason.contains("temporary file still being written"),
                "{name}: {reason}"
            );
            assert!(reason.contains(tool), "{name}: {reason}");
        }
        assert!(refused(".DS_Store").contains("hidden"));
        assert!(refused("~$draft.docx").contains("'~'"));
        assert!(refused(".welcome.jpg").contains("hidden"));
    }

    #[test]
    fn sidecars_and_unknown_types() {
        let ticker = classify("ticker.km.txt");
        assert_eq!(
            ticker,
            NameClass::Sidecar {
                kind: SidecarKind::Ticker,
                language: Language::Km,
                name: "ticker".into()
            }
        );
        assert!(matches!(
            classify("ticker.txt"),
            NameClass::Sidecar {
                language: Language::Neutral,
                ..
            }
        ));
        assert_eq!(
            classify("clip.en.vtt"),
            NameClass::Sidecar {
                kind: SidecarKind::Captions,
                language: Language::En,
                name: "clip".into()
            }
        );
        assert!(refused("clip.fr.srt").contains("'fr'"));
        assert!(refused("setup.exe").contains("unknown file type '.exe'"));
        assert!(refused("README").contains("no file extension"));
        assert!(media("welcome.vi.sync-conflict-20261201-101010-ABCDEFG.jpg").3);
    }

    #[test]
    fn a_bg_picture_is_the_background_of_the_slide_of_its_name_not_an_item() {
        for (file, language, name) in [
            ("tin-tuc.km.bg.png", Language::Km, "tin-tuc"),
            ("notice.vi.BG.JPG", Language::Vi, "notice"),
            ("notice.bg.webp", Language::Neutral, "notice"),
        ] {
            assert_eq!(
                classify(file),
                NameClass::Sidecar {
                    kind: SidecarKind::Background,
                    language,
                    name: name.into()
                },
                "{file}"
            );
        }
        assert!(refused("tin-tuc.fr.bg.png").contains("'fr' in a background picture's name"));
        // Not pictures, or no slide name: what they were before.
        assert_eq!(media("bg.png").2, "bg");
        assert_eq!(media("bg.vi.png").2, "bg");
        assert_eq!(media("notice.vi.bg.txt").0, Kind::Text);
    }

    #[test]
    fn groups_are_nfc() {
        let decomposed = "Cha\u{300}o"; // "Chào" as macOS writes it
        assert_eq!(group_key("tin-tuc", decomposed), "tin-tuc/Ch\u{e0}o");
        assert_eq!(group_key("", "welcome"), "welcome");
        assert!(looks_like_media("x.mp4"));
        assert!(!looks_like_media("campaign.2026"));
        assert!(is_silent(".stfolder"));
    }

    #[test]
    fn manifest_paths_stay_inside() {
        assert_eq!(inside_path("./news/a.jpg"), Ok(PathBuf::from("news/a.jpg")));
        let parent = Err("'..' is refused: paths stay inside the content folder".to_owned());
        assert_eq!(inside_path("../etc/passwd"), parent);
        assert_eq!(inside_path("news/../../x.jpg"), parent);
        assert_eq!(inside_path("news/../x.jpg"), parent);
        assert_eq!(
            inside_path("/etc/passwd"),
            Err(
                "absolute paths are refused: give the path relative to the content folder"
                    .to_owned()
            )
        );
        assert_eq!(inside_path(""), Err("empty path".to_owned()));
        assert_eq!(inside_path("./."), Err("empty path".to_owned()));
    }
}
