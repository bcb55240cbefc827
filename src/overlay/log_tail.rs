//! The last 50 warnings and errors of the log, for the overlay's health page:
//! a tracing layer registered through Bevy's `LogPlugin::custom_layer`.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bevy::log::BoxedLayer;
use bevy::log::tracing_subscriber::Layer;
use bevy::log::tracing_subscriber::layer::Context;
use bevy::prelude::*;
use tracing::field::{Field, Visit};
use tracing::{Level, Subscriber};

/// How many warning and error lines are kept.
pub const KEEP: usize = 50;

/// One warning or error.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub at: SystemTime,
    pub level: Level,
    pub target: String,
    pub message: String,
}

/// The newest warnings and errors, oldest first; shared with the layer.
#[derive(Resource, Clone, Default)]
pub struct LogTail(Arc<Mutex<VecDeque<LogLine>>>);

impl LogTail {
    pub fn lines(&self) -> Vec<LogLine> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn push(&self, line: LogLine) {
        let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() == KEEP {
            lines.pop_front();
        }
        lines.push_back(line);
    }
}

/// For `LogPlugin { custom_layer: log_tail::layer, .. }`: inserts the
/// [`LogTail`] resource and returns the layer that fills it.
pub fn layer(app: &mut App) -> Option<BoxedLayer> {
    let tail = LogTail::default();
    app.insert_resource(tail.clone());
    Some(Box::new(TailLayer(tail)))
}

struct TailLayer(LogTail);

impl<S: Subscriber> Layer<S> for TailLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        // More verbose levels compare greater: keep WARN and ERROR.
        if *meta.level() > Level::WARN {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        self.0.push(LogLine {
            at: SystemTime::now(),
            level: *meta.level(),
            target: meta.target().to_owned(),
            message: text.message + &text.fields,
        });
    }
}

#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::log::tracing_subscriber::prelude::*;

    #[test]
    fn keeps_the_last_fifty_warnings_and_errors() {
        let tail = LogTail::default();
        let subscriber = bevy::log::tracing_subscriber::registry().with(TailLayer(tail.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("not kept");
            for n in 0..60 {
                tracing::warn!(target: "infokiosk::test", "warning {n}");
            }
            tracing::error!(file = "a.png", "cannot decode");
        });
        let lines = tail.lines();
        assert_eq!(lines.len(), KEEP);
        assert_eq!(lines[0].message, "warning 11");
        assert_eq!(lines[0].target, "infokiosk::test");
        let last = lines.last().unwrap();
        assert_eq!(last.level, Level::ERROR);
        assert_eq!(last.message, "cannot decode file=a.png");
    }
}
