//! Draw on demand: the player updates (and so draws) only when something on
//! screen changes, and at least once a second.
//!
//! Bevy's winit loop runs in its reactive mode. Each frame the plugins say
//! what they need in [`Pace`]: `keep_drawing` while something moves (the
//! ticker, a crossfade, the overlay, an item being readied), `wake_at` a real time when something is due (an item's or a
//! page's end, the schedule's next change, a timed screenshot). At the end
//! of the frame [`set_pace`] turns that into the loop's mode: every
//! `1 / max_fps` seconds while something moves (or a screenshot is on its
//! way back from the GPU), else once a second, and an
//! alarm thread that wakes the loop at the earliest time due. Threads wake it
//! too (`crate::wake`): a decoded video frame (so a clip is drawn at its own
//! frame rate), a finished job, a new catalog.
//!
//! The once-a-second frame is the heartbeat the watchdog, the journal's
//! heartbeat, the control file's and config's polls and `--frame-log` rely on.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::Screenshot;
use bevy::winit::{EventLoopProxyWrapper, UpdateMode, WinitSettings, WinitUserEvent};

use crate::screen_state::ScreenState;

/// The longest the loop sleeps: the heartbeat.
pub const RESTING_WAIT: Duration = Duration::from_secs(1);

/// What this frame's systems need of the next frames; cleared each frame.
#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct Pace {
    moving: bool,
    /// Real seconds (`Time<Real>`'s elapsed) of the earliest thing due.
    due: Option<f64>,
}

impl Pace {
    /// Something on screen moves: draw the next frame at the display rate
    /// (at most `max_fps`).
    pub fn keep_drawing(&mut self) {
        self.moving = true;
    }

    /// Something is due at `real_seconds` (`Time<Real>`'s elapsed): be
    /// awake then.
    pub fn wake_at(&mut self, real_seconds: f64) {
        if real_seconds.is_finite() {
            self.due = Some(self.due.map_or(real_seconds, |d| d.min(real_seconds)));
        }
    }
}

/// The two modes of the loop.
#[derive(Resource, Debug, Clone, Copy)]
struct Modes {
    moving: UpdateMode,
    resting: UpdateMode,
}

/// Makes the window's loop draw on demand. Needs the `WinitPlugin`.
pub struct PacingPlugin {
    pub max_fps: f64,
}

impl Plugin for PacingPlugin {
    fn build(&self, app: &mut App) {
        let modes = Modes {
            moving: UpdateMode::reactive_low_power(Duration::from_secs_f64(1.0 / self.max_fps)),
            resting: resting_mode(),
        };
        if let Some(proxy) = app.world().get_resource::<EventLoopProxyWrapper>() {
            let proxy = Mutex::new((**proxy).clone());
            crate::wake::install(move || {
                let proxy = proxy.lock().unwrap_or_else(PoisonError::into_inner);
                // Fails only once the loop has ended.
                let _ = proxy.send_event(WinitUserEvent::WakeUp);
            });
        }
        app.init_resource::<Pace>()
            .insert_resource(modes)
            .insert_resource(WinitSettings {
                focused_mode: modes.moving,
                unfocused_mode: modes.moving,
            })
            .insert_resource(Alarm::start(crate::wake::wake))
            .add_systems(
                PreUpdate,
                quiet_egui_wake_ups.after(bevy_egui::EguiPreUpdateSet::InitContexts),
            )
            .add_systems(Last, set_pace);
    }
}

/// bevy_egui wakes the loop whenever egui asks for a repaint, and feeds egui
/// a "modifiers changed" event every frame, so egui always asks: the loop
/// would never rest. The overlay draws at the display rate while it is up
/// (`keep_drawing`), and a key press wakes the loop by itself, so egui's
/// requests are not needed: its contexts get a callback that does nothing.
fn quiet_egui_wake_ups(
    mut contexts: Query<&mut bevy_egui::EguiContext, Added<bevy_egui::EguiContext>>,
) {
    for mut context in &mut contexts {
        context.get_mut().set_request_repaint_callback(|_| ());
    }
}

/// At rest the loop wakes for the heartbeat, a thread's `wake`, and window
/// events (a key press); not for device events (a mouse moving).
fn resting_mode() -> UpdateMode {
    UpdateMode::reactive_low_power(RESTING_WAIT)
}

