//! Bevy glue for the schedule: moves [`ScreenState`] to what the schedule
//! says on the kiosk clock, and keeps the emergency override from
//! `control.yaml` or the overlay (through [`OverrideRequest`]). What happens
//! on opening and closing (display power, playback) is up to the modules
//! that react to the state.

mod control_file;
mod requests;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;

use super::{OperatingSchedule, OperatingState, Override};
use crate::clock::Clock;
use crate::content::ControlKeys;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::pacing::Pace;
use crate::screen_state::ScreenState;
use control_file::{CONTROL_POLL, ControlFile, read_control_file};
use requests::{apply_override_requests, load_override, save_override};

/// Set or clear the emergency override. The latest request wins.
#[derive(Message, Debug, Clone)]
pub enum OverrideRequest {
    Set(Override),
    Clear { reason: String, by: String },
}

/// The operating schedule and the override in force.
#[derive(Resource)]
pub struct Operating {
    pub schedule: OperatingSchedule,
    pub active: Option<Override>,
    /// Where the override is kept across restarts (a power cut in the
    /// middle of an emergency must not switch the screens back on).
    state_file: Option<PathBuf>,
}

impl Operating {
    pub fn status(&self, clock: &Clock) -> super::Status {
        self.schedule.state_at(clock.now(), self.active.as_ref())
    }
}

pub struct SchedulePlugin {
    pub schedule: OperatingSchedule,
    pub control_file: PathBuf,
    /// `data_dir/state/override.json`: the override in force.
    pub state_file: Option<PathBuf>,
    /// `data_dir/state/control.json`: the control file last acted on, the newest signed order.
    pub control_state: Option<PathBuf>,
    /// `Some` with `trust.require_signature` ([`ControlKeys::required`]).
    pub control_keys: Option<ControlKeys>,
}

impl Plugin for SchedulePlugin {
    fn build(&self, app: &mut App) {
        let active = self.state_file.as_deref().and_then(load_override);
        let control = ControlFile::new(
            &self.control_file,
            self.control_state.clone(),
            self.control_keys.clone(),
        );
        app.init_state::<ScreenState>()
            .add_message::<OverrideRequest>()
            .init_resource::<Pace>()
            .insert_resource(Operating {
                schedule: self.schedule.clone(),
                active,
                state_file: self.state_file.clone(),
            })
            .insert_resource(control)
            .add_systems(
                PreUpdate,
                (
                    // In the first frame too: an override in the file holds from the start.
                    read_control_file.run_if(run_once.or_eager(on_real_timer(CONTROL_POLL))),
                    apply_override_requests,
                    follow_schedule,
                    wake_for_the_next_change,
                )
                    .chain(),
            );
    }
}

/// Moves the screen state to what the schedule and override say now. Runs
/// every frame against the wall clock, so a corrected clock or a PC that
/// slept lands in the right state at once. The display follows the state
/// (`display` powers it on entering `Open`, off on entering `Closed`).
fn follow_schedule(
    clock: Res<Clock>,
    mut operating: ResMut<Operating>,
    state: Res<State<ScreenState>>,
    mut next: ResMut<NextState<ScreenState>>,
    mut record: Record,
) {
    let now = clock.now();
    if let Some(o) = operating.active.as_ref().filter(|o| !o.is_active(now)) {
        record.event(Event::OverrideEnded {
            how: "expired".into(),
            reason: o.reason.clone(),
            by: o.by.clone(),
        });
        operating.active = None;
        save_override(&operating);
    }
    // Not `state_at`: the search for the next change is
    // `wake_for_the_next_change`'s, once a frame.
    let (state_now, reason) = operating.schedule.screen_at(now, operating.active.as_ref());
    let wanted = match state_now {
        OperatingState::Open => ScreenState::Open,
        OperatingState::Closed => ScreenState::Closed,
    };
    if *state.get() == wanted {
        return;
    }
    let reason = reason.to_string();
    info!("screen {state_now}: {reason}");
    record.event(match wanted {
        ScreenState::Open => Event::Opened { reason },
        _ => Event::Closed { reason },
    });
    next.set(wanted);
}

/// Has the loop awake when the screen is next to open or close (an hour's
/// end, an override's), to the frame, even with nothing drawn before it.
fn wake_for_the_next_change(
    clock: Res<Clock>,
    time: Res<Time<Real>>,
    operating: Res<Operating>,
    mut pace: ResMut<Pace>,
) {
    let now = clock.now();
    if let Some(next) = operating
        .schedule
        .next_change(now, operating.active.as_ref())
    {
        // A millisecond after, so that the clock read then is past it.
        let after = clock.real_seconds_between(now, next) + 0.001;
        pace.wake_at(time.elapsed_secs_f64() + after);
    }
}
