//! What the overlay's buttons do: the UI writes an [`OverlayAction`], and
//! [`apply_overlay_actions`] checks the PIN, checks that the role may do it
//! (`roles.rs`: the pages only hide what it may not), sends the command to
//! the plugin that owns it and journals who did what. The lockout is saved
//! after every attempt and restored at start ([`restore_lockout`]).

use std::fmt;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use chrono::{DateTime, SecondsFormat, Utc};

use super::emergency::{Preset, emergency_override};
use super::labels;
use super::lockout::{AfterFailure, Lockout};
use super::look_back::LookBack;
use super::pin::{Secret, entry_for_pin};
use super::roles;
use super::self_test::SelfTest;
use super::{Overlay, OverlaySettings, Page, Session, View};
use crate::clock::Clock;
use crate::config::Role;
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
    /// Screen off or on now, with the form's preset, reason and who asked.
    Emergency {
        action: Power,
        preset: Preset,
        reason: String,
        requested_by: String,
    },
    ClearOverride {
        reason: String,
    },
    Rescan,
    /// Run the checks of `infokiosk check` and show the report.
    SelfTest,
    /// What was on screen at a local time (`HH:MM`) of the last 24 hours.
    LookBack {
        time: String,
    },
    Quit,
    Close(CloseWhy),
}

impl OverlayAction {
    /// Whether `role` may ask for this (a PIN and closing are for everyone).
    pub(crate) fn allowed_for(&self, role: Option<Role>) -> bool {
        match self {
            OverlayAction::TryPin(_) | OverlayAction::Close(_) => true,
            OverlayAction::Playback(_) | OverlayAction::Rescan => {
                roles::may_see(role, Page::Controls)
            }
            OverlayAction::SelfTest => roles::may_see(role, Page::Health),
            OverlayAction::LookBack { .. } => roles::may_see(role, Page::Now),
            OverlayAction::Emergency { .. } | OverlayAction::ClearOverride { .. } => {
                roles::may_see(role, Page::Emergency)
            }
            OverlayAction::Quit => role == Some(Role::Admin),
        }
    }
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
    look_back: ResMut<'w, LookBack>,
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
                // Everything else needs an unlocked overlay, and a role that may.
                let View::Open(session) = &mut overlay.view else {
                    continue;
                };
                if !other.allowed_for(session.role) {
                    let name = action_name(other);
                    warn!("admin overlay: {} may not {name}", session.who);
                    record.event(admin_action(
                        "refused",
                        session,
                        Some(format!("not allowed for role {}", role_text(session))),
                        Some(name.to_owned()),
                    ));
                    session.notice = Some(labels::NOT_ALLOWED.get(lang).into());
                    continue;
                }
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
                        requested_by,
                    } => {
                        let Some(operating) = &operating else {
                            continue;
                        };
                        let schedule = &operating.schedule;
                        let Some(mut o) = emergency_override(
                            *action,
                            *preset,
                            reason,
                            &session.who,
                            now,
                            schedule,
                        ) else {
                            session.notice = Some(labels::NEED_REASON.get(lang).into());
                            continue;
                        };
                        o.requested_by = requested_by.trim().to_owned();
                        let until = o.until.map_or("until cleared".into(), rfc3339);
                        let mut line = admin_action(
                            &format!("screen_{action}"),
                            session,
                            Some(o.reason.clone()),
                            Some(until),
                        );
                        requested(&mut line, requested_by);
                        record.event(line);
                        session.notice = Some(format!(
                            "{}: {}",
                            labels::SENT.get(lang),
                            match action {
                                Power::Off => labels::SCREEN_OFF.get(lang),
                                Power::On => labels::SCREEN_ON.get(lang),
                            }
                        ));
                        session.reason.clear();
                        session.requested_by.clear();
                        out.overrides.write(OverrideRequest::Set(o));
                    }
                    OverlayAction::ClearOverride { reason } => {
                        let reason = match reason.trim() {
                            "" => "cleared in the admin overlay".to_owned(),
                            typed => typed.to_owned(),
                        };
                        let mut line =
                            admin_action("clear_override", session, Some(reason.clone()), None);
                        requested(&mut line, &session.requested_by);
                        record.event(line);
                        session.notice = Some(labels::SENT.get(lang).into());
                        out.overrides.write(OverrideRequest::Clear {
                            reason,
                            by: session.who.clone(),
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
                            out.self_test.start(&settings, &session.who, now);
                        }
                    }
                    OverlayAction::LookBack { time } => {
                        if !out.look_back.is_running() {
                            let detail = Some(time.trim().to_owned());
                            record.event(admin_action("look_back", session, None, detail));
                            out.look_back.start(&settings, time, now);
                        }
                    }
                    OverlayAction::Quit => {
                        warn!("quit from the admin overlay by {}", session.who);
                        record.event(admin_action("quit", session, None, None));
                        out.exit.write(AppExit::Success);
                    }
                    OverlayAction::TryPin(_) | OverlayAction::Close(_) => {}
                }
            }
        }
    }
}

