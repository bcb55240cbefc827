//! The playlist's test suites: the shared fixtures, the scenarios call after call, and the policy's config spelling.

pub(crate) mod fixtures;
mod scenarios;

use super::{Language, LanguageMode, PlaylistPolicy, Why};

#[test]
fn policy_defaults_and_config_spelling() {
    let policy: PlaylistPolicy = serde_yaml::from_str("{}").unwrap();
    assert_eq!(policy, PlaylistPolicy::default());
    assert_eq!(policy.languages, [Language::Vi, Language::En, Language::Km]);
    assert_eq!(policy.mode, LanguageMode::Sequence);
    assert_eq!(policy.urgent_every, 3);
    let policy: PlaylistPolicy =
        serde_yaml::from_str("languages: [km, en]\nlanguage_mode: rotate\nurgent_every: 5\n")
            .unwrap();
    assert_eq!(policy.languages, [Language::Km, Language::En]);
    assert_eq!(policy.mode, LanguageMode::Rotate);
    assert_eq!(policy.urgent_every, 5);
    assert!(serde_yaml::from_str::<PlaylistPolicy>("language_mode: shuffle").is_err());
    assert_eq!(
        serde_json::to_value(Why::UrgentRepeat).unwrap(),
        "urgent_repeat"
    );
}

#[test]
fn effective_policy_drops_neutral_and_repeats_and_is_never_empty() {
    let policy = PlaylistPolicy {
        languages: vec![Language::En, Language::Neutral, Language::En, Language::Vi],
        ..Default::default()
    };
    assert_eq!(policy.effective().languages, [Language::En, Language::Vi]);
    let policy = PlaylistPolicy {
        languages: vec![Language::Neutral],
        ..Default::default()
    };
    assert_eq!(policy.effective().languages, Language::SPOKEN);
}
