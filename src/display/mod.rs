//! Screen power: on at opening, off at closing (following `ScreenState`),
//! by the configured backend's command (xset, wlr-randr, cec-ctl) off the
//! main thread; journals what it did. A failing command is logged; the black
//! screen holds either way.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use bevy::prelude::*;

use crate::config::DisplayConfig;
use crate::job::Job;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::screen_state::ScreenState;

/// A power command gets this long before it counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Asks for the display to be powered on (`true`) or off (`false`).
#[derive(Message, Debug, Clone, Copy)]
pub struct SetDisplayPower(pub bool);

/// The outcome of the last power command, for the overlay and self-test.
#[derive(Resource, Default, Debug, Clone)]
pub struct DisplayStatus {
    pub last: Option<CommandOutcome>,
}

#[derive(Debug, Clone)]
pub struct CommandOutcome {
    pub on: bool,
    pub command: String,
    pub error: Option<String>,
}

/// Power commands still running, oldest first.
#[derive(Resource, Default)]
struct PowerCommands(Vec<Job<CommandOutcome>>);

pub struct DisplayPlugin {
    pub config: DisplayConfig,
}

#[derive(Resource, Clone)]
struct Backend(DisplayConfig);

impl Plugin for DisplayPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<SetDisplayPower>()
            .insert_resource(Backend(self.config.clone()))
            .init_resource::<PowerCommands>()
            .init_resource::<DisplayStatus>()
            .add_systems(OnEnter(ScreenState::Open), power_on)
            .add_systems(OnEnter(ScreenState::Closed), power_off)
            .add_systems(Update, (run_power_commands, record_power_outcomes).chain());
    }
}

fn power_on(mut power: MessageWriter<SetDisplayPower>) {
    power.write(SetDisplayPower(true));
}

fn power_off(mut power: MessageWriter<SetDisplayPower>) {
    power.write(SetDisplayPower(false));
}

fn run_power_commands(
    mut requests: MessageReader<SetDisplayPower>,
    backend: Res<Backend>,
    mut running: ResMut<PowerCommands>,
) {
    for SetDisplayPower(on) in requests.read().copied() {
        let Some((program, args)) = backend.0.command(on) else {
            continue;
        };
        let job = Job::start("display power", move || run_command(on, program, args));
        running.0.push(job);
    }
}

fn run_command(on: bool, program: PathBuf, args: Vec<String>) -> CommandOutcome {
    let command = format!("{} {}", program.display(), args.join(" "));
    let error = match Command::new(&program).args(&args).spawn() {
        Err(e) => Some(format!("cannot start: {e}")),
        Ok(mut child) => {
            let started = Instant::now();
            loop {
                match child.try_wait() {
                    Ok(Some(status)) if status.success() => break None,
                    Ok(Some(status)) => break Some(format!("exited with {status}")),
                    Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Some(format!("no answer after {} s", COMMAND_TIMEOUT.as_secs()));
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => break Some(e.to_string()),
                }
            }
        }
    };
    CommandOutcome { on, command, error }
}

fn record_power_outcomes(
    mut running: ResMut<PowerCommands>,
    mut status: ResMut<DisplayStatus>,
    mut record: Record,
) {
    let finished: Vec<_> = running.0.iter_mut().filter_map(Job::try_finish).collect();
    running.0.retain(Job::is_running);
    for finished in finished {
        let Ok(outcome) = finished else {
            error!("a display power command crashed");
            continue;
        };
        match &outcome.error {
            None => info!("display {}: {}", on_off(outcome.on), outcome.command),
            Some(e) => warn!(
                "display {} failed: {}: {e}",
                on_off(outcome.on),
                outcome.command
            ),
        }
        record.event(Event::DisplayCommand {
            action: on_off(outcome.on).into(),
            command: outcome.command.clone(),
            ok: outcome.error.is_none(),
            error: outcome.error.clone(),
        });
        status.last = Some(outcome);
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use bevy::state::app::StatesPlugin;

    use super::*;
    use crate::clock::Clock;
    use crate::config::DisplayBackend;
    use crate::journal::plugin::Recorder;

    /// Powered on and off by `/bin/true` standing in for `cec-ctl`.
    fn app() -> App {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .init_state::<ScreenState>()
            .insert_resource(Clock::system())
            .init_resource::<Recorder>()
            .add_plugins(DisplayPlugin {
                config: DisplayConfig {
                    backend: DisplayBackend::Cec,
                    output: None,
                    program: Some("/bin/true".into()),
                },
            });
        app.update();
        app
    }

    /// Frames until the last power command's outcome is in.
    fn last_outcome(app: &mut App) -> Option<CommandOutcome> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            app.update();
            if app.world().resource::<PowerCommands>().0.is_empty() {
                return app.world().resource::<DisplayStatus>().last.clone();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("no outcome after 10 s")
    }

    fn enter(app: &mut App, state: ScreenState) {
        app.world_mut()
            .resource_mut::<NextState<ScreenState>>()
            .set(state);
    }

    #[test]
    fn closing_powers_the_display_off_and_opening_on() {
        let mut app = app();
        assert!(last_outcome(&mut app).is_none(), "starting: no command");
        enter(&mut app, ScreenState::Closed);
        let off = last_outcome(&mut app).unwrap();
        assert!(!off.on);
        assert_eq!(off.command, "/bin/true --to 0 --standby");
        assert_eq!(off.error, None);
        enter(&mut app, ScreenState::Open);
        let on = last_outcome(&mut app).unwrap();
        assert!(on.on);
        assert_eq!(on.command, "/bin/true --to 0 --image-view-on");
    }
}
