//! Before the pages: the PIN prompt (or the lockout), and the note shown
//! when no PIN is configured.

use bevy_egui::egui;

use super::Facts;
use crate::overlay::UnlockForm;
use crate::overlay::actions::OverlayAction;
use crate::overlay::labels;
use crate::overlay::lockout::Lockout;
use crate::overlay::pin::Secret;

fn small_window<'a>(title: &'a str) -> egui::Window<'a> {
    egui::Window::new(title)
        .id(egui::Id::new("infokiosk-admin-unlock"))
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .collapsible(false)
        .resizable(false)
        .movable(false)
        .min_width(520.0)
}

pub(super) fn pin_prompt(
    ctx: &egui::Context,
    form: &mut UnlockForm,
    lockout: &Lockout,
    facts: &Facts,
    out: &mut Vec<OverlayAction>,
) {
    let now = facts.clock.now();
    small_window(facts.t(labels::TITLE)).show(ctx, |ui| {
        if let Some(until) = lockout.locked_until(now) {
            // Whatever is typed while locked goes nowhere; the field comes
            // back, focused, when the lock ends.
            form.pin.clear();
            form.focus = true;
            let left = (until - now).num_seconds().max(1);
            ui.label(
                egui::RichText::new(format!(
                    "{} {} ({left} {}).",
                    facts.t(labels::LOCKED),
                    facts.local_short(until),
                    facts.t(labels::SECONDS_LEFT)
                ))
                .color(egui::Color32::from_rgb(255, 120, 100)),
            );
        } else {
            ui.label(facts.t(labels::ENTER_PIN));
            let field = ui.add(
                egui::TextEdit::singleline(&mut form.pin)
                    .password(true)
                    .char_limit(32)
                    .desired_width(240.0),
            );
            if form.focus {
                field.request_focus();
                form.focus = false;
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                if form.pin.is_empty() {
                    form.focus = true;
                } else {
                    out.push(OverlayAction::TryPin(Secret(std::mem::take(&mut form.pin))));
                }
            }
            if let Some(left) = form.tries_left {
                ui.label(
                    egui::RichText::new(format!("{} {left}", facts.t(labels::WRONG_PIN)))
                        .color(egui::Color32::from_rgb(255, 120, 100)),
                );
            }
        }
        ui.label(
            egui::RichText::new(facts.t(labels::ESC_CLOSES))
                .small()
                .weak(),
        );
    });
}

pub(super) fn no_pin(ctx: &egui::Context, facts: &Facts) {
    small_window(facts.t(labels::TITLE)).show(ctx, |ui| {
        ui.label(egui::RichText::new(facts.t(labels::NO_PIN)).strong());
        ui.label(facts.t(labels::NO_PIN_HOW));
        ui.code("sudo infokiosk pin --role admin --config /etc/infokiosk/infokiosk.yaml");
        ui.label(
            egui::RichText::new(facts.t(labels::ESC_CLOSES))
                .small()
                .weak(),
        );
    });
}
