//! Hooks for people and tests: leave after N seconds, save screenshots of
//! the window at given moments and just before leaving. A screenshot asked
//! for and not written makes the player exit with an error, so that a test
//! never looks at a picture left by an earlier run.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use bevy::ecs::system::IntoObserverSystem;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use crate::pacing::Pace;

/// `--exit-after`, `--screenshot`, `--screenshot-at` and `--frame-log`.
#[derive(Resource, Debug, Clone, Default)]
pub struct TestHooks {
    pub exit_after: Option<f64>,
    pub screenshot: Option<PathBuf>,
    /// `--screenshot-at SECONDS:PATH`: screenshots while playing.
    pub screenshots_at: Vec<TimedScreenshot>,
    /// `--frame-log`: what the stage shows, one line per frame.
    pub frame_log: Option<PathBuf>,
    /// `--heartbeat-seconds`: heartbeat lines this often instead of every
    /// minute, so that a test sees them.
    pub heartbeat_seconds: Option<f64>,
    /// `--debug-hang-after` (debug builds only): the main loop hangs for good
    /// after this many seconds, for the watchdog fault test.
    #[cfg(debug_assertions)]
    pub hang_after: Option<f64>,
}

/// `--screenshot-at SECONDS:PATH`: a screenshot `SECONDS` after the start.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedScreenshot {
    pub at: f64,
    pub path: PathBuf,
}

impl FromStr for TimedScreenshot {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (seconds, path) = text
            .split_once(':')
            .filter(|(_, path)| !path.is_empty())
            .ok_or("expected SECONDS:PATH, e.g. 2.5:fade.png")?;
        let at = seconds
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| format!("{seconds}: expected a number of seconds, 0 or more"))?;
        Ok(Self {
            at,
            path: path.into(),
        })
    }
}

/// Sent in the frame a screenshot is taken of; `--frame-log` marks that
/// frame, so a test knows what the stage showed in the picture.
#[derive(Message, Debug, Clone)]
pub struct ScreenshotTaken {
    pub path: PathBuf,
}

/// If a screenshot never arrives (no GPU readback), leave anyway.
const SCREENSHOT_GRACE_SECS: f64 = 5.0;

#[derive(Resource, Default)]
struct Screenshots {
    /// Timed screenshots not taken yet, the next one last.
    due: Vec<TimedScreenshot>,
    /// Taken, and not yet saved or failed.
    pending: usize,
    written: Vec<PathBuf>,
    leaving_since: Option<f64>,
}

pub fn plugin(app: &mut App) {
    let mut due = app
        .world()
        .get_resource::<TestHooks>()
        .map(|hooks| hooks.screenshots_at.clone())
        .unwrap_or_default();
    due.sort_by(|a, b| b.at.total_cmp(&a.at));
    app.insert_resource(Screenshots { due, ..default() })
        .add_message::<ScreenshotTaken>()
        .init_resource::<Pace>()
        .add_systems(
            Update,
            (take_timed_screenshots, exit_when_due, wake_when_due).chain(),
        );
}

/// Has the loop awake for the next timed screenshot and for the exit.
fn wake_when_due(hooks: Res<TestHooks>, shots: Res<Screenshots>, mut pace: ResMut<Pace>) {
    if let Some(shot) = shots.due.last() {
        pace.wake_at(shot.at);
    }
    if let Some(after) = hooks.exit_after {
        pace.wake_at(after);
    }
}

fn take_timed_screenshots(
    mut commands: Commands,
    time: Res<Time<Real>>,
    mut shots: ResMut<Screenshots>,
    mut taken: MessageWriter<ScreenshotTaken>,
) {
    let now = time.elapsed_secs_f64();
    while let Some(shot) = shots.due.pop_if(|shot| shot.at <= now) {
        take_screenshot(&mut commands, &mut shots, &mut taken, shot.path);
    }
}

