//! Gapless playback and GPU colour conversion, seen through `--frame-log`
//! (what the stage showed at every rendered frame) and screenshots.

use std::path::Path;

use crate::support::*;

/// One line of the frame log: what a rendered frame showed.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    /// An item on the stage: its name, frame number and opacity.
    Stage(String, u64, f64),
    Text(String),
    Fallback,
    Black,
    Closed,
}

fn frame_log(path: &Path) -> Vec<Shown> {
    std::fs::read_to_string(path)
        .expect("frame log written")
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[2] {
                "stage" => Shown::Stage(
                    fields[3].to_owned(),
                    fields[4].parse().unwrap(),
                    fields[5].parse().unwrap(),
                ),
                "text" => Shown::Text(fields[3].to_owned()),
                "fallback" => Shown::Fallback,
                "black" => Shown::Black,
                "closed" => Shown::Closed,
                other => panic!("unknown frame log entry {other:?} in {line:?}"),
            }
        })
        .collect()
}

/// One item's stretch of frames: its name, then each frame's number and
/// opacity.
type Run = (String, Vec<(u64, f64)>);

/// The frames from the first one that showed something, with no black
/// frame among them (checked); grouped into runs of one item.
fn runs_after_start(log: &[Shown]) -> Vec<Run> {
    let start = log
        .iter()
        .position(|s| matches!(s, Shown::Stage(..)))
        .expect("something was shown");
    let mut runs: Vec<Run> = Vec::new();
    for (n, shown) in log[start..].iter().enumerate() {
        let Shown::Stage(item, frame, alpha) = shown else {
            panic!("frame {} after the first item showed {shown:?}", start + n);
        };
        match runs.last_mut() {
            Some((last, frames)) if last == item => frames.push((*frame, *alpha)),
            _ => runs.push((item.clone(), vec![(*frame, *alpha)])),
        }
    }
    runs
}

/// Plays the kiosk for `seconds` (inside operating hours) with the frame
/// log on; returns its runs after the first item showed.
fn play_logged(kiosk: &Kiosk, seconds: f64) -> Vec<Run> {
    let log = kiosk.dir.path().join("frames.log");
    let shot = kiosk.dir.path().join("shot.png");
    kiosk.play(
        seconds,
        &shot,
        &[OPEN, &["--frame-log", log.to_str().unwrap()]].concat(),
    );
    runs_after_start(&frame_log(&log))
}

fn names(runs: &[Run]) -> Vec<&str> {
    runs.iter().map(|r| r.0.as_str()).collect()
}

#[test]
fn clips_and_a_picture_follow_each_other_without_a_blank_frame() {
    let kiosk = Kiosk::new("image_seconds: 1.5\npreroll_seconds: 1\nticker:\n  enabled: false\n");
    let content = kiosk.content();
    // Three sizes and frame rates, one of them portrait and of odd size.
    make_clip(&content.join("1-wide.mp4"), "smpte", (320, 240), 45, 30, "");
    make_png(&content.join("2-picture.png"), "red", 400, 300);
    make_clip(
        &content.join("3-portrait.mp4"),
        "ball",
        (241, 427),
        40,
        25,
        "",
    );
    make_clip(&content.join("4-odd.mp4"), "snow", (318, 179), 36, 24, "");
    age_folder(&content);
    let runs = play_logged(&kiosk, 11.0);
    let names = names(&runs);
    assert!(
        names.len() >= 5,
        "one pass and the start of the next: {names:?}"
    );
    let order = ["1-wide.mp4", "2-picture.png", "3-portrait.mp4", "4-odd.mp4"];
    for (n, name) in names.iter().enumerate() {
        assert_eq!(*name, order[n % 4], "play order: {names:?}");
    }
    // The last run may be cut short by the exit.
    for (name, frames) in &runs[..runs.len() - 1] {
        assert_eq!(frames[0].0, 0, "{name} starts at frame {}", frames[0].0);
        if name.ends_with(".mp4") {
            let last = frames.iter().map(|f| f.0).max().unwrap();
            assert!(last >= 10, "{name} moved on its frames only to {last}");
        }
    }
    let journal = kiosk.journal();
    assert!(events(&journal, "item_failed").is_empty(), "{journal:?}");
}

