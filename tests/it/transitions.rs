//! Gapless playback, seen through `--frame-log` (what the stage showed at
//! every rendered frame) and screenshots.

use std::path::{Path, PathBuf};

use crate::support::*;

/// What a rendered frame showed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shown {
    /// An item on the stage: its name, frame number and opacity.
    Stage(String, u64, f64),
    Text(String),
    Fallback,
    Black,
    Closed,
}

/// One line of the frame log: what a frame showed, and the screenshots
/// taken of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Logged {
    /// Milliseconds since the player started.
    pub ms: u64,
    pub shown: Shown,
    screenshots: Vec<PathBuf>,
}

pub(crate) fn frame_log(path: &Path) -> Vec<Logged> {
    std::fs::read_to_string(path)
        .expect("frame log written")
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let shown = match fields[2] {
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
            };
            let screenshots = fields
                .iter()
                .filter_map(|f| f.strip_prefix("screenshot="))
                .map(PathBuf::from)
                .collect();
            Logged {
                ms: fields[1].parse().unwrap(),
                shown,
                screenshots,
            }
        })
        .collect()
}

/// One item's stretch of frames: its name, then each frame's number and
/// opacity.
type Run = (String, Vec<(u64, f64)>);

/// The frames from the first one that showed something, with no black
/// frame among them (checked); grouped into runs of one item.
fn runs_after_start(log: &[Logged]) -> Vec<Run> {
    let start = log
        .iter()
        .position(|l| matches!(l.shown, Shown::Stage(..)))
        .expect("something was shown");
    let mut runs: Vec<Run> = Vec::new();
    for (n, Logged { shown, .. }) in log[start..].iter().enumerate() {
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
    runs_after_start(&play_logged_with(kiosk, seconds, &[]))
}

/// [`play_logged`] with more arguments for the player; returns every line
/// of the frame log.
fn play_logged_with(kiosk: &Kiosk, seconds: f64, extra_args: &[String]) -> Vec<Logged> {
    let log = kiosk.dir.path().join("frames.log");
    let shot = kiosk.dir.path().join("shot.png");
    let mut args: Vec<&str> = [OPEN, &["--frame-log", log.to_str().unwrap()]].concat();
    args.extend(extra_args.iter().map(String::as_str));
    kiosk.play(seconds, &shot, &args);
    frame_log(&log)
}

/// `--screenshot-at` arguments: a screenshot every `step` seconds from
/// `from` to `to`, saved in `dir`.
fn screenshots_every(dir: &Path, step: f64, from: f64, to: f64) -> Vec<String> {
    let count = ((to - from) / step).round() as u32;
    (0..=count)
        .flat_map(|n| {
            let at = from + f64::from(n) * step;
            let path = dir.join(format!("at-{at:.2}.png"));
            [
                "--screenshot-at".to_owned(),
                format!("{at}:{}", path.display()),
            ]
        })
        .collect()
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

/// The stage's shader is compiled for each kind of source when it is first
/// shown: a clip after pictures needs a pipeline nobody needed before. The
/// frame log says what the stage was given; the screenshots show what was
/// drawn, and none of them may be black while it is shown.
#[test]
fn the_first_clip_after_a_picture_is_drawn_from_its_first_frame() {
    let kiosk = Kiosk::new("image_seconds: 1.5\npreroll_seconds: 1\nticker:\n  enabled: false\n");
    let content = kiosk.content();
    make_png(&content.join("1-picture.png"), "red", 320, 240);
    make_clip(&content.join("2-clip.mp4"), "smpte", (320, 240), 60, 30, "");
    age_folder(&content);
    let mut args: Vec<String> = ["--window-size", "320x240"].map(String::from).into();
    args.extend(screenshots_every(kiosk.dir.path(), 0.04, 0.5, 4.5));
    let log = play_logged_with(&kiosk, 5.0, &args);
    let runs = runs_after_start(&log);
    assert_eq!(names(&runs)[..2], ["1-picture.png", "2-clip.mp4"]);

    let mut clip_shots = 0;
    for logged in &log {
        let Shown::Stage(item, ..) = &logged.shown else {
            continue;
        };
        for path in &logged.screenshots {
            let seen = Shot::open(path).mean(160, 120, 32);
            assert!(
                seen.iter().any(|c| *c > 60.0),
                "{}: {item} was on the stage, the screen shows {seen:?}",
                path.display()
            );
            clip_shots += usize::from(item == "2-clip.mp4");
        }
    }
    assert!(clip_shots >= 10, "{clip_shots} screenshots of the clip");
}

#[test]
fn a_single_clip_loops_without_a_blank_frame() {
    let kiosk = Kiosk::new("preroll_seconds: 1\nticker:\n  enabled: false\n");
    let clip = kiosk.content().join("only.mp4");
    // A moving ball: each frame looks different from the next.
    make_clip(&clip, "ball", (320, 240), 40, 30, "");
    age_folder(&kiosk.content());
    // The window as large as the clip, so that a screenshot compares pixel
    // for pixel with GStreamer's own picture of the frame the log names.
    let mut args: Vec<String> = ["--window-size", "320x240"].map(String::from).into();
    args.extend(screenshots_every(kiosk.dir.path(), 0.25, 1.0, 5.75));
    let log = play_logged_with(&kiosk, 6.0, &args);
    let runs = runs_after_start(&log);
    assert_eq!(names(&runs), ["only.mp4"], "nothing else, and no black");
    let frames: Vec<u64> = runs[0].1.iter().map(|f| f.0).collect();
    let restarts = frames.windows(2).filter(|w| w[1] < w[0]).count();
    assert!(restarts >= 2, "the clip came round again: {frames:?}");
    assert!(
        frames.windows(2).all(|w| w[1] >= w[0] || w[1] == 0),
        "each pass starts at frame 0: {frames:?}"
    );

    let reference = decoded_frames(&clip, &kiosk.dir.path().join("reference"));
    assert_eq!(reference.len(), 40);
    let mut compared = 0;
    for logged in &log {
        let Shown::Stage(_, frame, _) = logged.shown else {
            continue;
        };
        for path in &logged.screenshots {
            let shot = Shot::open(path);
            let frame = frame as usize;
            let near = frame.saturating_sub(2)..(frame + 3).min(reference.len());
            let differences: Vec<(usize, f64)> = near
                .map(|n| (n, difference(&shot, &reference[n])))
                .collect();
            let best = differences
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            // Measured: 0.03 from the logged frame, 0.45 or more from the
            // frames beside it.
            assert!(
                best.0 == frame && best.1 < 0.2,
                "{} shows frame {frame} as the log says, not one before or after: \
                 mean difference from frames {differences:?}",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 15, "{compared} screenshots of the clip");
}

/// Each frame of a clip as GStreamer decodes it to RGB, in order.
fn decoded_frames(clip: &Path, dir: &Path) -> Vec<Shot> {
    std::fs::create_dir_all(dir).unwrap();
    gst_launch(&format!(
        "filesrc location={} ! decodebin ! videoconvert ! video/x-raw,format=RGB ! pngenc ! multifilesink location={}/%03d.png",
        clip.display(),
        dir.display()
    ));
    (0..)
        .map(|n| dir.join(format!("{n:03}.png")))
        .take_while(|path| path.exists())
        .map(|path| Shot::open(&path))
        .collect()
}

/// The mean difference between two pictures of one size, per channel, out
/// of 255.
fn difference(a: &Shot, b: &Shot) -> f64 {
    assert_eq!(a.0.dimensions(), b.0.dimensions());
    let total: u64 =
        a.0.as_raw()
            .iter()
            .zip(b.0.as_raw())
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum();
    total as f64 / a.0.as_raw().len() as f64
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
        "image_seconds: 3\ntransition: crossfade\ntransition_seconds: 2\nticker:\n  enabled: false\n",
    );
    let content = kiosk.content();
    make_png(&content.join("1-red.png"), "red", 400, 300);
    make_png(&content.join("2-green.png"), "green", 400, 300);
    age_folder(&content);
    let colour = |item: &str| match item {
        "1-red.png" => RED,
        "2-green.png" => GREEN,
        other => panic!("{other} was shown"),
    };
    // A screenshot every half second: wherever the start puts the first
    // fade, two or more land in its middle (alpha 0.25 to 0.75 takes 1 s)
    // and one in the second the new picture is shown whole.
    let mut args: Vec<String> = ["--window-size", "400x300"].map(String::from).into();
    args.extend(screenshots_every(kiosk.dir.path(), 0.5, 1.0, 8.0));
    let log = play_logged_with(&kiosk, 8.5, &args);

    let runs = runs_after_start(&log);
    assert!(runs.len() >= 3, "red, green, and red again: {runs:?}");
    assert_eq!(names(&runs)[..3], ["1-red.png", "2-green.png", "1-red.png"]);
    assert!(
        runs[0].1.iter().all(|f| f.1 == 1.0),
        "the first item shows without a fade from black"
    );
    let fade: Vec<f64> = runs[1].1.iter().map(|f| f.1).collect();
    assert_eq!(fade[0], 0.0, "{fade:?}");
    assert!(
        fade.windows(2).all(|w| w[0] <= w[1]),
        "the new picture only comes in: {fade:?}"
    );
    assert_eq!(
        fade.last(),
        Some(&1.0),
        "the fade ends opaque: its last frames {:?}",
        &fade[fade.len().saturating_sub(5)..]
    );

    // Each screenshot shows what the frame log says of its frame: the
    // front picture at its opacity over the other one.
    let (mut middle, mut whole) = (0, 0);
    for logged in &log {
        let Shown::Stage(item, _, alpha) = &logged.shown else {
            continue;
        };
        let other = if item == "1-red.png" {
            "2-green.png"
        } else {
            "1-red.png"
        };
        let expected = blend(colour(item), colour(other), *alpha);
        for path in &logged.screenshots {
            let shot = Shot::open(path);
            let seen = shot.mean(200, 150, 16);
            // Seen within 1/255 of the blend (pictures in the picture
            // path are exact; the mix is in linear light).
            assert!(
                shot.is_near(200, 150, expected, 3.0),
                "{}: {item} at alpha {alpha} should look {expected:?}, looks {seen:?}",
                path.display()
            );
            if (0.25..=0.75).contains(alpha) {
                middle += 1;
                assert!(
                    seen[..2].iter().all(|c| (100.0..=235.0).contains(c)) && seen[2] < 20.0,
                    "{}: mid-fade is a visible mix of red and green: {seen:?}",
                    path.display()
                );
                if item == "2-green.png" {
                    std::fs::copy(path, artifact("crossfade-middle.png")).unwrap();
                }
            }
            if item == "2-green.png" && *alpha == 1.0 {
                whole += 1;
            }
        }
    }
    assert!(middle >= 1, "a screenshot in the middle of a fade");
    assert!(
        whole >= 1,
        "a screenshot of the green picture after its fade"
    );
}

#[test]
fn a_text_slide_covers_the_picture_before_it_and_uncovers_the_next() {
    // Pictures of the window's size, copied into the frame rather than
    // drawn; the slide's background is the camera's clear colour.
    let kiosk = Kiosk::new(
        "image_seconds: 1.5\nticker:\n  enabled: false\ntext:\n  background: \"#2040a0\"\n",
    );
    let content = kiosk.content();
    make_png(&content.join("1-red.png"), "red", 400, 300);
    std::fs::write(content.join("2-notice.vi.txt"), "Thông báo\n").unwrap();
    make_png(&content.join("3-green.png"), "green", 400, 300);
    age_folder(&content);
    let theme = [32.0, 64.0, 160.0];
    let mut args: Vec<String> = ["--window-size", "400x300"].map(String::from).into();
    args.extend(screenshots_every(kiosk.dir.path(), 0.5, 1.0, 8.0));
    let log = play_logged_with(&kiosk, 8.5, &args);

    let mut seen = Vec::new();
    for logged in &log {
        let (name, colour) = match &logged.shown {
            Shown::Stage(item, _, _) if item == "1-red.png" => ("red", RED),
            Shown::Stage(item, _, _) if item == "3-green.png" => ("green", GREEN),
            Shown::Text(item) if item == "2-notice.vi.txt" => ("slide", theme),
            _ => continue,
        };
        for path in &logged.screenshots {
            // The left margin, where the slide has no text.
            let shot = Shot::open(path);
            assert!(
                shot.is_near(12, 150, colour, 2.0),
                "{}: the {name} frame looks {:?} at the left edge",
                path.display(),
                shot.mean(12, 150, 16)
            );
            seen.push(name);
        }
    }
    seen.dedup();
    assert!(
        seen.windows(3).any(|w| w == ["red", "slide", "green"]),
        "screenshots of the red picture, the slide, then the green one: {seen:?}"
    );
}

/// `front` at `alpha` over `back`, mixed in linear light as the sRGB
/// render target mixes them.
fn blend(front: [f64; 3], back: [f64; 3], alpha: f64) -> [f64; 3] {
    let decode = |c: f64| {
        let c = c / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let encode = |l: f64| {
        255.0
            * if l <= 0.003_130_8 {
                l * 12.92
            } else {
                1.055 * l.powf(1.0 / 2.4) - 0.055
            }
    };
    std::array::from_fn(|c| encode(alpha * decode(front[c]) + (1.0 - alpha) * decode(back[c])))
}

#[test]
fn a_resolution_change_mid_stream_reaches_the_frames() {
    let dir = tempfile::tempdir().unwrap();
    let part = |name: &str, format: &str, size: (u32, u32)| {
        let path = dir.path().join(name);
        gst_launch(&format!(
            "videotestsrc num-buffers=15 ! video/x-raw,format={format},width={},height={},framerate=30/1 ! x264enc speed-preset=ultrafast ! mpegtsmux ! filesink location={}",
            size.0,
            size.1,
            path.display()
        ));
        std::fs::read(path).unwrap()
    };
    let joined = dir.path().join("joined.ts");
    std::fs::write(
        &joined,
        // 4:2:0, then 4:4:4 at an odd size (x264 makes odd sizes only in 4:4:4).
        [
            part("a.ts", "I420", (320, 240)),
            part("b.ts", "Y444", (175, 321)),
        ]
        .concat(),
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
        [(320, 240, 320, 120), (175, 321, 175, 321)],
        "both sizes and layouts arrive, planes sized to match (half-height chroma, then full)"
    );
}
