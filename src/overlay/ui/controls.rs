//! F4 "Controls" (playback, volume, reload, quit) and F5 "Emergency"
//! (screen off or on now, for how long, and why).

use bevy_egui::egui;

use super::Facts;
use super::now::override_text;
use crate::overlay::actions::OverlayAction;
use crate::overlay::emergency::Preset;
use crate::overlay::{Session, labels};
use crate::player::PlaybackCommand;
use crate::schedule::Power;

/// Quit asks twice, within this many seconds.
const QUIT_CONFIRM_SECS: f64 = 5.0;
/// One press of volume up or down.
const VOLUME_STEP: f64 = 0.1;

fn focus_first(response: &egui::Response, session: &mut Session) {
    if session.focus {
        response.request_focus();
        session.focus = false;
    }
}

pub(super) fn playback(
    ui: &mut egui::Ui,
    session: &mut Session,
    facts: &Facts,
    out: &mut Vec<OverlayAction>,
) {
    let (paused, volume) = facts
        .playback
        .as_ref()
        .map_or((false, 1.0), |p| (p.is_paused(), p.volume()));
    let mut send = |command| out.push(OverlayAction::Playback(command));
    ui.horizontal(|ui| {
        let previous = ui.button(facts.t(labels::PREVIOUS));
        focus_first(&previous, session);
        if previous.clicked() {
            send(PlaybackCommand::Previous);
        }
        let (label, command) = if paused {
            (labels::RESUME, PlaybackCommand::Resume)
        } else {
            (labels::PAUSE, PlaybackCommand::Pause)
        };
        if ui.button(facts.t(label)).clicked() {
            send(command);
        }
        if ui.button(facts.t(labels::NEXT)).clicked() {
            send(PlaybackCommand::Next);
        }
    });
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(format!(
            "{}: {:.0}%",
            facts.t(labels::VOLUME),
            volume * 100.0
        ));
        let step = |v: f64| ((v / VOLUME_STEP).round() * VOLUME_STEP).clamp(0.0, 1.0);
        if ui.button(facts.t(labels::VOLUME_DOWN)).clicked() {
            send(PlaybackCommand::SetVolume(step(volume - VOLUME_STEP)));
        }
        if ui.button(facts.t(labels::VOLUME_UP)).clicked() {
            send(PlaybackCommand::SetVolume(step(volume + VOLUME_STEP)));
        }
        let muted = volume <= 0.0;
        let label = if muted { labels::UNMUTE } else { labels::MUTE };
        if ui.button(facts.t(label)).clicked() {
            if muted {
                let back = session.volume_before_mute.take().unwrap_or(1.0);
                send(PlaybackCommand::SetVolume(back));
            } else {
                session.volume_before_mute = Some(volume);
                send(PlaybackCommand::SetVolume(0.0));
            }
        }
    });
    ui.add_space(6.0);
    if ui.button(facts.t(labels::RELOAD)).clicked() {
        out.push(OverlayAction::Rescan);
    }
    // Quit is for admins only (checked again when it is done).
    if !OverlayAction::Quit.allowed_for(session.role) {
        return;
    }
    ui.add_space(18.0);
    let now = facts.time.elapsed_secs_f64();
    let armed = session.quit_armed_until.is_some_and(|until| now < until);
    let quit = egui::RichText::new(facts.t(if armed {
        labels::QUIT_AGAIN
    } else {
        labels::QUIT
    }))
    .color(egui::Color32::from_rgb(255, 120, 100));
    if ui.button(quit).clicked() {
        if armed {
            out.push(OverlayAction::Quit);
        } else {
            session.quit_armed_until = Some(now + QUIT_CONFIRM_SECS);
        }
    }
}

pub(super) fn emergency(
    ui: &mut egui::Ui,
    session: &mut Session,
    facts: &Facts,
    out: &mut Vec<OverlayAction>,
) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(facts.t(labels::OVERRIDE)).strong());
        ui.label(override_text(facts));
    });
    ui.add_space(8.0);
    let now = facts.clock.now();
    let next_change = facts
        .operating
        .as_ref()
        .and_then(|o| Preset::NextChange.until(now, &o.schedule));
    ui.label(egui::RichText::new(facts.t(labels::FOR)).strong());
    ui.horizontal(|ui| {
        for preset in Preset::ALL {
            let label = match preset {
                Preset::OneHour => facts.t(labels::ONE_HOUR).to_owned(),
                Preset::NextChange => match next_change {
                    Some(t) => format!(
                        "{} ({})",
                        facts.t(labels::TO_NEXT_CHANGE),
                        facts.local_short(t)
                    ),
                    None => facts.t(labels::TO_NEXT_CHANGE).to_owned(),
                },
                Preset::UntilCleared => facts.t(labels::UNTIL_CLEARED).to_owned(),
            };
            ui.radio_value(&mut session.preset, preset, label);
        }
    });
    ui.add_space(8.0);
    // Above the reason, which takes the focus first, so that Tab from the
    // reason goes on to the buttons; Shift+Tab comes back here.
    ui.label(egui::RichText::new(facts.t(labels::REQUESTED_BY)).strong());
    ui.add(
        egui::TextEdit::singleline(&mut session.requested_by)
            .char_limit(200)
            .desired_width(f32::INFINITY),
    );
    ui.add_space(8.0);
    ui.label(egui::RichText::new(facts.t(labels::REASON)).strong());
    let reason = ui.add(
        egui::TextEdit::singleline(&mut session.reason)
            .char_limit(200)
            .desired_width(f32::INFINITY),
    );
    focus_first(&reason, session);
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        for (action, label) in [
            (Power::Off, labels::SCREEN_OFF),
            (Power::On, labels::SCREEN_ON),
        ] {
            if ui
                .button(egui::RichText::new(facts.t(label)).strong())
                .clicked()
            {
                out.push(OverlayAction::Emergency {
                    action,
                    preset: session.preset,
                    reason: session.reason.clone(),
                    requested_by: session.requested_by.clone(),
                });
            }
        }
        let active = facts.operating.as_ref().is_some_and(|o| o.active.is_some());
        let clear = ui.add_enabled(active, egui::Button::new(facts.t(labels::CLEAR_OVERRIDE)));
        if clear.clicked() {
            out.push(OverlayAction::ClearOverride {
                reason: session.reason.clone(),
            });
        }
    });
}
