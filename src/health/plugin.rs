//! Tells systemd how the player is doing: READY once the first picture, the
//! fallback slide or the black of closed hours is on screen; WATCHDOG pings
//! from the main loop, so a hung render loop gets restarted; a STATUS line
//! for `systemctl status`; STOPPING when leaving.

use std::time::Duration;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;

use super::notify::{Notice, Notifier, watchdog_interval};
use crate::player::{Playback, Stage};
use crate::screen_state::ScreenState;

/// Frames between seeing something on screen and saying READY: with
/// pipelined rendering a frame is drawn while the next one is updated, so two
/// frames later it has been presented.
const PRESENT_LAG_FRAMES: u64 = 2;

/// READY is sent after this long even with nothing on screen yet (a first
/// scan of a large folder can keep the screen black for a while). The loop is
/// alive and pinging; a restart would only scan the same folder again. The
/// unit's `TimeoutStartSec=` must be longer.
pub const READY_GRACE: Duration = Duration::from_secs(60);

/// systemd notifications from the player.
pub struct HealthPlugin {
    /// `None` when not started by systemd: then nothing is sent.
    pub notifier: Option<Notifier>,
    /// `WatchdogSec=`; pings go out at half this interval.
    pub watchdog: Option<Duration>,
    pub ready_grace: Duration,
    /// `--debug-hang-after`: the main loop stops for good after this long,
    /// to test that the watchdog restarts the player. Debug builds only.
    #[cfg(debug_assertions)]
    pub hang_after: Option<Duration>,
}

impl HealthPlugin {
    /// Notifier and watchdog from the environment systemd gives the service.
    pub fn from_env() -> Self {
        Self {
            notifier: Notifier::from_env(),
            watchdog: watchdog_interval(),
            ready_grace: READY_GRACE,
            #[cfg(debug_assertions)]
            hang_after: None,
        }
    }
}

impl Default for HealthPlugin {
    fn default() -> Self {
        Self::from_env()
    }
}

impl Plugin for HealthPlugin {
    fn build(&self, app: &mut App) {
        if let Some(interval) = self.watchdog {
            info!(
                "systemd watchdog: {interval:?}; pinging every {:?}",
                interval / 2
            );
        }
        app.insert_resource(ServiceManager {
            notifier: self.notifier.clone(),
            ready_grace: self.ready_grace,
            frame: 0,
            seen_at_frame: None,
            ready: false,
            status: String::new(),
            stopping: false,
        })
        .add_systems(
            Last,
            (announce_ready, report_status, announce_stopping).chain(),
        );
        if let Some(interval) = self.watchdog {
            // In the first frame, then at half the interval.
            app.add_systems(
                Last,
                ping_watchdog
                    .run_if(run_once.or_eager(on_real_timer(interval / 2)))
                    .after(report_status)
                    .before(announce_stopping),
            );
        }
        #[cfg(debug_assertions)]
        if let Some(after) = self.hang_after {
            app.add_plugins(super::hang::DebugHangPlugin { after });
        }
    }
}

#[derive(Resource)]
struct ServiceManager {
    notifier: Option<Notifier>,
    ready_grace: Duration,
    frame: u64,
    /// The frame in which something was first on screen.
    seen_at_frame: Option<u64>,
    ready: bool,
    status: String,
    stopping: bool,
}

impl ServiceManager {
    fn send(&self, notice: Notice) {
        let Some(notifier) = &self.notifier else {
            return;
        };
        if let Err(e) = notifier.send(&notice) {
            warn!("cannot notify systemd ({}): {e}", notice.message());
        }
    }
}

/// What the screen shows, for READY and STATUS; `None` while nothing is
/// decided yet (starting, or between two items).
fn screen_text(
    screen: Option<&State<ScreenState>>,
    playback: Option<&Playback>,
    stage_shown: bool,
) -> Option<String> {
    if screen.is_some_and(|s| *s.get() == ScreenState::Closed) {
        return Some("closed: screen black, display off".into());
    }
    let playback = playback?;
    if playback.is_fallback() {
        return Some("open: no content, fallback slide".into());
    }
    match playback.current_item() {
        Some(item) if stage_shown => Some(format!("open: playing {}", item.rel.display())),
        _ => None,
    }
}

fn stage_shown(stage: &Query<&Visibility, With<Stage>>) -> bool {
    stage.iter().any(|v| *v == Visibility::Visible)
}

fn announce_ready(
    mut manager: ResMut<ServiceManager>,
    time: Res<Time<Real>>,
    screen: Option<Res<State<ScreenState>>>,
    playback: Option<Res<Playback>>,
    stage: Query<&Visibility, With<Stage>>,
) {
    manager.frame += 1;
    if manager.ready {
        return;
    }
    let shown =
        stage_shown(&stage) || screen_text(screen.as_deref(), playback.as_deref(), false).is_some();
    if shown && manager.seen_at_frame.is_none() {
        manager.seen_at_frame = Some(manager.frame);
    }
    let presented = manager
        .seen_at_frame
        .is_some_and(|seen| manager.frame >= seen + PRESENT_LAG_FRAMES);
    if presented {
        info!("first frame on screen");
    } else if time.elapsed() >= manager.ready_grace {
        warn!(
            "nothing on screen after {:?}; telling systemd the player is up anyway",
            manager.ready_grace
        );
        manager.status = "running, nothing on screen yet".into();
        manager.send(Notice::Status(manager.status.clone()));
    } else {
        return;
    }
    manager.ready = true;
    manager.send(Notice::Ready);
}

