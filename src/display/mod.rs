//! Screen power: on at opening, off at closing (following `ScreenState`),
//! by the configured backend's command (xset, wlr-randr, cec-ctl) off the
//! main thread; journals what it did. A failing command is logged; the black
//! screen holds either way.

use std::path::Path;
use std::time::Duration;

use bevy::prelude::*;

use crate::command::run_quietly;
use crate::config::{DisplayBackend, DisplayConfig};
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
        let confirm = backend.0.backend == DisplayBackend::Xset;
        let job = Job::start("display power", move || {
            let mut outcome = run_command(on, &program, &args);
            if confirm && outcome.error.is_none() {
                outcome.error = confirm_dpms(&program, on).err();
            }
            outcome
        });
        running.0.push(job);
    }
}

/// Runs a power command; its error output goes into the outcome (first
/// line), never onto the player's terminal.
fn run_command(on: bool, program: &Path, args: &[String]) -> CommandOutcome {
    let command = format!("{} {}", program.display(), args.join(" "));
    let error = run_quietly(program, args, COMMAND_TIMEOUT).err();
    CommandOutcome { on, command, error }
}

/// `xset` exits 0 even when the X server has no DPMS (it prints its usage
/// instead): asks the server (`xset q`) whether the monitor really is in
/// the state asked for.
fn confirm_dpms(program: &Path, on: bool) -> Result<(), String> {
    match (monitor_on(program)?, on) {
        (true, false) => Err("the X server says the monitor is still on".into()),
        (false, true) => Err("the X server says the monitor is still off".into()),
        _ => Ok(()),
    }
}

/// Whether the X server (asked by `xset q` through `program`) says the
/// monitor is on; why not when it cannot power it off at all.
pub fn monitor_on(program: &Path) -> Result<bool, String> {
    let answer = run_quietly(program, &["q"], COMMAND_TIMEOUT)
        .map_err(|e| format!("cannot ask the X server the monitor's state: {e}"))?;
    dpms_monitor_on(&answer)
}

/// Whether `xset q` says the monitor is on, or why it cannot say.
pub fn dpms_monitor_on(xset_q: &str) -> Result<bool, String> {
    if xset_q.contains("does not have the DPMS Extension") {
        return Err("X server has no DPMS extension: the screen cannot be powered off".into());
    }
    let state = xset_q
        .lines()
        .find_map(|l| l.trim().strip_prefix("Monitor is "))
        .ok_or("xset q does not say the monitor's state (DPMS disabled?)")?;
    Ok(state.trim() == "On")
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
    fn xset_q_says_whether_the_monitor_is_on_or_why_it_cannot() {
        let with_dpms = "DPMS (Energy Star):\n  Standby: 600    Suspend: 600    Off: 600\n  \
                         DPMS is Enabled\n  Monitor is Off\n";
        assert_eq!(dpms_monitor_on(with_dpms), Ok(false));
        assert_eq!(
            dpms_monitor_on(&with_dpms.replace("Monitor is Off", "Monitor is On")),
            Ok(true)
        );
        assert_eq!(
            dpms_monitor_on(&with_dpms.replace("Monitor is Off", "Monitor is in Standby")),
            Ok(false)
        );
        let xvfb = "Font Path:\n  built-ins\nDPMS (Energy Star):\n  Server does not have the DPMS Extension\n";
        assert_eq!(
            dpms_monitor_on(xvfb),
            Err("X server has no DPMS extension: the screen cannot be powered off".into())
        );
        assert!(dpms_monitor_on("DPMS (Energy Star):\n  DPMS is Disabled\n").is_err());
    }

    #[test]
    fn a_failing_command_s_error_output_is_its_error() {
        let args = [
            "-c".to_string(),
            "echo 'usage: xset [options]' >&2; echo more >&2; exit 3".into(),
        ];
        let outcome = run_command(false, Path::new("/bin/sh"), &args);
        assert_eq!(
            outcome.error.as_deref(),
            Some("exited with exit status: 3: usage: xset [options]")
        );
        let quiet = ["-c".to_string(), "echo fine".into()];
        assert_eq!(
            run_quietly(Path::new("/bin/sh"), &quiet, COMMAND_TIMEOUT),
            Ok("fine\n".into())
        );
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
