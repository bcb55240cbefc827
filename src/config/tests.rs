//! `infokiosk.yaml` parsed and checked: defaults, keys read, and errors naming the file and the key.

use std::path::{Path, PathBuf};

use super::*;

fn parse(text: &str) -> Result<KioskConfig, ConfigError> {
    KioskConfig::parse(text, Path::new("/etc/infokiosk/infokiosk.yaml"))
}

#[test]
fn text_slides_keys_are_checked_naming_the_key() {
    let config = parse("text:\n  max_scale: 2\n  align: top\n  body_color: \"#fafafa\"\n").unwrap();
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
