//! `infokiosk check` on real folders: what a technician is told.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::config::DisplayConfig;
use crate::content::{MediaInfo, Probe};

/// Clips named `bad*` are not decodable; `noplugin*` need a missing plugin.
struct FakeProbe;

impl Probe for FakeProbe {
    fn probe_video(&mut self, path: &Path) -> Result<MediaInfo, String> {
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("bad") {
            Err("not a playable video: could not determine type of stream".into())
        } else if name.starts_with("noplugin") {
            Err("missing GStreamer plugin: H.265 (Main Profile) decoder".into())
        } else {
            Ok(MediaInfo {
                duration: Some(std::time::Duration::from_secs(5)),
                width: 640,
                height: 360,
            })
        }
    }
}

struct Kiosk {
    root: tempfile::TempDir,
    config: KioskConfig,
    settings: CheckSettings,
}

/// A kiosk in a temp dir whose every part is fine but for backups (none yet):
/// three pictures, a clip, a journal line, a display command that exists.
fn healthy_kiosk() -> Kiosk {
    let root = tempfile::tempdir().unwrap();
    let content = root.path().join("content");
    let data = root.path().join("data");
    let backups = root.path().join("backups");
    for dir in [&content, &data.join("journal"), &backups] {
        std::fs::create_dir_all(dir).unwrap();
    }
    for name in ["welcome.vi.png", "welcome.en.png", "welcome.km.png"] {
        image::RgbaImage::new(8, 8)
            .save(content.join(name))
            .unwrap();
    }
    std::fs::write(content.join("clip.mp4"), b"not really a clip").unwrap();
    std::fs::write(
        data.join("journal/2026-11.jsonl"),
        "{\"v\":1,\"seq\":1,\"time\":\"2026-11-28T02:00:00Z\",\"event\":\"app_started\"}\n",
    )
    .unwrap();
    let config = KioskConfig {
        kiosk_id: "tinh-bien-1".into(),
        content_dir: content,
        data_dir: data,
        display: DisplayConfig {
            program: Some(fake_xset(root.path(), "DPMS is Enabled\n  Monitor is On")),
            ..Default::default()
        },
        ..Default::default()
    };
    let settings = CheckSettings {
        config_file: root.path().join("infokiosk.yaml"),
        backup_dir: backups,
        warn_free_bytes: 1,
        fail_free_bytes: 1,
        ..Default::default()
    };
    Kiosk {
        root,
        config,
        settings,
    }
}

/// Late enough that every file written by the test has settled.
fn now() -> DateTime<Utc> {
    Utc::now() + TimeDelta::seconds(10)
}

fn check(kiosk: &Kiosk) -> CheckReport {
    run_checks_with(
        Ok(kiosk.config.clone()),
        &kiosk.settings,
        now(),
        &mut FakeProbe,
    )
}

fn verdict(report: &CheckReport, name: &str) -> Verdict {
    report
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .verdict
}

#[test]
fn a_healthy_kiosk_passes_everything_but_the_clock_it_cannot_ask_here() {
    let report = check(&healthy_kiosk());
    for check in &report.checks {
        match check.name {
            "clock" => {}
            "backup" => assert_eq!(check.verdict, Verdict::Warn, "{check:?}"),
            _ => assert_eq!(check.verdict, Verdict::Pass, "{check:?}"),
        }
    }
    let backup = &report.get("backup").unwrap().reason;
    assert!(backup.starts_with("no backup yet; "), "{backup}");
    let content = report.get("content").unwrap();
    assert!(
        content
            .reason
            .contains("4 playable (3 pictures, 1 clips), 0 not played"),
        "{}",
        content.reason
    );
    assert!(!report.has_failures());
    let journal = &report.get("journal").unwrap().reason;
    assert!(
        journal.contains("2026-11.jsonl: 1 line, last 2026-11-28 09:00:00 +07 (app_started"),
        "{journal}"
    );
}