fn report_status(
    mut manager: ResMut<ServiceManager>,
    screen: Option<Res<State<ScreenState>>>,
    playback: Option<Res<Playback>>,
    stage: Query<&Visibility, With<Stage>>,
) {
    if !manager.ready {
        return;
    }
    let Some(text) = screen_text(screen.as_deref(), playback.as_deref(), stage_shown(&stage))
    else {
        return;
    };
    if text != manager.status {
        manager.send(Notice::Status(text.clone()));
        manager.status = text;
    }
}

fn ping_watchdog(manager: Res<ServiceManager>) {
    manager.send(Notice::Watchdog);
}

fn announce_stopping(mut manager: ResMut<ServiceManager>, mut exit: MessageReader<AppExit>) {
    if exit.read().next().is_some() && !manager.stopping {
        manager.stopping = true;
        manager.send(Notice::Stopping);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::state::app::StatesPlugin;
    use bevy::time::TimeUpdateStrategy;
    use std::os::unix::net::UnixDatagram;

    /// A player app without a window, and the socket standing in for systemd's.
    fn app(watchdog: Option<Duration>, grace: Duration) -> (App, UnixDatagram, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.sock");
        let systemd = UnixDatagram::bind(&path).unwrap();
        systemd.set_nonblocking(true).unwrap();
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .init_state::<ScreenState>()
            .add_plugins(HealthPlugin {
                notifier: Some(Notifier::connect(path.to_str().unwrap()).unwrap()),
                watchdog,
                ready_grace: grace,
                #[cfg(debug_assertions)]
                hang_after: None,
            });
        (app, systemd, dir)
    }

    /// Everything sent since the last call.
    fn received(systemd: &UnixDatagram) -> Vec<String> {
        let mut buf = [0u8; 4096];
        std::iter::from_fn(|| {
            let n = systemd.recv(&mut buf).ok()?;
            Some(String::from_utf8_lossy(&buf[..n]).into_owned())
        })
        .collect()
    }

    fn frames(app: &mut App, n: usize) {
        for _ in 0..n {
            app.update();
        }
    }

    #[test]
    fn ready_follows_the_first_picture_on_screen_by_two_frames() {
        let (mut app, systemd, _dir) = app(None, READY_GRACE);
        frames(&mut app, 5);
        assert_eq!(
            received(&systemd),
            Vec::<String>::new(),
            "a black start is not ready"
        );
        app.world_mut().spawn((Stage, Visibility::Visible));
        frames(&mut app, 2);
        assert_eq!(
            received(&systemd),
            Vec::<String>::new(),
            "not presented yet"
        );
        frames(&mut app, 5);
        assert_eq!(received(&systemd), ["READY=1"], "once, and only once");
    }

    #[test]
    fn closed_hours_are_ready_and_say_so() {
        let (mut app, systemd, _dir) = app(None, READY_GRACE);
        app.world_mut()
            .resource_mut::<NextState<ScreenState>>()
            .set(ScreenState::Closed);
        frames(&mut app, 4);
        assert_eq!(
            received(&systemd),
            ["READY=1", "STATUS=closed: screen black, display off"]
        );
    }

    #[test]
    fn ready_comes_after_the_grace_time_even_with_a_black_screen() {
        let (mut app, systemd, _dir) = app(None, Duration::from_millis(30));
        app.update();
        std::thread::sleep(Duration::from_millis(40));
        frames(&mut app, 2);
        assert_eq!(
            received(&systemd),
            ["STATUS=running, nothing on screen yet", "READY=1"]
        );
    }

    #[test]
    fn the_main_loop_pings_at_half_the_watchdog_interval() {
        let (mut app, systemd, _dir) = app(Some(Duration::from_millis(100)), READY_GRACE);
        // Frames 10 ms apart on the app's clock, however busy the machine.
        let frame = Duration::from_millis(10);
        app.insert_resource(TimeUpdateStrategy::ManualDuration(frame));
        frames(&mut app, 26);
        let pings = received(&systemd);
        assert!(pings.iter().all(|p| p == "WATCHDOG=1"), "{pings:?}");
        // At 0, 50, 100, 150, 200, 250 ms (the first frame pings at once).
        assert_eq!(pings.len(), 6, "{pings:?}");
    }

    #[test]
    fn no_watchdog_no_pings_and_exit_says_stopping() {
        let (mut app, systemd, _dir) = app(None, READY_GRACE);
        frames(&mut app, 3);
        app.world_mut().write_message(AppExit::Success);
        frames(&mut app, 2);
        assert_eq!(received(&systemd), ["STOPPING=1"]);
    }
}
