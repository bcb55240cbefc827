//! The first playing kiosk: pictures and clips on screen under Xvfb, bad
//! files skipped and journaled, the fallback slide for an empty folder.

use crate::support::*;

#[test]
fn picture_is_letterboxed_on_screen_and_a_display_without_dpms_is_journaled() {
    let kiosk = Kiosk::new("");
    // 4:3 on a 16:9 window: 960x720 in the middle, black bars left and right.
    make_png(&kiosk.content().join("red.png"), "red", 640, 480);
    let shot_path = artifact("picture-contain.png");
    let out = kiosk.play(4.0, &shot_path, OPEN);
    // Xvfb has no DPMS: xset prints its usage and exits 0. The journal says
    // the power-on did not happen, and the usage text is not in the output.
    let journal = kiosk.journal();
    let power = events(&journal, "display_command");
    assert!(
        power.iter().any(|r| r["action"] == "on"
            && r["ok"] == false
            && r["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("X server has no DPMS extension"))),
        "{power:?}"
    );
    let output = String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout);
    assert!(
        !output.contains("usage: xset") && !output.contains("unknown option"),
        "{output}"
    );
    assert!(
        !output.contains('\x1b'),
        "no colour codes into a pipe: {output}"
    );
    let first = output.lines().next().unwrap_or_default();
    assert!(
        first.contains("infokiosk 0.1.0 (test-kiosk): config ")
            && first.contains("schedule says open")
            && first.ends_with("display xset"),
        "the first line says what runs: {first}"
    );
    assert!(!output.contains("ICU4X"), "{output}");
    let shot = Shot::open(&shot_path);
    assert_eq!(shot.0.dimensions(), (1280, 720));
    assert!(
        shot.is_near(640, 360, RED, 30.0),
        "centre is the picture: {:?}",
        shot.mean(640, 360, 16)
    );
    assert!(shot.is_near(1100, 100, RED, 30.0), "picture reaches x=1100");
    assert!(
        shot.is_near(60, 360, BLACK, 10.0),
        "left bar is black: {:?}",
        shot.mean(60, 360, 16)
    );
    assert!(shot.is_near(1220, 360, BLACK, 10.0), "right bar is black");
}

#[test]
fn cover_fills_the_screen() {
    let kiosk = Kiosk::new("fit: cover\n");
    make_png(&kiosk.content().join("red.png"), "red", 640, 480);
    let shot_path = artifact("picture-cover.png");
    kiosk.play(4.0, &shot_path, OPEN);
    let shot = Shot::open(&shot_path);
    assert!(
        shot.is_near(60, 360, RED, 30.0),
        "no bar with cover: {:?}",
        shot.mean(60, 360, 16)
    );
    assert!(shot.is_near(1220, 700, RED, 30.0));
}

#[test]
fn video_plays_on_screen_and_both_items_complete() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a-picture.png"), "red", 640, 480);
    make_mp4(&kiosk.content().join("b-clip.mp4"), "green", 640, 360, 3);
    let shot_path = artifact("picture-and-clip.png");
    // Picture 1 s, clip 3 s: the loop has gone round at least once by 9 s.
    kiosk.play(9.0, &shot_path, OPEN);
    let journal = kiosk.journal();
    let completed: Vec<&str> = events(&journal, "play_ended")
        .iter()
        .filter(|r| r["ended"] == "completed")
        .map(|r| r["item"].as_str().unwrap())
        .collect();
    assert!(completed.contains(&"a-picture.png"), "{completed:?}");
    assert!(completed.contains(&"b-clip.mp4"), "{completed:?}");
    let clip_end = events(&journal, "play_ended")
        .into_iter()
        .find(|r| r["item"] == "b-clip.mp4" && r["ended"] == "completed")
        .unwrap();
    let shown = clip_end["shown_ms"].as_u64().unwrap();
    assert!(
        (2500..6000).contains(&shown),
        "a 3 s clip was shown for {shown} ms"
    );
    assert_eq!(clip_end["kind"], "video");
    assert!(events(&journal, "app_started").len() == 1);
    assert!(events(&journal, "app_stopped").len() == 1);
    let shot = Shot::open(&shot_path);
    let centre = shot.mean(640, 360, 16);
    assert!(
        shot.is_near(640, 360, RED, 40.0) || shot.is_near(640, 360, GREEN, 60.0),
        "the screen shows the picture or the clip: {centre:?}"
    );
}