#[test]
fn a_broken_config_fails_and_the_rest_still_runs() {
    let kiosk = healthy_kiosk();
    let path = kiosk.root.path().join("infokiosk.yaml");
    std::fs::write(&path, "volume: 3\n").unwrap();
    let report = run_checks_with(
        KioskConfig::load(&path),
        &kiosk.settings,
        now(),
        &mut FakeProbe,
    );
    assert_eq!(verdict(&report, "config"), Verdict::Fail);
    assert!(report.get("config").unwrap().reason.contains("`volume`"));
    assert!(report.has_failures());
    assert_eq!(report.checks.len(), 13, "every check is still reported");
}

#[test]
fn bad_files_warn_with_their_names_and_a_missing_folder_fails() {
    let mut kiosk = healthy_kiosk();
    let content = kiosk.config.content_dir.clone();
    std::fs::write(content.join("bad.mp4"), b"garbage").unwrap();
    // A PNG header with nothing after it: passes the scan, fails to decode.
    let mut cut = Vec::new();
    image::RgbaImage::new(8, 8)
        .write_to(&mut std::io::Cursor::new(&mut cut), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(content.join("cut.png"), &cut[..40]).unwrap();
    let report = check(&kiosk);
    assert_eq!(verdict(&report, "content"), Verdict::Warn);
    let videos = report.get("videos").unwrap();
    assert_eq!(videos.verdict, Verdict::Warn);
    assert_eq!(
        videos.reason,
        "1 of 2 clips cannot be decoded; they are skipped"
    );
    assert!(videos.details[0].starts_with("bad.mp4: not a playable video"));
    let images = report.get("images").unwrap();
    assert_eq!(images.verdict, Verdict::Warn, "{images:?}");
    assert!(images.details[0].starts_with("cut.png: "), "{images:?}");

    kiosk.config.content_dir = kiosk.root.path().join("gone");
    let report = check(&kiosk);
    assert_eq!(verdict(&report, "content"), Verdict::Fail);
    assert!(report.get("content").unwrap().reason.contains("gone"));
}

#[test]
fn a_missing_gstreamer_plugin_is_the_kiosks_fault() {
    let kiosk = healthy_kiosk();
    std::fs::write(kiosk.config.content_dir.join("noplugin.mp4"), b"h265").unwrap();
    let report = check(&kiosk);
    let videos = report.get("videos").unwrap();
    assert_eq!(videos.verdict, Verdict::Fail);
    assert!(videos.reason.contains("H.265"), "{}", videos.reason);
}

#[test]
fn the_last_backup_is_read_back_and_damage_is_a_failure() {
    let kiosk = healthy_kiosk();
    let config_file = kiosk.root.path().join("infokiosk.yaml");
    std::fs::write(&config_file, "kiosk_id: tinh-bien-1\n").unwrap();
    let job = crate::backup::BackupJob {
        kiosk: "tinh-bien-1".into(),
        month: crate::report::Month::new(2026, 11).unwrap(),
        timezone: chrono_tz::Asia::Ho_Chi_Minh,
        content_dir: kiosk.config.content_dir.clone(),
        journal_dir: kiosk.config.journal_dir(),
        config_file,
        backup_dir: kiosk.settings.backup_dir.clone(),
        force: false,
        now: Utc::now(),
    };
    crate::backup::run_backup(&job, &mut |_, _| {}).unwrap();
    let backup = check(&kiosk).get("backup").unwrap().clone();
    assert_eq!(backup.verdict, Verdict::Pass, "{backup:?}");
    assert!(
        backup.reason.starts_with("last backup 2026-11 verified"),
        "{backup:?}"
    );

    let archive = kiosk
        .settings
        .backup_dir
        .join("infokiosk-tinh-bien-1-2026-11.tar.zst");
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let backup = check(&kiosk).get("backup").unwrap().clone();
    assert_eq!(backup.verdict, Verdict::Fail, "{backup:?}");
    assert!(
        backup
            .reason
            .contains("infokiosk-tinh-bien-1-2026-11.tar.zst"),
        "{backup:?}"
    );
}

/// An `xset` for an X server whose `xset q` ends with `dpms` (in `DPMS (Energy Star):`).
fn fake_xset(dir: &Path, dpms: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("xset");
    let answer = format!("Font Path:\n  built-ins\nDPMS (Energy Star):\n  {dpms}\n");
    std::fs::write(
        &script,
        format!("#!/bin/sh\n[ \"$1\" = q ] && printf '%s' '{answer}'\nexit 0\n"),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn signing_on_without_control_keys_is_a_warning() {
    let mut kiosk = healthy_kiosk();
    kiosk.config.trust.require_signature = true;
    let report = check(&kiosk);
    let config = report.get("config").unwrap();
    assert_eq!(config.verdict, Verdict::Warn);
    assert!(
        config.reason.contains("trust.control_keys is empty"),
        "{}",
        config.reason
    );
}

#[test]
fn a_display_that_cannot_be_powered_off_is_a_warning_naming_why() {
    let mut kiosk = healthy_kiosk();
    assert_eq!(verdict(&check(&kiosk), "display"), Verdict::Pass);
    kiosk.config.display.program = Some(fake_xset(
        kiosk.root.path(),
        "Server does not have the DPMS Extension",
    ));
    let report = check(&kiosk);
    let display = report.get("display").unwrap();
    assert_eq!(display.verdict, Verdict::Warn);
    assert!(
        display
            .reason
            .ends_with("X server has no DPMS extension: the screen cannot be powered off"),
        "{}",
        display.reason
    );
}

#[test]
fn folders_backups_and_display_say_what_is_missing() {
    let mut kiosk = healthy_kiosk();
    kiosk.config.data_dir = kiosk.root.path().join("no-data");
    kiosk.settings.backup_dir = kiosk.root.path().join("no-backups");
    kiosk.config.display.program = Some("/nonexistent/xset".into());
    let report = check(&kiosk);
    assert_eq!(verdict(&report, "data"), Verdict::Fail);
    assert_eq!(verdict(&report, "journal"), Verdict::Warn);
    let backup = report.get("backup").unwrap();
    assert_eq!(backup.verdict, Verdict::Warn);
    assert!(
        backup.reason.starts_with("no backup yet"),
        "{}",
        backup.reason
    );
    let display = report.get("display").unwrap();
    assert_eq!(display.verdict, Verdict::Fail);
    assert!(
        display.reason.contains("x11-xserver-utils"),
        "{}",
        display.reason
    );
}

#[test]
fn text_fits_a_screen_and_json_has_everything() {
    let kiosk = healthy_kiosk();
    for n in 0..20 {
        std::fs::write(kiosk.config.content_dir.join(format!("bad{n}.mp4")), b"x").unwrap();
    }
    let report = check(&kiosk);
    let text = report.to_text();
    assert!(
        text.starts_with("infokiosk check: kiosk tinh-bien-1, "),
        "{text}"
    );
    assert!(text.contains("\nPASS  config    "), "{text}");
    assert!(text.contains("… and 14 more (--json lists all)"), "{text}");
    assert!(text.lines().count() < 40, "{text}");
    assert!(
        text.trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("result: WARN"),
        "{text}"
    );
    let json = report.to_json();
    assert_eq!(json["verdict"], "WARN");
    assert_eq!(json["checks"][0]["name"], "config");
    assert_eq!(json["checks"][2]["details"].as_array().unwrap().len(), 20);
}

#[test]
fn decoders_are_named_per_codec() {
    let report = check(&healthy_kiosk());
    let decoders = report.get("decoders").unwrap();
    assert_eq!(decoders.verdict, Verdict::Pass, "{decoders:?}");
    let codecs: Vec<&str> = decoders
        .details
        .iter()
        .map(|d| d.split(':').next().unwrap())
        .collect();
    assert_eq!(codecs, ["H.264", "H.265", "VP9", "AV1"]);
    // gstreamer1.0-libav is installed here (make deps): H.264 has a decoder,
    // and this machine has no GPU, so it is a software one.
    assert!(
        decoders.details[0].ends_with("(software)") || decoders.details[0].ends_with("(hardware)"),
        "{decoders:?}"
    );
    assert!(
        decoders.reason.starts_with("H.264 decoded in"),
        "{decoders:?}"
    );
}
