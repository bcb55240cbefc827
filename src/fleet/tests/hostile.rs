//! Outbox files that are too large, edited at the office, malformed or
//! still arriving: a problem on the row, never a crash.

use super::*;

#[test]
fn oversized_and_edited_files_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::default();
    journal.month_until(hcm("2026-11-28 08:59"), 0);
    outbox(
        dir.path(),
        "tb-1",
        Some(&" ".repeat(2 * 1024 * 1024)),
        Some(&journal),
    );
    let fleet = look(dir.path(), &legal(), now()).unwrap();
    assert_eq!(
        fleet.kiosks[0].problems,
        ["status.json: larger than 1048576 bytes: refused unread"]
    );
}

#[test]
fn a_journal_copy_edited_at_the_office_is_a_security_event() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("tb-1");
    let mut journal = crate::journal::Journal::open(&folder.join("journal"), "tb-1", HCM).unwrap();
    for minute in 0..10 {
        let t = hcm("2026-11-28 08:50") + Duration::minutes(minute);
        let heartbeat = crate::journal::Event::Heartbeat {
            screen: "open".into(),
        };
        journal.append(t, &heartbeat).unwrap();
    }
    std::fs::write(
        folder.join("status.json"),
        status("tb-1", "2026-11-28 08:59:30", "2026-11-28 08:59", 40 * GIB),
    )
    .unwrap();
    let intact = look(dir.path(), &legal(), now()).unwrap();
    assert!(
        intact.kiosks[0].security_today.is_empty(),
        "{:?}",
        intact.kiosks[0].security_today
    );

    let file = folder.join("journal/2026-11.jsonl");
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replacen("\"open\"", "\"closed\"", 1);
    std::fs::write(&file, edited).unwrap();
    let fleet = look(dir.path(), &legal(), now()).unwrap();
    let alert = fleet
        .alerts
        .iter()
        .find(|a| a.kind == AlertKind::SecurityEvent)
        .unwrap();
    assert!(
        alert
            .reason
            .starts_with("journal verification failed: 2026-11.jsonl line 1 (seq 1): was edited"),
        "{}",
        alert.reason
    );
}

#[test]
fn a_status_with_a_bad_content_field_is_a_problem_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    for (kiosk, content) in [
        (
            "k-1",
            json!({"version": "3", "since": "2026-11-28T00:00:00Z"}),
        ),
        (
            "k-2",
            json!({"version": -1, "since": "2026-11-28T00:00:00Z"}),
        ),
        ("k-3", json!(["3"])),
    ] {
        let text = status_playing(kiosk, "2026-11-28 08:59", Some(content));
        outbox(dir.path(), kiosk, Some(&text), None);
    }
    let fleet = look(dir.path(), &legal(), now()).unwrap();
    for row in &fleet.kiosks {
        assert_eq!(row.content_in_force, None);
        assert!(
            row.problems
                .contains(&"status.json: content is not a version and a time".to_owned()),
            "{:?}",
            row.problems
        );
    }
}

#[test]
fn the_screenshot_is_dated_by_the_kiosk_clock_in_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let status = status_playing("k-1", "2026-11-28 08:59", None);
    outbox(dir.path(), "k-1", Some(&status), None);
    let folder = dir.path().join("k-1");
    std::fs::create_dir_all(folder.join("screens")).unwrap();
    std::fs::write(folder.join("screen-latest.jpg"), b"newest jpeg").unwrap();
    std::fs::write(folder.join("screens/screen-20261128-085000.jpg"), b"older").unwrap();
    std::fs::write(
        folder.join("screens/screen-20261128-085500.jpg"),
        b"newest jpeg",
    )
    .unwrap();
    std::fs::write(folder.join("screens/notes.txt"), b"not a screenshot").unwrap();
    let shot = |fleet: Fleet| fleet.kiosks[0].screenshot.as_ref().unwrap().time;
    let fleet = look(dir.path(), &legal(), now()).unwrap();
    assert_eq!(shot(fleet), Some(hcm("2026-11-28 08:55")));
    // A newest name that is not the latest copy (still arriving): the file's
    // own time, not another shot's.
    std::fs::write(folder.join("screens/screen-20261128-085800.jpg"), b"half").unwrap();
    let fleet = look(dir.path(), &legal(), now()).unwrap();
    let mtime = std::fs::metadata(folder.join("screen-latest.jpg"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(shot(fleet), Some(DateTime::<Utc>::from(mtime)));
}
