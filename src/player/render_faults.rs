//! A rendering error does not end the app. Bevy's own answer to any wgpu
//! error is to quit, which on a kiosk means a dark screen until systemd
//! restarts the player, and again at every restart when a file caused it.
//!
//! Here an error the GPU reports while drawing (a texture it refused, out of
//! memory) is journaled (`render_error`), the item that last made a new
//! texture is skipped and not tried again until its file changes, and
//! drawing goes on. Errors that keep coming (more than
//! [`MAX_FAULTS`] in [`FAULT_WINDOW_SECS`]), and a lost device, which
//! cannot be drawn on again, end the player with an error status after the
//! line is journaled: systemd starts it again on a fresh device.

use std::collections::VecDeque;

use bevy::prelude::*;
use bevy::render::error_handler::{ErrorType, RenderError, RenderErrorHandler, RenderErrorPolicy};

use super::playback::Playback;
use super::stage::Layers;
use crate::journal::Event;
use crate::journal::plugin::Record;

/// More render errors than this within [`FAULT_WINDOW_SECS`] are not one
/// bad item: the player restarts.
const MAX_FAULTS: usize = 10;
const FAULT_WINDOW_SECS: f64 = 10.0;

/// A rendering error, handed from the render world's error handler to the
/// player's systems.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct RenderFault {
    /// `validation`, `out_of_memory`, `internal` or `device_lost`.
    pub kind: &'static str,
    pub error: String,
    /// Nothing can be drawn any more.
    pub fatal: bool,
}

/// Whether a fatal error was handed on already (the handler is asked again
/// every frame while rendering is stopped).
#[derive(Resource, Default)]
struct FatalReported(bool);

pub(super) fn plugin(app: &mut App) {
    app.add_message::<RenderFault>()
        .init_resource::<FatalReported>()
        .insert_resource(RenderErrorHandler(on_render_error))
        .add_systems(Update, skip_what_the_gpu_refused);
}

/// Runs in the render world's extract step, with the main world at hand:
/// hands the error on and keeps drawing (a lost device: stops drawing).
fn on_render_error(
    error: &RenderError,
    main_world: &mut World,
    _render_world: &mut World,
) -> RenderErrorPolicy {
    let kind = match error.ty {
        ErrorType::DeviceLost => "device_lost",
        ErrorType::OutOfMemory => "out_of_memory",
        ErrorType::Validation => "validation",
        ErrorType::Internal => "internal",
    };
    let fatal = error.ty == ErrorType::DeviceLost;
    if fatal {
        let mut reported = main_world.resource_mut::<FatalReported>();
        if reported.0 {
            return RenderErrorPolicy::StopRendering;
        }
        reported.0 = true;
    }
    main_world.write_message(RenderFault {
        kind,
        error: one_line(&error.description),
        fatal,
    });
    if fatal {
        RenderErrorPolicy::StopRendering
    } else {
        RenderErrorPolicy::Ignore
    }
}

/// wgpu's many-line message ("Validation Error", "Caused by:", the call,
/// the reason) as one journal-sized line.
fn one_line(description: &str) -> String {
    let parts: Vec<&str> = description
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Caused by:")
        .collect();
    parts.join("; ").chars().take(300).collect()
}

fn skip_what_the_gpu_refused(
    mut faults: MessageReader<RenderFault>,
    time: Res<Time<Real>>,
    layers: Option<Res<Layers>>,
    mut playback: ResMut<Playback>,
    mut record: Record,
    mut exit: MessageWriter<AppExit>,
    mut recent: Local<VecDeque<f64>>,
) {
    let now = time.elapsed_secs_f64();
    for fault in faults.read() {
        recent.push_back(now);
        while recent.front().is_some_and(|t| now - t > FAULT_WINDOW_SECS) {
            recent.pop_front();
        }
        let item = layers
            .as_ref()
            .and_then(|l| l.newest_texture())
            .map(str::to_owned);
        error!("rendering error ({}): {}", fault.kind, fault.error);
        record.event(Event::RenderError {
            kind: fault.kind.into(),
            error: fault.error.clone(),
            item: item.clone(),
        });
        if let Some(item) = &item {
            let reason = format!("the GPU refused it: {}", fault.error);
            for event in playback.fail_rendering(item, reason, now) {
                record.event(event);
            }
        }
        if fault.fatal || recent.len() > MAX_FAULTS {
            error!("rendering cannot go on: the player exits for systemd to start it again");
            exit.write(AppExit::error());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(ty: ErrorType) -> RenderError {
        RenderError {
            ty,
            description: "Validation Error\n\nCaused by:\n  In Device::create_texture\n    \
                          Dimension X value 16416 exceeds the limit of 16384\n"
                .into(),
            source: None,
        }
    }

    fn faults(world: &mut World) -> Vec<RenderFault> {
        world
            .resource_mut::<Messages<RenderFault>>()
            .drain()
            .collect()
    }

    #[test]
    fn a_refused_texture_is_handed_on_and_drawing_goes_on() {
        let mut app = App::new();
        plugin_parts(&mut app);
        let (main, mut render) = (app.world_mut(), World::new());
        let policy = on_render_error(&error(ErrorType::Validation), main, &mut render);
        assert!(matches!(policy, RenderErrorPolicy::Ignore));
        assert_eq!(
            faults(main),
            [RenderFault {
                kind: "validation",
                error: "Validation Error; In Device::create_texture; \
                        Dimension X value 16416 exceeds the limit of 16384"
                    .into(),
                fatal: false,
            }]
        );
    }

    #[test]
    fn a_lost_device_stops_drawing_and_is_handed_on_once() {
        let mut app = App::new();
        plugin_parts(&mut app);
        let (main, mut render) = (app.world_mut(), World::new());
        for _ in 0..3 {
            let policy = on_render_error(&error(ErrorType::DeviceLost), main, &mut render);
            assert!(matches!(policy, RenderErrorPolicy::StopRendering));
        }
        let handed_on = faults(main);
        assert_eq!(handed_on.len(), 1, "{handed_on:?}");
        assert!(handed_on[0].fatal);
    }

    fn plugin_parts(app: &mut App) {
        app.add_message::<RenderFault>()
            .init_resource::<FatalReported>();
    }
}