#[test]
fn a_single_clip_loops_without_a_blank_frame() {
    let kiosk = Kiosk::new("preroll_seconds: 1\nticker:\n  enabled: false\n");
    make_clip(
        &kiosk.content().join("only.mp4"),
        "ball",
        (320, 240),
        40,
        30,
        "",
    );
    age_folder(&kiosk.content());
    let runs = play_logged(&kiosk, 6.0);
    assert_eq!(names(&runs), ["only.mp4"], "nothing else, and no black");
    let frames: Vec<u64> = runs[0].1.iter().map(|f| f.0).collect();
    let restarts = frames.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(restarts >= 2, "the clip came round again: {frames:?}");
    assert!(
        frames.windows(2).all(|w| w[1] >= w[0] || w[1] == 0),
        "each pass starts at frame 0: {frames:?}"
    );
}

#[test]
fn a_clip_that_cannot_preroll_is_skipped_before_its_turn() {
    let kiosk = Kiosk::new("image_seconds: 3\npreroll_seconds: 1.5\n");
    let content = kiosk.content();
    make_clip(
        &content.join("1-first.mp4"),
        "smpte",
        (320, 240),
        75,
        30,
        "",
    );
    // The index at the front, then the data cut off: the catalog accepts
    // the clip (its header is whole), but it has no picture to preroll.
    let broken = content.join("2-broken.mp4");
    make_clip(&broken, "ball", (320, 240), 60, 30, "faststart=true");
    cut_after_header(&broken);
    make_png(&content.join("3-last.png"), "green", 320, 240);
    age_folder(&content);
    let runs = play_logged(&kiosk, 6.0);
    let names = names(&runs);
    assert_eq!(names[..2], ["1-first.mp4", "3-last.png"], "{names:?}");
    let journal = kiosk.journal();
    let failed = events(&journal, "item_failed");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["item"], "2-broken.mp4");
    let first_ended = events(&journal, "play_ended")
        .into_iter()
        .find(|e| e["item"] == "1-first.mp4")
        .expect("the first clip ended");
    assert!(
        failed[0]["time"].as_str() < first_ended["time"].as_str(),
        "refused before its turn: {failed:?} vs {first_ended}"
    );
}

/// Keeps a faststart MP4's header boxes and the first bytes of its data.
fn cut_after_header(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let mut offset = 0;
    while offset + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[offset..offset + 4].try_into().unwrap()) as usize;
        if &bytes[offset + 4..offset + 8] == b"mdat" {
            std::fs::write(path, &bytes[..offset + 16]).unwrap();
            return;
        }
        offset += size;
    }
    panic!("{}: no mdat box", path.display());
}

#[test]
fn crossfade_blends_one_item_into_the_next() {
    let kiosk = Kiosk::new(
        "image_seconds: 2\ntransition: crossfade\ntransition_seconds: 1\nticker:\n  enabled: false\n",
    );
    let content = kiosk.content();
    make_png(&content.join("1-red.png"), "red", 320, 240);
    make_png(&content.join("2-green.png"), "green", 320, 240);
    age_folder(&content);
    let runs = play_logged(&kiosk, 3.2);
    let names = names(&runs);
    assert_eq!(names[..2], ["1-red.png", "2-green.png"], "{names:?}");
    let fade: Vec<f64> = runs[1].1.iter().map(|f| f.1).collect();
    assert_eq!(fade[0], 0.0, "{fade:?}");
    assert!(
        fade.windows(2).all(|w| w[0] <= w[1]),
        "the new picture only comes in: {fade:?}"
    );
    assert!(
        fade.iter().any(|a| *a > 0.0 && *a < 1.0),
        "frames in the middle of the fade: {fade:?}"
    );
    assert!(
        runs[0].1.iter().all(|f| f.1 == 1.0),
        "the first item shows without a fade from black"
    );
}

