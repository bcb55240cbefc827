//! Bevy glue for the schedule: moves [`ScreenState`] to what the schedule
//! says on the kiosk clock, and keeps the emergency override from
//! `control.yaml` or the overlay (through [`OverrideRequest`]). What happens
//! on opening and closing (display power, playback) is up to the modules
//! that react to the state.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;
use chrono::SecondsFormat;

use super::{ControlCommand, OperatingSchedule, OperatingState, Override, parse_control};
use crate::clock::Clock;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::screen_state::ScreenState;

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

/// `control.yaml` as last read.
#[derive(Resource)]
struct ControlFile {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
}

/// `control.yaml` is a few lines; larger files are refused unread.
const MAX_CONTROL_BYTES: u64 = 64 * 1024;

/// How often `control.yaml` is looked at (it must act within 2 s).
const CONTROL_POLL: Duration = Duration::from_millis(500);

pub struct SchedulePlugin {
    pub schedule: OperatingSchedule,
    pub control_file: PathBuf,
    pub state_file: Option<PathBuf>,
}

impl Plugin for SchedulePlugin {
    fn build(&self, app: &mut App) {
        let active = self.state_file.as_deref().and_then(load_override);
        app.init_state::<ScreenState>()
            .add_message::<OverrideRequest>()
            .insert_resource(Operating {
                schedule: self.schedule.clone(),
                active,
                state_file: self.state_file.clone(),
            })
            .insert_resource(ControlFile {
                path: self.control_file.clone(),
                seen: None,
            })
            .add_systems(
                PreUpdate,
                (
                    // In the first frame too: an override in the file holds from the start.
                    read_control_file.run_if(run_once.or_eager(on_real_timer(CONTROL_POLL))),
                    apply_override_requests,
                    follow_schedule,
                )
                    .chain(),
            );
    }
}

fn read_control_file(
    clock: Res<Clock>,
    operating: Res<Operating>,
    mut control: ResMut<ControlFile>,
    mut requests: MessageWriter<OverrideRequest>,
    mut record: Record,
) {
    // The link itself, not its target: a symlink is refused when read, never followed.
    let seen = std::fs::symlink_metadata(&control.path)
        .ok()
        .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()));
    if seen == control.seen {
        return;
    }
    let had_file = control.seen.is_some();
    control.seen = seen;
    let file = control.path.display().to_string();
    if seen.is_none() {
        // The office removed the file: its override ends with it.
        let from_file = operating
            .active
            .as_ref()
            .is_some_and(|o| o.source == super::OverrideSource::ControlFile);
        if had_file && from_file {
            requests.write(OverrideRequest::Clear {
                reason: format!("{file} removed"),
                by: "control file".into(),
            });
        }
        return;
    }
    let text = match crate::guard::read_limited(&control.path, MAX_CONTROL_BYTES) {
        Ok(text) => text,
        Err(e) => {
            warn!("{file}: {e}");
            record.event(Event::ControlRejected {
                file,
                reason: e.to_string(),
            });
            return;
        }
    };
    match parse_control(&text, operating.schedule.timezone(), clock.now()) {
        // The override in force already: restored after a restart, or the
        // same file synced again. Set anew, it would be journaled twice.
        Ok(ControlCommand::Set(o)) if operating.active.as_ref().is_some_and(|a| same(a, &o)) => {}
        Ok(ControlCommand::Set(o)) => {
            requests.write(OverrideRequest::Set(o));
        }
        Ok(ControlCommand::Clear { reason, by }) => {
            requests.write(OverrideRequest::Clear { reason, by });
        }
        Err(e) => {
            // A half-written file fails here too; its next write is read again.
            warn!("{file}: {e}; ignored");
            record.event(Event::ControlRejected {
                file,
                reason: e.to_string(),
            });
        }
    }
}

fn apply_override_requests(
    mut requests: MessageReader<OverrideRequest>,
    mut operating: ResMut<Operating>,
    mut record: Record,
) {
    for request in requests.read() {
        match request {
            OverrideRequest::Set(o) => {
                info!(
                    "override {} by {} until {:?}: {}",
                    o.action, o.by, o.until, o.reason
                );
                record.event(Event::OverrideSet {
                    action: o.action.to_string(),
                    until: o
                        .until
                        .map(|u| u.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    reason: o.reason.clone(),
                    by: o.by.clone(),
                    source: match o.source {
                        super::OverrideSource::ControlFile => "control_file".into(),
                        super::OverrideSource::Overlay => "overlay".into(),
                    },
                });
                operating.active = Some(o.clone());
            }
            OverrideRequest::Clear { reason, by } => {
                if operating.active.take().is_some() {
                    record.event(Event::OverrideEnded {
                        how: "cleared".into(),
                        reason: reason.clone(),
                        by: by.clone(),
                    });
                }
            }
        }
        save_override(&operating);
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
    let status = operating.schedule.state_at(now, operating.active.as_ref());
    let wanted = match status.state {
        OperatingState::Open => ScreenState::Open,
        OperatingState::Closed => ScreenState::Closed,
    };
    if *state.get() == wanted {
        return;
    }
    let reason = status.reason.to_string();
    info!("screen {}: {reason}", status.state);
    record.event(match wanted {
        ScreenState::Open => Event::Opened { reason },
        _ => Event::Closed { reason },
    });
    next.set(wanted);
}

/// The same override, whenever it was set.
fn same(a: &Override, b: &Override) -> bool {
    (a.action, a.until, &a.reason, &a.by, a.source)
        == (b.action, b.until, &b.reason, &b.by, b.source)
}

fn load_override(path: &std::path::Path) -> Option<Override> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(o) => Some(o),
        Err(e) => {
            warn!("{}: {e}; no override restored", path.display());
            None
        }
    }
}