/// Turns this frame's [`Pace`] into the loop's mode and the alarm, then
/// clears it for the next frame.
fn set_pace(
    mut pace: ResMut<Pace>,
    modes: Res<Modes>,
    mut settings: ResMut<WinitSettings>,
    alarm: Res<Alarm>,
    time: Res<Time<Real>>,
    screen: Option<Res<State<ScreenState>>>,
    screenshots: Query<(), With<Screenshot>>,
) {
    let starting = screen.is_none_or(|s| *s.get() == ScreenState::Starting);
    // A screenshot comes back from the GPU a few frames after it is asked for.
    let capturing = !screenshots.is_empty();
    let mode = if pace.moving || starting || capturing {
        modes.moving
    } else {
        modes.resting
    };
    // Changing the mode makes the loop update at once: only on a change.
    if settings.focused_mode != mode {
        settings.focused_mode = mode;
        settings.unfocused_mode = mode;
    }
    let now = time.elapsed_secs_f64();
    // `elapsed` counts from the first update, not from `startup`: the
    // instant is reckoned from this update's.
    alarm.set(
        pace.due
            .filter(|due| *due > now)
            .zip(time.last_update())
            .and_then(|(due, this)| this.checked_add(Duration::from_secs_f64(due - now))),
    );
    *pace = Pace::default();
}

/// A thread that calls its ring once the time set has come.
#[derive(Resource, Clone)]
struct Alarm(Arc<(Mutex<Option<Instant>>, Condvar)>);

impl Alarm {
    fn start(ring: impl Fn() + Send + 'static) -> Self {
        let alarm = Self(Arc::default());
        let thread = alarm.clone();
        if let Err(e) = std::thread::Builder::new()
            .name("pacing".into())
            .spawn(move || thread.run(ring))
        {
            // The loop still wakes once a second: items end up to a second late.
            error!("pacing: no alarm thread: {e}");
        }
        alarm
    }

    /// The next time to ring (`None`: none); a time already set is kept.
    fn set(&self, at: Option<Instant>) {
        let (next, changed) = &*self.0;
        let mut next = next.lock().unwrap_or_else(PoisonError::into_inner);
        if *next != at {
            *next = at;
            changed.notify_one();
        }
    }

    fn run(&self, ring: impl Fn()) {
        let (next, changed) = &*self.0;
        let mut next = next.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            next = match *next {
                None => changed.wait(next).unwrap_or_else(PoisonError::into_inner),
                Some(at) => match at.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => {
                        changed
                            .wait_timeout(next, left)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0
                    }
                    _ => {
                        *next = None;
                        ring();
                        next
                    }
                },
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    fn app(screen: ScreenState) -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<Pace>()
            .insert_resource(Modes {
                moving: UpdateMode::reactive_low_power(Duration::from_millis(16)),
                resting: resting_mode(),
            })
            .insert_resource(WinitSettings::game())
            .insert_resource(Alarm::start(|| ()))
            .add_plugins(bevy::state::app::StatesPlugin)
            .insert_state(screen)
            .add_systems(Last, set_pace);
        app
    }

    fn mode(app: &App) -> UpdateMode {
        app.world().resource::<WinitSettings>().focused_mode
    }

    #[test]
    fn the_loop_rests_unless_something_moves_and_each_frame_asks_again() {
        let mut app = app(ScreenState::Open);
        app.update();
        assert_eq!(mode(&app), resting_mode());
        app.world_mut().resource_mut::<Pace>().keep_drawing();
        app.update();
        assert_eq!(
            mode(&app),
            UpdateMode::reactive_low_power(Duration::from_millis(16))
        );
        assert_eq!(*app.world().resource::<Pace>(), Pace::default());
        app.update();
        assert_eq!(mode(&app), resting_mode());
    }

    #[test]
    fn the_screen_starting_up_is_drawn_at_the_display_rate() {
        let mut app = app(ScreenState::Starting);
        app.update();
        assert_eq!(
            mode(&app),
            UpdateMode::reactive_low_power(Duration::from_millis(16))
        );
    }

    #[test]
    fn the_earliest_time_due_wins() {
        let mut pace = Pace::default();
        pace.wake_at(5.0);
        pace.wake_at(2.0);
        pace.wake_at(f64::NAN);
        pace.wake_at(9.0);
        assert_eq!(pace.due, Some(2.0));
    }

    #[test]
    fn the_alarm_rings_once_at_the_time_set_and_not_for_a_time_taken_back() {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let alarm = Alarm::start(move || {
            let _ = tx.lock().unwrap().send(Instant::now());
        });
        let at = Instant::now() + Duration::from_millis(50);
        alarm.set(Some(at));
        let rang = rx.recv_timeout(Duration::from_secs(10)).expect("it rang");
        assert!(rang >= at, "not before its time");
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err(), "once");
        alarm.set(Some(Instant::now() + Duration::from_millis(100)));
        alarm.set(None);
        assert!(
            rx.recv_timeout(Duration::from_millis(400)).is_err(),
            "a time taken back does not ring"
        );
    }
}
