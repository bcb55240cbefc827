//! F3 "Health": uptime, free disk space, journal size, display power and the
//! last warnings and errors of the log.

use bevy_egui::egui;
use tracing::Level;

use super::{Facts, row};
use crate::config::DisplayBackend;
use crate::overlay::actions::OverlayAction;
use crate::overlay::figures::{DiskSpace, format_bytes, format_duration};
use crate::overlay::labels;

pub(super) fn show(ui: &mut egui::Ui, facts: &Facts, out: &mut Vec<OverlayAction>) {
    let figures = &facts.figures;
    egui::Grid::new("overlay-health")
        .num_columns(2)
        .spacing([24.0, 6.0])
        .show(ui, |ui| {
            let player = format_duration(facts.time.elapsed());
            let uptime = match figures.system_uptime {
                Some(pc) => format!(
                    "{} {player}, {} {}",
                    facts.t(labels::PLAYER),
                    facts.t(labels::PC),
                    format_duration(pc)
                ),
                None => format!("{} {player}", facts.t(labels::PLAYER)),
            };
            row(ui, facts.t(labels::UPTIME), uptime);
            let settings = &facts.settings;
            for (label, dir, space) in [
                (
                    labels::CONTENT_FOLDER,
                    &settings.content_dir,
                    &figures.content_disk,
                ),
                (labels::DATA_FOLDER, &settings.data_dir, &figures.data_disk),
            ] {
                let text = format!("{}  ({})", disk_text(space), dir.display());
                row(
                    ui,
                    &format!("{}: {}", facts.t(labels::FREE_SPACE), facts.t(label)),
                    text,
                );
            }
            let journal = match &figures.journal_bytes {
                Some(Ok(bytes)) => format_bytes(*bytes),
                Some(Err(e)) => e.clone(),
                None => "…".into(),
            };
            row(
                ui,
                facts.t(labels::JOURNAL),
                format!("{journal}  ({})", settings.journal_dir.display()),
            );
            row(ui, facts.t(labels::DISPLAY), display_text(facts));
        });
    self_test(ui, facts, out);
    ui.add_space(8.0);
    ui.heading(facts.t(labels::RECENT_PROBLEMS));
    let lines = facts
        .log
        .as_ref()
        .map(|log| log.lines())
        .unwrap_or_default();
    if lines.is_empty() {
        ui.label(facts.t(labels::NONE));
    }
    for line in lines.iter().rev() {
        let colour = if line.level == Level::ERROR {
            egui::Color32::from_rgb(255, 120, 100)
        } else {
            egui::Color32::from_rgb(255, 200, 80)
        };
        let time = chrono::DateTime::<chrono::Utc>::from(line.at)
            .with_timezone(&facts.settings.time_zone)
            .format("%m-%d %H:%M:%S");
        ui.label(
            egui::RichText::new(format!(
                "{time} {} {}: {}",
                line.level, line.target, line.message
            ))
            .color(colour)
            .small(),
        );
    }
}

fn self_test(ui: &mut egui::Ui, facts: &Facts, out: &mut Vec<OverlayAction>) {
    ui.add_space(8.0);
    let running = facts.self_test.is_running();
    let label = if running {
        labels::SELF_TEST_RUNNING
    } else {
        labels::SELF_TEST
    };
    if ui
        .add_enabled(!running, egui::Button::new(facts.t(label)))
        .clicked()
    {
        out.push(OverlayAction::SelfTest);
    }
    if let Some(report) = &facts.self_test.last {
        ui.label(egui::RichText::new(report.to_text()).monospace().small());
    }
}

fn disk_text(space: &Option<Result<DiskSpace, String>>) -> String {
    match space {
        Some(Ok(s)) => format!("{} / {}", format_bytes(s.free), format_bytes(s.total)),
        Some(Err(e)) => e.clone(),
        None => "…".into(),
    }
}

fn display_text(facts: &Facts) -> String {
    let backend = match facts.settings.display_backend {
        DisplayBackend::Xset => "xset",
        DisplayBackend::WlrRandr => "wlr-randr",
        DisplayBackend::Cec => "cec",
        DisplayBackend::None => "none",
    };
    let last = facts.display.as_ref().and_then(|d| d.last.as_ref());
    match last {
        None => backend.into(),
        Some(outcome) => {
            let result = match &outcome.error {
                None => facts.t(labels::OK).to_owned(),
                Some(e) => format!("{}: {e}", facts.t(labels::FAILED)),
            };
            format!(
                "{backend}; {}: {} – {result}",
                facts.t(labels::LAST_COMMAND),
                outcome.command
            )
        }
    }
}
