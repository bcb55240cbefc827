//! `--frame-log FILE`: one line per rendered frame saying what the screen
//! shows, so a test (or a person) can check that no frame between two items
//! is black and that each clip starts at its frame 0.
//!
//! Each line: frame count, milliseconds since start, then `stage ITEM FRAME
//! ALPHA` (a picture is frame 0; alpha below 1 while fading in), `text ITEM
//! PAGE`, `fallback`, `black` (open, and
//! nothing on screen) or `closed`, tab-separated. A frame a screenshot is
//! taken of (`--screenshot`, `--screenshot-at`) ends with `screenshot=PATH`,
//! one field per screenshot.

use std::fs::File;
use std::io::{BufWriter, Write};

use bevy::prelude::*;

use super::Playback;
use super::stage::{Layers, Stage};
use super::text_slide::TextSlide;
use crate::hooks::{ScreenshotTaken, TestHooks};
use crate::screen_state::ScreenState;

#[derive(Resource)]
struct FrameLog {
    out: BufWriter<File>,
    frames: u64,
}

pub(super) fn plugin(app: &mut App) {
    let Some(path) = app
        .world()
        .get_resource::<TestHooks>()
        .and_then(|h| h.frame_log.clone())
    else {
        return;
    };
    match File::create(&path) {
        Ok(file) => {
            app.insert_resource(FrameLog {
                out: BufWriter::new(file),
                frames: 0,
            })
            .add_systems(PostUpdate, log_frame);
        }
        Err(e) => error!("frame log {}: {e}", path.display()),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a system reading everything a frame shows, and the screenshots taken of it"
)]
fn log_frame(
    mut log: ResMut<FrameLog>,
    time: Res<Time<Real>>,
    screen: Option<Res<State<ScreenState>>>,
    playback: Res<Playback>,
    layers: Res<Layers>,
    stage: Query<&Visibility, With<Stage>>,
    slides: Query<(&TextSlide, &Visibility)>,
    mut screenshots: MessageReader<ScreenshotTaken>,
) {
    let open = screen.is_some_and(|s| *s.get() == ScreenState::Open);
    let (front, source, alpha) = layers.front();
    let shown = if !open {
        "closed".to_owned()
    } else if let Some((slide, _)) = slides.iter().find(|(_, v)| **v == Visibility::Visible) {
        format!("text\t{}\t{}", slide.item, slide.page)
    } else if playback.is_fallback() {
        "fallback".to_owned()
    } else {
        match source {
            Some(source) if stage.get(front).is_ok_and(|v| *v == Visibility::Visible) => {
                format!("stage\t{}\t{}\t{alpha:.3}", source.item, source.frame)
            }
            _ => "black".to_owned(),
        }
    };
    log.frames += 1;
    let mut line = format!("{}\t{}\t{shown}", log.frames, time.elapsed().as_millis());
    for shot in screenshots.read() {
        line.push_str(&format!("\tscreenshot={}", shot.path.display()));
    }
    line.push('\n');
    // Flushed every frame: the log must be whole when the player is killed.
    if let Err(e) = log
        .out
        .write_all(line.as_bytes())
        .and_then(|()| log.out.flush())
    {
        error!("frame log: {e}");
    }
}
