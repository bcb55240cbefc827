//! Each kiosk's content version against the office's newest signed release
//! (`fleet --content`): the notes and the `content_behind` alert.

use super::*;

fn in_force(version: Option<u64>, since: &str) -> Option<Value> {
    Some(json!({"version": version, "since": hcm(since)}))
}

/// The office's content folder: playlist.yaml at `version`, signed with
/// `comment` as minisign's trusted comment.
fn office_release(
    office: &crate::content::tests::fixtures::Office,
    version: u64,
    comment: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("playlist.yaml");
    std::fs::write(&manifest, format!("version: {version}\n")).unwrap();
    office.sign_file_saying(&manifest, &["-t", comment]);
    dir
}

fn signed_at(local: &str) -> String {
    format!(
        "timestamp:{}\tfile:playlist.yaml\thashed",
        hcm(local).timestamp()
    )
}

fn kinds(fleet: &Fleet) -> Vec<(&str, AlertKind)> {
    fleet
        .alerts
        .iter()
        .map(|a| (a.kiosk_id.as_str(), a.kind))
        .collect()
}

#[test]
fn a_kiosk_an_hour_behind_the_signed_release_by_its_own_clock_is_an_alert() {
    let office = crate::content::tests::fixtures::Office::new();
    let content = office_release(&office, 4, &signed_at("2026-11-28 07:30"));
    let dir = tempfile::tempdir().unwrap();
    let at = "2026-11-28 08:59";
    for (kiosk, content) in [
        ("k-ahead", in_force(Some(5), "2026-11-28 07:00")),
        ("k-behind", in_force(Some(3), "2026-11-20 07:00")),
        ("k-newest", in_force(Some(4), "2026-11-28 07:40")),
        ("k-old-player", None),
        ("k-unsigned", in_force(None, "2026-11-27 07:00")),
    ] {
        outbox(
            dir.path(),
            kiosk,
            Some(&status_playing(kiosk, at, content)),
            None,
        );
    }
    // Silent since 08:20: by its own last word only 50 min behind.
    outbox(
        dir.path(),
        "k-silent",
        Some(&status_playing(
            "k-silent",
            "2026-11-28 08:20",
            in_force(Some(3), "2026-11-01 07:00"),
        )),
        None,
    );
    let mut fleet = look(dir.path(), &legal(), now()).unwrap();
    assert_eq!(kinds(&fleet), [("k-silent", AlertKind::Silent)]);
    fleet.compare_content(read_release(content.path(), &office.trust()), &legal());

    let release = fleet.release.as_ref().unwrap();
    assert_eq!(
        (release.version, release.verified, release.signed_at),
        (Some(4), true, Some(hcm("2026-11-28 07:30")))
    );
    assert_eq!(
        fleet.alerts,
        [
            alert(
                "k-behind",
                AlertKind::ContentBehind,
                "plays version 3 since 2026-11-20 07:00, not the office's newest 4, signed 2026-11-28 07:30: behind for 89 min at its last status (2026-11-28 08:59)",
                Some("2026-11-28 07:30")
            ),
            alert(
                "k-silent",
                AlertKind::Silent,
                "no heartbeat for 40 min during operating hours (last 2026-11-28 08:20)",
                Some("2026-11-28 08:20")
            ),
            alert(
                "k-unsigned",
                AlertKind::ContentBehind,
                "plays unsigned content (no signed release accepted) since 2026-11-27 07:00, not the office's newest 4, signed 2026-11-28 07:30: behind for 89 min at its last status (2026-11-28 08:59)",
                Some("2026-11-28 07:30")
            ),
        ]
    );
    let notes: Vec<_> = fleet
        .kiosks
        .iter()
        .map(|k| (k.kiosk_id.as_str(), k.content_note.as_deref().unwrap()))
        .collect();
    assert_eq!(
        notes,
        [
            ("k-ahead", "newer than the office's folder (4)"),
            ("k-behind", "behind the newest, 4"),
            ("k-newest", "the newest"),
            (
                "k-old-player",
                "content version not reported (status.json from before the first scan, or an older player)"
            ),
            ("k-silent", "behind the newest, 4"),
            ("k-unsigned", "behind the newest, 4"),
        ]
    );
    let json: Value = serde_json::from_str(&fleet.to_json()).unwrap();
    assert_eq!(json["release"]["version"], 4);
    assert_eq!(json["kiosks"][1]["content_in_force"]["version"], 3);
    assert_eq!(json["alerts"][0]["kind"], "content_behind");
    let page = fleet.to_html(&legal(), None);
    assert!(page.contains("behind the newest, 4"), "the page shows it");

    // Signed at 08:30: nobody is an hour behind yet.
    let recent = office_release(&office, 4, &signed_at("2026-11-28 08:30"));
    let mut fleet = look(dir.path(), &legal(), now()).unwrap();
    fleet.compare_content(read_release(recent.path(), &office.trust()), &legal());
    assert_eq!(kinds(&fleet), [("k-silent", AlertKind::Silent)]);

    // No signing time: behind since the older version came into force.
    let undated = office_release(&office, 4, "release of the 28th");
    let mut fleet = look(dir.path(), &legal(), now()).unwrap();
    fleet.compare_content(read_release(undated.path(), &office.trust()), &legal());
    assert_eq!(
        fleet
            .alerts
            .iter()
            .map(|a| (a.kiosk_id.as_str(), a.kind, a.since))
            .collect::<Vec<_>>(),
        [
            (
                "k-behind",
                AlertKind::ContentBehind,
                Some(hcm("2026-11-20 07:00"))
            ),
            ("k-silent", AlertKind::Silent, Some(hcm("2026-11-28 08:20"))),
            (
                "k-silent",
                AlertKind::ContentBehind,
                Some(hcm("2026-11-01 07:00"))
            ),
            (
                "k-unsigned",
                AlertKind::ContentBehind,
                Some(hcm("2026-11-27 07:00"))
            ),
        ]
    );
}

