//! How the player's log lines are written to standard error: colour only on
//! a terminal (never into a file, a pipe or the journal); under systemd
//! (`StandardError=journal`, which sets `JOURNAL_STREAM`), each line starts
//! with its syslog priority (`<3>` error, `<4>` warning, `<6>` info, `<7>`
//! debug), which journald takes as the line's priority, so that
//! `journalctl -u infokiosk -p warning` shows the warnings and errors.

use std::fmt;
use std::io::IsTerminal;

use bevy::log::BoxedFmtLayer;
use bevy::log::tracing_subscriber::fmt::format::Writer;
use bevy::log::tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, Layer};
use bevy::log::tracing_subscriber::registry::LookupSpan;
use bevy::prelude::*;
use tracing::{Event, Level, Subscriber};

/// The `fmt_layer` of Bevy's `LogPlugin`.
pub fn fmt_layer(_app: &mut App) -> Option<BoxedFmtLayer> {
    let layer = Layer::default().with_writer(std::io::stderr);
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        return Some(Box::new(layer.with_ansi(false).event_format(JournalLine)));
    }
    Some(Box::new(layer.with_ansi(std::io::stderr().is_terminal())))
}

/// One line for journald: `<priority>LEVEL target: message fields`, no time
/// (the journal has its own) and no colour.
pub struct JournalLine;

impl<S, N> FormatEvent<S, N> for JournalLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        write!(
            writer,
            "<{}>{} {}: ",
            priority(*meta.level()),
            meta.level(),
            meta.target()
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// The syslog priority of a tracing level.
fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use bevy::log::tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn journal_lines_start_with_their_priority_and_carry_no_colour() {
        let captured = Captured::default();
        let sink = captured.clone();
        let layer = Layer::default()
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .event_format(JournalLine);
        let subscriber = bevy::log::tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "infokiosk::display", "display off failed");
            tracing::error!(target: "infokiosk::player", item = "a.png", "rendering error");
            tracing::info!(target: "infokiosk", "showing a.png");
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "<4>WARN infokiosk::display: display off failed\n\
             <3>ERROR infokiosk::player: rendering error item=\"a.png\"\n\
             <6>INFO infokiosk: showing a.png\n"
        );
    }
}