/// Writes the override (or its absence) atomically: temp file, then rename.
fn save_override(operating: &Operating) {
    let Some(path) = &operating.state_file else {
        return;
    };
    let result = (|| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match &operating.active {
            None => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Some(o) => crate::durable::write_atomically(
                path,
                &serde_json::to_vec_pretty(o).expect("plain data"),
            ),
        }
    })();
    if let Err(e) = result {
        error!("cannot keep the override in {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use bevy::state::app::StatesPlugin;
    use chrono::{DateTime, Utc};
    use serde_json::Value;

    use super::*;
    use crate::journal::plugin::Recorder;
    use crate::journal::{Journal, month_files, read_file};
    use crate::schedule::{OverrideSource, Power, ScheduleConfig};
    use crate::test_support::{HCM, hcm};

    /// The schedule plugin alone, on a kiosk clock that stands still at
    /// `start` (Ho Chi Minh wall clock) until the test moves it. The legal
    /// hours: 07:00-11:00 and 14:00-18:00.
    fn app(dir: &Path, start: &str) -> App {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .insert_resource(Clock::starting_at(hcm(start), 0.0))
            .insert_resource(Recorder::synchronous(
                Journal::open(&dir.join("journal"), "test", HCM).unwrap(),
            ))
            .add_plugins(SchedulePlugin {
                schedule: OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap(),
                control_file: dir.join("control.yaml"),
                state_file: None,
            });
        app
    }

    fn set_clock(app: &mut App, at: &str) {
        app.insert_resource(Clock::starting_at(hcm(at), 0.0));
    }

    fn screen(app: &App) -> ScreenState {
        *app.world().resource::<State<ScreenState>>().get()
    }

    /// The journal's events, each as `event: reason`.
    fn events(dir: &Path) -> Vec<String> {
        month_files(&dir.join("journal"))
            .iter()
            .flat_map(|f| read_file(f).records)
            .map(|r: Value| format!("{}: {}", r["event"].as_str().unwrap(), r["reason"]))
            .collect()
    }

    fn off_until(until: &str, now: DateTime<Utc>) -> Override {
        Override {
            action: Power::Off,
            until: Some(hcm(until)),
            reason: "drill".into(),
            by: "Border Guard".into(),
            set_at: now,
            source: OverrideSource::Overlay,
        }
    }

    #[test]
    fn the_screen_opens_and_closes_on_the_hour() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), "2026-11-28 06:59:59");
        assert_eq!(screen(&app), ScreenState::Starting);
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed, "the first frame decides");
        set_clock(&mut app, "2026-11-28 07:00");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        set_clock(&mut app, "2026-11-28 10:59:59.999");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        set_clock(&mut app, "2026-11-28 11:00");
        app.update();
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed);
        assert_eq!(
            events(dir.path()),
            [
                r#"closed: "outside operating hours""#,
                r#"opened: "inside window 07:00-11:00""#,
                r#"closed: "outside operating hours""#,
            ],
            "each change journaled once"
        );
    }

    #[test]
    fn an_override_request_closes_the_screen_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), "2026-11-28 08:00");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        let now = hcm("2026-11-28 08:00");
        app.world_mut()
            .write_message(OverrideRequest::Set(off_until("2026-11-28 09:30", now)));
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed, "in the same frame");
        assert!(app.world().resource::<Operating>().active.is_some());
        set_clock(&mut app, "2026-11-28 09:30");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open, "the schedule holds again");
        assert!(app.world().resource::<Operating>().active.is_none());
        assert_eq!(
            events(dir.path()),
            [
                r#"opened: "inside window 07:00-11:00""#,
                r#"override_set: "drill""#,
                r#"closed: "override off by Border Guard until 2026-11-28 09:30 (+07): drill""#,
                r#"override_ended: "drill""#,
                r#"opened: "inside window 07:00-11:00""#,
            ]
        );
    }

    #[test]
    fn control_yaml_is_read_in_the_first_frame() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("control.yaml"),
            "override: off\nreason: drill\nby: office\n",
        )
        .unwrap();
        let mut app = app(dir.path(), "2026-11-28 08:00");
        app.update();
        assert_eq!(
            screen(&app),
            ScreenState::Closed,
            "never open while the office says off"
        );
    }
}