#[test]
fn a_release_that_does_not_verify_is_shown_but_never_counted() {
    let office = crate::content::tests::fixtures::Office::new();
    let dir = tempfile::tempdir().unwrap();
    let at = "2026-11-28 08:59";
    let behind = in_force(Some(3), "2026-11-01 07:00");
    outbox(
        dir.path(),
        "k-1",
        Some(&status_playing("k-1", at, behind)),
        None,
    );
    let judge = |content: &Path, trust: &crate::content::TrustConfig| {
        let mut fleet = look(dir.path(), &legal(), now()).unwrap();
        fleet.compare_content(read_release(content, trust), &legal());
        assert_eq!(fleet.alerts, [], "an unverified release raises nothing");
        let release = fleet.release.clone().unwrap();
        assert!(!release.verified);
        (release, fleet.kiosks[0].content_note.clone().unwrap())
    };

    // No key configured (`fleet` without --config).
    let content = office_release(&office, 4, &signed_at("2026-11-28 07:30"));
    let (release, note) = judge(content.path(), &crate::content::TrustConfig::default());
    assert_eq!(release.version, Some(4));
    assert_eq!(
        note,
        "newest 4 in the office's folder is unverified (playlist.yaml.minisig: no trust.public_keys are configured, so no signature can be checked)"
    );
    // Changed after signing.
    std::fs::write(content.path().join("playlist.yaml"), "version: 9\n").unwrap();
    let (_, note) = judge(content.path(), &office.trust());
    assert!(note.contains("newest 9 in the office's folder is unverified (playlist.yaml.minisig: signature does not verify"), "{note}");
    // Not signed at all; then not even readable as a manifest.
    std::fs::remove_file(content.path().join("playlist.yaml.minisig")).unwrap();
    let (_, note) = judge(content.path(), &office.trust());
    assert!(
        note.ends_with("(playlist.yaml.minisig is missing: playlist.yaml is not signed)"),
        "{note}"
    );
    std::fs::write(content.path().join("playlist.yaml"), "colour: red\n").unwrap();
    let (release, note) = judge(content.path(), &office.trust());
    assert_eq!(release.version, None);
    assert!(
        note.contains("playlist.yaml line 1 column 1: unknown field `colour`"),
        "{note}"
    );
    // A playlist.yaml that is not a file is refused unread.
    std::fs::remove_file(content.path().join("playlist.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", content.path().join("playlist.yaml")).unwrap();
    let (_, note) = judge(content.path(), &office.trust());
    assert!(note.contains("playlist.yaml cannot be read"), "{note}");
}