fn exit_when_due(
    mut commands: Commands,
    hooks: Res<TestHooks>,
    time: Res<Time<Real>>,
    mut shots: ResMut<Screenshots>,
    mut taken: MessageWriter<ScreenshotTaken>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(after) = hooks.exit_after else {
        return;
    };
    let now = time.elapsed_secs_f64();
    let since = match shots.leaving_since {
        Some(since) => since,
        None if now < after => return,
        None => {
            shots.leaving_since = Some(now);
            if let Some(path) = &hooks.screenshot {
                take_screenshot(&mut commands, &mut shots, &mut taken, path.clone());
            }
            now
        }
    };
    if shots.pending > 0 && now - since <= SCREENSHOT_GRACE_SECS {
        return;
    }
    let missing: Vec<String> = hooks
        .screenshots_at
        .iter()
        .map(|shot| &shot.path)
        .chain(&hooks.screenshot)
        .filter(|&path| !shots.written.contains(path))
        .map(|path| path.display().to_string())
        .collect();
    if missing.is_empty() {
        exit.write(AppExit::Success);
    } else {
        error!(
            "screenshots not written (not saved, not back from the GPU within {SCREENSHOT_GRACE_SECS} s, or due after the exit): {}",
            missing.join(", ")
        );
        exit.write(AppExit::error());
    }
}

/// Asks for a screenshot of the window as this frame renders it.
fn take_screenshot(
    commands: &mut Commands,
    shots: &mut Screenshots,
    taken: &mut MessageWriter<ScreenshotTaken>,
    path: PathBuf,
) {
    shots.pending += 1;
    taken.write(ScreenshotTaken { path: path.clone() });
    capture_window(
        commands,
        move |captured: On<ScreenshotCaptured>, mut shots: ResMut<Screenshots>| {
            shots.pending -= 1;
            match save(&captured.image, &path) {
                Ok(()) => {
                    info!("screenshot saved to {}", path.display());
                    shots.written.push(path.clone());
                }
                Err(e) => error!("screenshot {}: {e}", path.display()),
            }
        },
    );
}

/// Saves a screenshot without its alpha channel, in the format its file
/// name says.
fn save(image: &Image, path: &Path) -> Result<(), String> {
    let format = image::ImageFormat::from_path(path).map_err(|e| e.to_string())?;
    rgb_picture(image.clone())?
        .save_with_format(path, format)
        .map_err(|e| e.to_string())
}

/// Asks for a picture of the primary window as this frame renders it;
/// `then` observes its arrival (a frame or more later). The one way the
/// player takes screenshots: these hooks and the outbox's (`outbox::plugin`).
pub fn capture_window<M>(
    commands: &mut Commands,
    then: impl IntoObserverSystem<ScreenshotCaptured, (), M>,
) {
    commands.spawn(Screenshot::primary_window()).observe(then);
}

/// A screenshot as RGB pixels, the window's alpha dropped.
pub fn rgb_picture(image: Image) -> Result<image::RgbImage, String> {
    let picture = image.try_into_dynamic().map_err(|e| e.to_string())?;
    Ok(picture.to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_screenshots_read_seconds_then_a_path() {
        assert_eq!(
            "2.5:out/fade:1.png".parse(),
            Ok(TimedScreenshot {
                at: 2.5,
                path: "out/fade:1.png".into()
            })
        );
        for bad in ["fade.png", "2.5:", "-1:a.png", "soon:a.png", "inf:a.png"] {
            assert!(bad.parse::<TimedScreenshot>().is_err(), "{bad}");
        }
    }

    fn exit_with(screenshots_at: Vec<TimedScreenshot>) -> Option<AppExit> {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .insert_resource(TestHooks {
                exit_after: Some(0.0),
                screenshots_at,
                ..default()
            })
            .add_plugins(plugin);
        app.update();
        app.should_exit()
    }

    #[test]
    fn a_screenshot_not_taken_makes_the_exit_an_error() {
        assert_eq!(exit_with(Vec::new()), Some(AppExit::Success));
        let late = TimedScreenshot {
            at: 60.0,
            path: "late.png".into(),
        };
        assert_eq!(exit_with(vec![late]), Some(AppExit::error()));
    }
}