#[test]
fn smpte_bars_match_gstreamers_own_conversion() {
    let kiosk = Kiosk::new("ticker:\n  enabled: false\ncaptions: []\n");
    let clip = kiosk.content().join("bars.mp4");
    make_clip(&clip, "smpte", (640, 480), 150, 30, "");
    age_folder(&kiosk.content());
    // GStreamer's reference: the first frame through videoconvert to RGB,
    // by way of its 16-bit path. Its direct 8-bit path rounds coarsely: on
    // these bars it is up to 5/255 off (green 0,250,0), the 16-bit path and
    // the shader exact to 1/255.
    let reference = kiosk.dir.path().join("reference.png");
    gst_launch(&format!(
        "filesrc location={} ! decodebin ! videoconvert ! video/x-raw,format=ARGB64 ! videoconvert dither=none ! video/x-raw,format=RGB ! pngenc snapshot=true ! filesink location={}",
        clip.display(),
        reference.display()
    ));
    // Both layouts the shader takes: I420 as software decoders make it, and
    // NV12 as VA-API makes it (here converted from I420 by GStreamer).
    for format in ["i420", "nv12"] {
        let shot = kiosk.dir.path().join(format!("{format}.png"));
        let args = [OPEN, &["--window-size", "640x480"]].concat();
        kiosk
            .start_with_env(2.5, &shot, &args, &[("INFOKIOSK_PIXEL_FORMAT", format)])
            .finish();
        let worst = compare_bars(&Shot::open(&shot), &Shot::open(&reference), format);
        eprintln!("{format}: largest difference from GStreamer's conversion {worst:.2}/255");
    }
}

/// The largest difference between two pictures of SMPTE bars at the bars'
/// centres, out of 255; fails above 2.
fn compare_bars(ours: &Shot, theirs: &Shot, format: &str) -> f64 {
    assert_eq!(ours.0.dimensions(), theirs.0.dimensions());
    // The centres of the seven top bars, the seven strips below them, and
    // the four blocks of the bottom row.
    let mut points = Vec::new();
    for bar in 0..7 {
        let x = (bar * 2 + 1) * 640 / 14;
        points.push((x, 160));
        points.push((x, 340));
    }
    for block in 0..4 {
        points.push(((block * 2 + 1) * 480 / 8, 440));
    }
    let mut worst = 0.0f64;
    for (x, y) in points {
        let (a, b) = (ours.mean(x, y, 8), theirs.mean(x, y, 8));
        for c in 0..3 {
            worst = worst.max((a[c] - b[c]).abs());
        }
        assert!(
            (0..3).all(|c| (a[c] - b[c]).abs() <= 2.0),
            "{format} at ({x}, {y}): ours {a:?}, GStreamer {b:?}"
        );
    }
    worst
}

#[test]
fn a_resolution_change_mid_stream_reaches_the_frames() {
    let dir = tempfile::tempdir().unwrap();
    let part = |name: &str, size: (u32, u32)| {
        let path = dir.path().join(name);
        gst_launch(&format!(
            "videotestsrc num-buffers=15 ! video/x-raw,width={},height={},framerate=30/1 ! x264enc speed-preset=ultrafast ! mpegtsmux ! filesink location={}",
            size.0,
            size.1,
            path.display()
        ));
        std::fs::read(path).unwrap()
    };
    let joined = dir.path().join("joined.ts");
    std::fs::write(
        &joined,
        [part("a.ts", (320, 240)), part("b.ts", (175, 321))].concat(),
    )
    .unwrap();
    let mut pipeline =
        infokiosk::media::VideoPipeline::open_with(&joined, infokiosk::media::Pace::Flat).unwrap();
    pipeline.play();
    let mut sizes = Vec::new();
    let started = std::time::Instant::now();
    loop {
        if let Some(frame) = pipeline.take_frame() {
            let planes = frame.planes();
            let size = (frame.width, frame.height, planes[0].width, planes[1].height);
            if sizes.last() != Some(&size) {
                sizes.push(size);
            }
        }
        let events = pipeline.poll();
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, infokiosk::media::VideoEvent::Error(_))),
            "{events:?}"
        );
        if events.contains(&infokiosk::media::VideoEvent::Eos) || started.elapsed().as_secs() > 30 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(
        sizes,
        [(320, 240, 320, 120), (175, 321, 175, 161)],
        "both sizes arrive, planes sized to match (chroma rounded up)"
    );
}
