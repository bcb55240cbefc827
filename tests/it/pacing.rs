//! Draw on demand: a clip is drawn at its own frame rate, a still screen
//! about once a second, and the schedule is kept to the second while
//! nothing is drawn.

use chrono::{DateTime, Utc};

use crate::support::*;
use crate::transitions::{Logged, Shown, frame_log};

/// The frames that showed `item`, in order.
fn frames_of<'a>(log: &'a [Logged], item: &str) -> Vec<&'a Logged> {
    log.iter()
        .filter(|l| matches!(&l.shown, Shown::Stage(name, ..) if name == item))
        .collect()
}

#[test]
fn a_clip_draws_at_its_rate_a_still_picture_once_a_second_and_the_close_is_on_time() {
    // No ticker: nothing moves on the still picture.
    let kiosk = Kiosk::new("image_seconds: 60\npreroll_seconds: 1\nticker:\n  enabled: false\n");
    let content = kiosk.content();
    // 3 s at 25 fps, then a picture that stays until the 11:00 close.
    make_clip(&content.join("1-clip.mp4"), "ball", (320, 240), 75, 25, "");
    make_png(&content.join("2-still.png"), "red", 400, 300);
    age_folder(&content);
    let log_path = kiosk.dir.path().join("frames.log");
    let shot = kiosk.dir.path().join("closed.png");
    // 11:00 local is 04:00 UTC, 14 s after the start.
    let output = kiosk.play(
        18.0,
        &shot,
        &[
            "--clock",
            "2026-11-28T03:59:46Z",
            "--frame-log",
            log_path.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let log = frame_log(&log_path);

    // The clip: one drawn frame per decoded frame, not one per display
    // refresh (60 a second when drawn continuously).
    let clip = frames_of(&log, "1-clip.mp4");
    let Shown::Stage(_, last_frame, _) = clip.last().expect("the clip was shown").shown else {
        unreachable!()
    };
    assert!(
        last_frame >= 60,
        "the clip played to near its end: {last_frame}"
    );
    assert!(
        clip.len() as u64 <= last_frame + 1 + 15,
        "{} frames drawn for {} decoded",
        clip.len(),
        last_frame + 1
    );

    // The still picture, once it is up and the clip's successor settled:
    // the heartbeat and the odd wake-up (a job done, a second frame Bevy
    // draws after some heartbeats), not one per display refresh.
    let still = frames_of(&log, "2-still.png");
    let first = still.first().expect("the picture was shown").ms;
    let settled: Vec<u64> = still
        .iter()
        .map(|l| l.ms)
        .filter(|ms| *ms >= first + 1000)
        .collect();
    let span = (settled.last().unwrap() - settled[0]) as f64 / 1000.0;
    assert!(
        span >= 4.0,
        "the picture stayed up till the close: {span} s"
    );
    assert!(
        settled.len() as f64 <= 2.5 * span + 2.0,
        "{} frames drawn in {span:.1} s of a still picture",
        settled.len()
    );

    // Closed on time, with nothing drawn before it for up to a second.
    let journal = kiosk.journal();
    let closed = events(&journal, "closed");
    let at: DateTime<Utc> = closed.first().expect("closed at 11:00")["time"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let eleven: DateTime<Utc> = "2026-11-28T04:00:00Z".parse().unwrap();
    assert!(
        at >= eleven && at - eleven < chrono::Duration::milliseconds(1000),
        "closed at {at}"
    );
    assert!(
        matches!(log.last().unwrap().shown, Shown::Closed),
        "the screen is closed at the end"
    );
    assert!(Shot::open(&shot).is_near(640, 360, BLACK, 8.0), "and black");
}
