//! What the kiosk sends the office besides `status.json`: the panel's
//! screenshot (at opening and every 5 minutes) and the journal's copy.

use crate::support::*;

#[test]
fn the_outbox_shows_the_panel_and_copies_the_journal() {
    let kiosk = Kiosk::new("");
    // 4:3 on 16:9: red in the middle, black bars left and right.
    make_png(&kiosk.content().join("red.png"), "red", 640, 480);
    let shot_path = artifact("outbox-exit.png");
    // The kiosk clock at 60x: the 5-minute shot comes 5 s after opening.
    kiosk.play(
        10.0,
        &shot_path,
        &["--clock", "2026-11-28T01:00:00Z", "--clock-speed", "60"],
    );
    let outbox = kiosk.dir.path().join("outbox");

    let latest = std::fs::read(outbox.join("screen-latest.jpg")).expect("screen-latest.jpg");
    assert!(latest.len() < 100_000, "{} bytes", latest.len());
    eprintln!("screen-latest.jpg: {} bytes", latest.len());
    let mut names: Vec<String> = std::fs::read_dir(outbox.join("screens"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // At opening (once the picture is up), then 5 minutes after opening
    // on the kiosk clock.
    let opened = events(&kiosk.journal(), "opened")[0]["local_time"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .expect("an opened line with its local time")
        .naive_local();
    let times: Vec<_> = names
        .iter()
        .map(|n| infokiosk::outbox::screen_time(n).expect("a screenshot's name"))
        .collect();
    assert!(times.len() >= 2, "{names:?}");
    assert!(
        times[0] < opened + chrono::Duration::minutes(5),
        "{names:?}"
    );
    assert!(
        times[times.len() - 1] >= opened + chrono::Duration::minutes(5),
        "opened {opened}: {names:?}"
    );
    assert_eq!(
        std::fs::read(outbox.join("screens").join(names.last().unwrap())).unwrap(),
        latest,
        "the newest is also screen-latest.jpg"
    );
    // Every shot shows the picture, the opening one too (not the black
    // before the first picture).
    for name in &names {
        let jpeg = std::fs::read(outbox.join("screens").join(name)).unwrap();
        let shot = Shot(image::load_from_memory(&jpeg).unwrap().to_rgb8());
        assert_eq!(shot.0.dimensions(), (640, 360), "{name}");
        assert!(
            shot.is_near(320, 180, RED, 40.0),
            "{name}: centre {:?}",
            shot.mean(320, 180, 16)
        );
        assert!(shot.is_near(30, 180, BLACK, 20.0), "{name}: left bar");
    }

    // The journal's copy is the journal, to its last line (`app_stopped`).
    let journal = std::fs::read(kiosk.data().join("journal/2026-11.jsonl")).unwrap();
    let copy = std::fs::read(outbox.join("journal/2026-11.jsonl")).expect("journal copy");
    assert!(String::from_utf8_lossy(&copy).contains("\"app_stopped\""));
    assert!(copy == journal, "the copy differs from the journal");
}
