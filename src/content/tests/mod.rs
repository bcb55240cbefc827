//! The content module's test suites: the shared fixtures, the content rules end to end, an
//! inspection beside the player, and the module's own types.

pub(crate) mod fixtures;
mod inspection;
mod rules;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::{Item, Kind, Language, MediaInfo};

#[test]
fn language_codes_round_trip() {
    for lang in Language::SPOKEN {
        assert_eq!(lang.code().parse::<Language>(), Ok(lang));
    }
    assert_eq!("KM".parse::<Language>(), Ok(Language::Km));
    assert!("fr".parse::<Language>().is_err());
    assert!("neutral".parse::<Language>().is_err());
    assert_eq!(serde_json::to_value(Language::Neutral).unwrap(), "neutral");
    assert_eq!(serde_json::to_value(Kind::Video).unwrap(), "video");
}

#[test]
fn manifest_duration_wins_over_probed_length() {
    let mut item = Item {
        path: PathBuf::from("/c/a.mp4"),
        rel: PathBuf::from("a.mp4"),
        kind: Kind::Video,
        language: Language::Neutral,
        group: "a".into(),
        size: 1,
        modified: SystemTime::UNIX_EPOCH,
        info: Some(MediaInfo {
            duration: Some(Duration::from_secs(30)),
            width: 1920,
            height: 1080,
        }),
        duration: None,
        urgent: false,
        from: None,
        until: None,
    };
    assert_eq!(item.play_duration(), Some(Duration::from_secs(30)));
    item.duration = Some(Duration::from_secs(10));
    assert_eq!(item.play_duration(), Some(Duration::from_secs(10)));
}