#[test]
fn video_frames_reach_the_screen() {
    let kiosk = Kiosk::new("");
    // A 4:3 green clip: pillarboxed like a picture.
    make_mp4(&kiosk.content().join("clip.mp4"), "green", 320, 240, 10);
    let shot_path = artifact("clip.png");
    kiosk.play(4.0, &shot_path, OPEN);
    let shot = Shot::open(&shot_path);
    assert!(
        shot.is_near(640, 360, GREEN, 60.0),
        "clip centre: {:?}",
        shot.mean(640, 360, 16)
    );
    assert!(shot.is_near(60, 360, BLACK, 10.0), "bars stay black");
    let journal = kiosk.journal();
    assert_eq!(events(&journal, "play_started")[0]["item"], "clip.mp4");
}

#[test]
fn bad_files_are_skipped_with_reasons_and_the_loop_goes_on() {
    let kiosk = Kiosk::new("");
    let content = kiosk.content();
    make_png(&content.join("good.png"), "red", 640, 480);
    // Cut off mid-copy: no index at the end of the MP4.
    make_mp4(&content.join("cut.mp4"), "green", 320, 240, 3);
    truncate(&content.join("cut.mp4"), 0.4);
    // Random bytes under a picture name.
    std::fs::write(
        content.join("noise.jpg"),
        (0..5000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    // A valid PNG header with half its pixels missing: found playable by the
    // catalog, fails when decoded.
    make_png(&content.join("half.png"), "blue", 640, 480);
    truncate(&content.join("half.png"), 0.5);
    let shot_path = artifact("bad-files.png");
    kiosk.play(6.0, &shot_path, OPEN);
    let journal = kiosk.journal();
    let failed = events(&journal, "item_failed");
    for name in ["cut.mp4", "noise.jpg", "half.png"] {
        let line = failed
            .iter()
            .find(|r| r["item"] == name)
            .unwrap_or_else(|| panic!("{name} is journaled as failed: {failed:?}"));
        assert!(!line["reason"].as_str().unwrap().is_empty(), "{line}");
    }
    let good_plays = events(&journal, "play_started")
        .iter()
        .filter(|r| r["item"] == "good.png")
        .count();
    assert!(
        good_plays >= 2,
        "the good picture keeps looping: {good_plays} plays"
    );
    assert!(Shot::open(&shot_path).is_near(640, 360, RED, 30.0));
}

#[test]
fn empty_folder_shows_the_fallback_slide() {
    let kiosk = Kiosk::new("");
    let shot_path = artifact("fallback.png");
    kiosk.play(3.0, &shot_path, OPEN);
    let shot = Shot::open(&shot_path);
    // Light text on black, around the middle of the screen.
    let lit = (300..980)
        .flat_map(|x| (300..440).map(move |y| (x, y)))
        .filter(|&(x, y)| shot.0.get_pixel(x, y)[0] > 150)
        .count();
    assert!(
        lit > 2000,
        "the fallback text is drawn ({lit} light pixels)"
    );
    assert!(shot.is_near(50, 50, BLACK, 5.0));
    // Journaled once, so that reports do not count it as shown time.
    assert_eq!(events(&kiosk.journal(), "fallback_shown").len(), 1);
}

#[test]
fn missing_content_folder_is_not_a_crash() {
    let kiosk = Kiosk::new("");
    std::fs::remove_dir(kiosk.content()).unwrap();
    let shot_path = artifact("missing-folder.png");
    kiosk.play(3.0, &shot_path, OPEN);
    assert_eq!(events(&kiosk.journal(), "app_stopped").len(), 1);
}

#[test]
fn a_screenshot_not_written_fails_the_run() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("red.png"), "red", 320, 240);
    age_folder(&kiosk.content());
    let at_exit = artifact("screenshot-at-exit.png");
    let never = kiosk.dir.path().join("never.png");
    // Left by an earlier run: it must not pass for this run's.
    std::fs::write(&never, b"an old picture").unwrap();
    let late = format!("60:{}", never.display());
    let args = [
        OPEN,
        &["--window-size", "320x240", "--screenshot-at", &late],
    ]
    .concat();
    let out = kiosk.start(2.0, &at_exit, &args).wait();
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains(&format!(
            "screenshots not written (not saved, not back from the GPU within 5 s, or due after the exit): {}",
            never.display()
        )),
        "{log}"
    );
    assert!(
        !never.exists(),
        "the old picture was removed before the run"
    );
    assert!(
        Shot::open(&at_exit).is_near(160, 120, RED, 30.0),
        "the screenshot at the exit was taken all the same"
    );
}
