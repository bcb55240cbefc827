//! F1 "Now": open or closed and why, the next change, the override, the
//! item on screen and the next five; and a look back: what was on screen at
//! a local time of the last 24 hours, and why (`infokiosk at`'s answer).

use bevy_egui::egui;

use super::{Facts, clock_text, row};
use crate::overlay::actions::OverlayAction;
use crate::overlay::{Session, labels};
use crate::schedule::{OperatingState, Power};

pub(super) fn show(
    ui: &mut egui::Ui,
    session: &mut Session,
    facts: &Facts,
    out: &mut Vec<OverlayAction>,
) {
    egui::Grid::new("overlay-now")
        .num_columns(2)
        .spacing([24.0, 8.0])
        .show(ui, |ui| {
            if let Some(operating) = &facts.operating {
                let status = operating.status(&facts.clock);
                let (word, colour) = match status.state {
                    OperatingState::Open => (labels::OPEN, egui::Color32::LIGHT_GREEN),
                    OperatingState::Closed => {
                        (labels::CLOSED, egui::Color32::from_rgb(255, 120, 100))
                    }
                };
                row(
                    ui,
                    facts.t(labels::SCREEN),
                    egui::RichText::new(facts.t(word)).color(colour).strong(),
                );
                row(ui, facts.t(labels::WHY), status.reason.to_string());
                let next = match (status.next_change, status.next_state()) {
                    (Some(at), Some(state)) => format!(
                        "{} – {}",
                        facts.local(at),
                        facts.t(match state {
                            OperatingState::Open => labels::OPEN,
                            OperatingState::Closed => labels::CLOSED,
                        })
                    ),
                    _ => facts.t(labels::NONE).into(),
                };
                row(ui, facts.t(labels::NEXT_CHANGE), next);
                row(ui, facts.t(labels::OVERRIDE), override_text(facts));
            }
            let Some(playback) = &facts.playback else {
                return;
            };
            match playback.current_item() {
                Some(item) => {
                    let mut playing = item.rel.display().to_string();
                    if playback.is_paused() {
                        playing = format!("{playing}   [{}]", facts.t(labels::PAUSED));
                    }
                    row(ui, facts.t(labels::PLAYING), playing);
                    row(ui, facts.t(labels::LANGUAGE), item.language.code());
                    let position = match playback.position(facts.time.elapsed_secs_f64()) {
                        Some((at, Some(length))) => {
                            format!("{} / {}", clock_text(at), clock_text(length))
                        }
                        Some((at, None)) => clock_text(at),
                        None => "–".into(),
                    };
                    row(ui, facts.t(labels::POSITION), position);
                }
                None => row(
                    ui,
                    facts.t(labels::PLAYING),
                    facts.t(labels::NOTHING_PLAYING),
                ),
            }
            row(
                ui,
                facts.t(labels::VOLUME),
                format!("{:.0}%", playback.volume() * 100.0),
            );
        });
    if let Some(playback) = &facts.playback {
        next_items(ui, facts, playback);
    }
    look_back(ui, session, facts, out);
}

fn next_items(ui: &mut egui::Ui, facts: &Facts, playback: &crate::player::Playback) {
    let now = facts.clock.now();
    ui.add_space(8.0);
    ui.heading(facts.t(labels::NEXT_ITEMS));
    let local = now.with_timezone(&facts.settings.time_zone).naive_local();
    for (n, item) in playback.playlist().upcoming(5, local).iter().enumerate() {
        ui.label(format!(
            "{}. {}   ({}, {})",
            n + 1,
            item.rel.display(),
            item.kind.name(),
            item.language.code()
        ));
    }
}

/// A local time typed in (Enter or the button), and the journal's answer.
fn look_back(
    ui: &mut egui::Ui,
    session: &mut Session,
    facts: &Facts,
    out: &mut Vec<OverlayAction>,
) {
    ui.add_space(8.0);
    ui.heading(facts.t(labels::LOOK_BACK));
    let running = facts.look_back.is_running();
    ui.horizontal(|ui| {
        let field = ui.add(
            egui::TextEdit::singleline(&mut session.look_back)
                .desired_width(120.0)
                .hint_text("09:15"),
        );
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let label = if running {
            labels::LOOK_BACK_RUNNING
        } else {
            labels::LOOK_BACK_GO
        };
        let clicked = ui
            .add_enabled(!running, egui::Button::new(facts.t(label)))
            .clicked();
        if (entered || clicked) && !running {
            out.push(OverlayAction::LookBack {
                time: session.look_back.clone(),
            });
        }
        ui.label(egui::RichText::new(facts.t(labels::LOOK_BACK_HINT)).weak());
    });
    match &facts.look_back.last {
        Some(Ok(answer)) => {
            ui.label(egui::RichText::new(answer.to_text()).monospace().small());
        }
        Some(Err(why)) => {
            ui.label(egui::RichText::new(why).color(egui::Color32::from_rgb(255, 120, 100)));
        }
        None => {}
    }
}

/// The override in force, in one line: what, until when, why, who.
pub(super) fn override_text(facts: &Facts) -> egui::RichText {
    let active = facts
        .operating
        .as_ref()
        .and_then(|o| o.active.as_ref())
        .filter(|o| o.is_active(facts.clock.now()));
    let Some(o) = active else {
        return egui::RichText::new(facts.t(labels::NONE));
    };
    let until = match o.until {
        Some(t) => format!("{} {}", facts.t(labels::UNTIL), facts.local(t)),
        None => facts.t(labels::UNTIL_CLEARED).into(),
    };
    let what = match o.action {
        Power::Off => facts.t(labels::OVERRIDE_OFF),
        Power::On => facts.t(labels::OVERRIDE_ON),
    };
    egui::RichText::new(format!(
        "{what} {until}: \"{}\" ({} {})",
        o.reason,
        facts.t(labels::BY),
        o.by
    ))
    .color(egui::Color32::from_rgb(255, 200, 80))
    .strong()
}
