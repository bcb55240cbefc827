//! Hooks for people and tests: leave after N seconds, and save a screenshot
//! of the window just before leaving.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

/// `--exit-after` and `--screenshot`.
#[derive(Resource, Debug, Clone, Default)]
pub struct TestHooks {
    pub exit_after: Option<f64>,
    pub screenshot: Option<PathBuf>,
    /// `--frame-log`: what the stage shows, one line per frame.
    pub frame_log: Option<PathBuf>,
    /// `--debug-hang-after` (debug builds only): the main loop hangs for good
    /// after this many seconds, for the watchdog fault test.
    #[cfg(debug_assertions)]
    pub hang_after: Option<f64>,
}

/// If the screenshot never arrives (no GPU readback), leave anyway.
const SCREENSHOT_GRACE_SECS: f64 = 5.0;

#[derive(Resource, Default)]
struct Leaving {
    since: Option<f64>,
}

pub fn plugin(app: &mut App) {
    app.init_resource::<Leaving>()
        .add_systems(Update, exit_when_due);
}

fn exit_when_due(
    mut commands: Commands,
    hooks: Res<TestHooks>,
    time: Res<Time<Real>>,
    mut leaving: ResMut<Leaving>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(after) = hooks.exit_after else {
        return;
    };
    let now = time.elapsed_secs_f64();
    match (leaving.since, &hooks.screenshot) {
        (None, _) if now < after => {}
        (None, None) => {
            exit.write(AppExit::Success);
        }
        (None, Some(path)) => {
            leaving.since = Some(now);
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(path.clone()))
                .observe(
                    |_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                        exit.write(AppExit::Success);
                    },
                );
        }
        (Some(since), _) if now - since > SCREENSHOT_GRACE_SECS => {
            warn!("screenshot did not arrive within {SCREENSHOT_GRACE_SECS} s; exiting without it");
            exit.write(AppExit::Success);
        }
        (Some(_), _) => {}
    }
}
