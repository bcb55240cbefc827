//! Screen power: runs the configured backend's command (xset, wlr-randr,
//! cec-ctl) off the main thread, and journals what it did. A failing command
//! is logged; the black screen holds either way.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use bevy::prelude::*;

use crate::config::DisplayConfig;
use crate::journal::Event;
use crate::journal::plugin::Record;

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

#[derive(Resource)]
struct Outcomes {
    sender: Sender<CommandOutcome>,
    receiver: Mutex<Receiver<CommandOutcome>>,
}

pub struct DisplayPlugin {
    pub config: DisplayConfig,
}

#[derive(Resource, Clone)]
struct Backend(DisplayConfig);

impl Plugin for DisplayPlugin {
    fn build(&self, app: &mut App) {
        let (sender, receiver) = channel();
        app.add_message::<SetDisplayPower>()
            .insert_resource(Backend(self.config.clone()))
            .insert_resource(Outcomes {
                sender,
                receiver: Mutex::new(receiver),
            })
            .init_resource::<DisplayStatus>()
            .add_systems(Update, (run_power_commands, record_power_outcomes).chain());
    }
}

fn run_power_commands(
    mut requests: MessageReader<SetDisplayPower>,
    backend: Res<Backend>,
    outcomes: Res<Outcomes>,
) {
    for SetDisplayPower(on) in requests.read().copied() {
        let Some((program, args)) = backend.0.command(on) else {
            continue;
        };
        let sender = outcomes.sender.clone();
        std::thread::spawn(move || {
            let outcome = run_command(on, program, args);
            let _ = sender.send(outcome);
        });
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
    outcomes: Res<Outcomes>,
    mut status: ResMut<DisplayStatus>,
    mut record: Record,
) {
    let receiver = outcomes.receiver.lock().unwrap_or_else(|e| e.into_inner());
    for outcome in receiver.try_iter() {
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