/// Puts the lockout kept on disk in force before the first frame. A damaged
/// or unreadable file is journaled and counts as a lockout that began now.
pub(super) fn restore_lockout(
    settings: Res<OverlaySettings>,
    clock: Res<Clock>,
    mut overlay: ResMut<Overlay>,
    mut record: Record,
) {
    let now = clock.now();
    let path = settings.lockout_file();
    let restored = Lockout::restore(&path, now);
    overlay.lockout = restored.lockout;
    let until = overlay.lockout.locked_until(now);
    if let Some(problem) = restored.problem {
        error!("{problem}; the overlay is locked as after five wrong PINs");
        let until = until.expect("a damaged file locks");
        record.event(Event::AdminLocked {
            until: rfc3339(until),
            minutes: (until - now).num_minutes(),
            reason: Some(problem.to_string()),
        });
        save_lockout(&overlay.lockout, &path);
    } else if let Some(until) = until {
        warn!(
            "admin overlay locked until {} (wrong PINs before the restart)",
            rfc3339(until)
        );
    }
}

fn save_lockout(lockout: &Lockout, path: &std::path::Path) {
    if let Err(e) = lockout.save(path) {
        error!("{e}");
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
    if let Some(entry) = entry_for_pin(pin, &settings.config.pins) {
        info!("admin overlay unlocked by {}", entry.who());
        record.event(Event::AdminAttempt {
            ok: true,
            role: Some(entry.role.clone()),
            name: entry.name.clone(),
        });
        record.event(Event::AdminUnlocked {
            role: entry.role.clone(),
            name: entry.name.clone(),
        });
        if *lockout != Lockout::default() {
            lockout.succeeded();
            save_lockout(lockout, &settings.lockout_file());
        }
        *view = View::Open(Session::new(entry));
        return;
    }
    record.event(Event::AdminAttempt {
        ok: false,
        role: None,
        name: None,
    });
    let after = lockout.failed(now);
    // On disk before anything else: a power cut now must not give the try back.
    save_lockout(lockout, &settings.lockout_file());
    match after {
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
                reason: None,
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
        by: session.who.clone(),
        reason,
        detail,
        requested_by: None,
    }
}

/// Puts the form's "requested by" (the Department's request) on an action line.
fn requested(line: &mut Event, by: &str) {
    if let Event::AdminAction { requested_by, .. } = line
        && !by.trim().is_empty()
    {
        *requested_by = Some(by.trim().to_owned());
    }
}

fn role_text(session: &Session) -> &'static str {
    session.role.map_or("(unknown)", |r| r.as_str())
}

/// The journal's name for an action (`refused` lines say which).
fn action_name(action: &OverlayAction) -> &'static str {
    match action {
        OverlayAction::TryPin(_) => "pin",
        OverlayAction::Playback(command) => playback_name(*command).0,
        OverlayAction::Emergency { action, .. } => match action {
            Power::Off => "screen_off",
            Power::On => "screen_on",
        },
        OverlayAction::ClearOverride { .. } => "clear_override",
        OverlayAction::Rescan => "reload_content",
        OverlayAction::SelfTest => "self_test",
        OverlayAction::LookBack { .. } => "look_back",
        OverlayAction::Quit => "quit",
        OverlayAction::Close(_) => "overlay_closed",
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
