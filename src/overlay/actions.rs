//! What the overlay's buttons do: the UI writes an [`OverlayAction`], and
//! [`apply_overlay_actions`] checks the PIN, sends the command to the plugin
//! that owns it and journals who did what.

use std::fmt;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use chrono::{DateTime, SecondsFormat, Utc};

use super::emergency::{Preset, emergency_override};
use super::labels;
use super::lockout::AfterFailure;
use super::pin::{Secret, role_for_pin};
use super::self_test::SelfTest;
use super::{Overlay, OverlaySettings, Session, View};
use crate::clock::Clock;
use crate::content::plugin::RescanNow;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::player::PlaybackCommand;
use crate::schedule::Power;
use crate::schedule::plugin::{Operating, OverrideRequest};

/// A request from the overlay's UI.
#[derive(Message, Debug, Clone)]
pub enum OverlayAction {
    TryPin(Secret),
    Playback(PlaybackCommand),
    /// Screen off or on now, with the form's preset and reason.
    Emergency {
        action: Power,
        preset: Preset,
        reason: String,
    },
    ClearOverride {
        reason: String,
    },
    Rescan,
    /// Run the checks of `infokiosk check` and show the report.
    SelfTest,
    Quit,
    Close(CloseWhy),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhy {
    Escape,
    Idle,
    Button,
}

impl fmt::Display for CloseWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseWhy::Escape => "esc",
            CloseWhy::Idle => "idle",
            CloseWhy::Button => "close button",
        })
    }
}

/// Where the overlay's commands go.
#[derive(SystemParam)]
pub(super) struct Outputs<'w> {
    playback: MessageWriter<'w, PlaybackCommand>,
    overrides: MessageWriter<'w, OverrideRequest>,
    rescan: MessageWriter<'w, RescanNow>,
    exit: MessageWriter<'w, AppExit>,
    self_test: ResMut<'w, SelfTest>,
}

pub(super) fn apply_overlay_actions(
    mut actions: MessageReader<OverlayAction>,
    settings: Res<OverlaySettings>,
    clock: Res<Clock>,
    operating: Option<Res<Operating>>,
    mut overlay: ResMut<Overlay>,
    mut out: Outputs,
    mut record: Record,
) {
    let lang = settings.config.language;
    for action in actions.read() {
        let now = clock.now();
        match action {
            OverlayAction::TryPin(pin) => try_pin(&mut overlay, pin, &settings, now, &mut record),
            OverlayAction::Close(why) => {
                if let View::Open(session) = &overlay.view {
                    info!("admin overlay closed ({why})");
                    record.event(admin_action(
                        "overlay_closed",
                        session,
                        Some(why.to_string()),
                        None,
                    ));
                }
                overlay.view = View::Closed;
            }
            other => {
                // Everything else needs an unlocked overlay.
                let View::Open(session) = &mut overlay.view else {
                    continue;
                };
                match other {
                    OverlayAction::Playback(command) => {
                        let (name, detail) = playback_name(*command);
                        record.event(admin_action(name, session, None, detail));
                        out.playback.write(*command);
                    }
                    OverlayAction::Emergency {
                        action,
                        preset,
                        reason,
                    } => {
                        let Some(operating) = &operating else {
                            continue;
                        };
                        let schedule = &operating.schedule;
                        let Some(o) = emergency_override(
                            *action,
                            *preset,
                            reason,
                            &session.role,
                            now,
                            schedule,
                        ) else {
                            session.notice = Some(labels::NEED_REASON.get(lang).into());
                            continue;
                        };
                        let until = o.until.map_or("until cleared".into(), rfc3339);
                        record.event(admin_action(
                            &format!("screen_{action}"),
                            session,
                            Some(o.reason.clone()),
                            Some(until),
                        ));
                        session.notice = Some(format!(
                            "{}: {}",
                            labels::SENT.get(lang),
                            match action {
                                Power::Off => labels::SCREEN_OFF.get(lang),
                                Power::On => labels::SCREEN_ON.get(lang),
                            }
                        ));
                        session.reason.clear();
                        out.overrides.write(OverrideRequest::Set(o));
                    }
                    OverlayAction::ClearOverride { reason } => {
                        let reason = match reason.trim() {
                            "" => "cleared in the admin overlay".to_owned(),
                            typed => typed.to_owned(),
                        };
                        record.event(admin_action(
                            "clear_override",
                            session,
                            Some(reason.clone()),
                            None,
                        ));
                        session.notice = Some(labels::SENT.get(lang).into());
                        out.overrides.write(OverrideRequest::Clear {
                            reason,
                            by: session.role.clone(),
                        });
                    }
                    OverlayAction::Rescan => {
                        record.event(admin_action("reload_content", session, None, None));
                        session.notice = Some(labels::SENT.get(lang).into());
                        out.rescan.write(RescanNow);
                    }
                    OverlayAction::SelfTest => {
                        if !out.self_test.is_running() {
                            record.event(admin_action("self_test", session, None, None));
                            out.self_test.start(&settings, &session.role, now);
                        }
                    }
                    OverlayAction::Quit => {
                        warn!("quit from the admin overlay by {}", session.role);
                        record.event(admin_action("quit", session, None, None));
                        out.exit.write(AppExit::Success);
                    }
                    OverlayAction::TryPin(_) | OverlayAction::Close(_) => {}
                }
            }
        }
    }
}

fn try_pin(
    overlay: &mut Overlay,
    pin: &Secret,
    settings: &OverlaySettings,
    now: DateTime<Utc>,
    record: &mut Record,
) {
    let Overlay { view, lockout, .. } = overlay;
    let View::Unlock(form) = view else {
        return;
    };
    // A locked overlay takes no PIN (the field is disabled; this is the belt).
    if lockout.locked_until(now).is_some() {
        return;
    }
    form.pin.clear();
    form.focus = true;
    if let Some(role) = role_for_pin(pin, &settings.config.pins) {
        info!("admin overlay unlocked by {role}");
        record.event(Event::AdminAttempt {
            ok: true,
            role: Some(role.to_owned()),
        });
        record.event(Event::AdminUnlocked {
            role: role.to_owned(),
        });
        lockout.succeeded();
        *view = View::Open(Session::new(role.to_owned()));
        return;
    }
    record.event(Event::AdminAttempt {
        ok: false,
        role: None,
    });
    match lockout.failed(now) {
        AfterFailure::TriesLeft(left) => {
            warn!("admin overlay: wrong PIN ({left} tries left)");
            form.tries_left = Some(left);
        }
        AfterFailure::Locked { until, minutes } => {
            warn!("admin overlay locked for {minutes} min after wrong PINs");
            form.tries_left = None;
            record.event(Event::AdminLocked {
                until: rfc3339(until),
                minutes,
            });
        }
    }
}

fn admin_action(
    action: &str,
    session: &Session,
    reason: Option<String>,
    detail: Option<String>,
) -> Event {
    Event::AdminAction {
        action: action.to_owned(),
        by: session.role.clone(),
        reason,
        detail,
    }
}

fn playback_name(command: PlaybackCommand) -> (&'static str, Option<String>) {
    match command {
        PlaybackCommand::Next => ("next", None),
        PlaybackCommand::Previous => ("previous", None),
        PlaybackCommand::Pause => ("pause", None),
        PlaybackCommand::Resume => ("resume", None),
        PlaybackCommand::SetVolume(v) => ("volume", Some(format!("{:.0}%", v * 100.0))),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
