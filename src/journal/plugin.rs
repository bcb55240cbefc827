//! Bevy glue for the journal: the `Recorder` resource, the `Record` system
//! parameter that stamps events with the kiosk clock, the start-up record
//! (with the downtime since the last run) and the heartbeat.

use std::time::Duration;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::{Event, Incident, Journal};
use crate::clock::Clock;
use crate::screen_state::ScreenState;

/// How often a heartbeat line is written (real time): every minute on a
/// kiosk, so that a power cut is dated to within a minute. Tests shorten it
/// with `--heartbeat-seconds`.
#[derive(Resource, Debug, Clone, Copy)]
pub struct HeartbeatInterval(pub Duration);

impl Default for HeartbeatInterval {
    fn default() -> Self {
        Self(Duration::from_secs(60))
    }
}

/// Operating time lost before this start (computed before anything is
/// written, from the journal's last line).
#[derive(Resource, Default)]
pub struct StartupGap(pub Option<Incident>);

pub fn plugin(app: &mut App) {
    app.init_resource::<StartupGap>()
        .init_resource::<HeartbeatInterval>()
        .add_systems(Startup, record_start)
        .add_systems(Update, write_heartbeat.run_if(heartbeat_due));
}

fn record_start(mut record: Record, gap: Res<StartupGap>) {
    if let Some(incident) = &gap.0 {
        warn!(
            "{} minutes of operating time lost since {} ({})",
            incident.minutes_lost,
            incident.from,
            incident.cause.as_str()
        );
        record.event(incident.to_event());
    }
    record.event(Event::AppStarted {
        version: env!("CARGO_PKG_VERSION").into(),
    });
}

/// Run condition: true every [`HeartbeatInterval`] of real time, the first
/// time one interval after the start. `on_real_timer`, with the interval
/// read from its resource.
fn heartbeat_due(
    time: Res<Time<Real>>,
    interval: Res<HeartbeatInterval>,
    mut timer: Local<Timer>,
) -> bool {
    if timer.duration() != interval.0 {
        *timer = Timer::new(interval.0, TimerMode::Repeating);
    }
    timer.tick(time.delta());
    timer.just_finished()
}

fn write_heartbeat(state: Res<State<ScreenState>>, mut record: Record) {
    record.event(Event::Heartbeat {
        screen: state.get().name().into(),
    });
}

/// The open journal. `None` when it could not be opened (the error was
/// logged; the kiosk keeps playing rather than going dark over a full disk).
#[derive(Resource, Default)]
pub struct Recorder(pub Option<Journal>);

/// Writes journal events stamped with the kiosk [`Clock`].
#[derive(SystemParam)]
pub struct Record<'w> {
    recorder: ResMut<'w, Recorder>,
    clock: Res<'w, Clock>,
}

impl Record<'_> {
    pub fn event(&mut self, event: Event) {
        let now = self.clock.now();
        let Some(journal) = self.recorder.0.as_mut() else {
            return;
        };
        if let Err(e) = journal.append(now, &event) {
            error!("{e}");
        }
    }
}
