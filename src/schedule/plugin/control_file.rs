//! `control.yaml` in the synced folder, the office's override switch: looked
//! at twice a second, acted on once per file (across restarts too), and
//! passed on as an [`OverrideRequest`]. With `trust.require_signature` only
//! an order signed by a control key, newer than the last, is acted on.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bevy::prelude::*;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Operating, OverrideRequest};
use crate::clock::Clock;
use crate::content::ControlKeys;
use crate::guard::read_bytes_limited;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::schedule::{
    ControlCommand, ControlState, Override, OverrideSource, check_issued, control_identity,
    parse_control,
};

/// `control.yaml` (and with signing its signature) as last looked at, and what the kiosk
/// remembers of it across restarts.
#[derive(Resource)]
pub(super) struct ControlFile {
    path: PathBuf,
    signature: PathBuf,
    /// Size and mtime of control.yaml and its signature; `None` before the first look.
    seen: Option<[Option<(SystemTime, u64)>; 2]>,
    /// `Some` with `trust.require_signature`: the keys that may sign control.yaml.
    keys: Option<ControlKeys>,
    state: ControlState,
    state_file: Option<PathBuf>,
}

impl ControlFile {
    /// The control file at `path` (its signature beside it, `.minisig`), with what the
    /// kiosk remembers of it in `state_file`.
    pub(super) fn new(path: &Path, state_file: Option<PathBuf>, keys: Option<ControlKeys>) -> Self {
        let state = state_file
            .as_deref()
            .map_or_else(|| Ok(ControlState::default()), ControlState::load);
        let state = state.unwrap_or_else(|e| {
            warn!("{e}; the control file is read afresh");
            ControlState::default()
        });
        let mut signature = path.to_owned().into_os_string();
        signature.push(".minisig");
        Self {
            path: path.to_owned(),
            signature: signature.into(),
            seen: None,
            keys,
            state,
            state_file,
        }
    }

    /// The order in `bytes` (control.yaml as read), if it may be acted on: signed by a control
    /// key and newer than the last signed order when signatures are required. Why not, if not.
    fn accept(&self, bytes: &[u8], tz: Tz, now: DateTime<Utc>) -> Result<ControlCommand, String> {
        let signer = match &self.keys {
            None => None,
            Some(keys) => {
                let signature = match read_bytes_limited(&self.signature, MAX_SIGNATURE_BYTES) {
                    Ok(signature) => String::from_utf8_lossy(&signature).into_owned(),
                    Err(e) if e.kind() == ErrorKind::NotFound => {
                        return Err(format!(
                            "{} is missing: with trust.require_signature, control.yaml must be signed by one of trust.control_keys",
                            self.signature.display()
                        ));
                    }
                    Err(e) => {
                        return Err(format!("{} cannot be read: {e}", self.signature.display()));
                    }
                };
                Some(keys.verify(bytes, &signature)?)
            }
        };
        // Parsed from the very bytes that were verified.
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
        let mut command = parse_control(text, tz, now).map_err(|e| e.to_string())?;
        if signer.is_some() {
            check_issued(command.issued(), self.state.newest_issued, tz)?;
        }
        if let ControlCommand::Set(o) = &mut command {
            o.signer = signer;
        }
        Ok(command)
    }

    fn save(&self) {
        let Some(path) = &self.state_file else {
            return;
        };
        if let Err(e) = self.state.save(path) {
            error!("cannot keep the control file state: {e}");
        }
    }
}

/// `control.yaml` is a few lines; larger files are refused unread.
const MAX_CONTROL_BYTES: u64 = 64 * 1024;
/// A minisign signature is a few hundred bytes.
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// How often `control.yaml` is looked at (it must act within 2 s).
pub(super) const CONTROL_POLL: Duration = Duration::from_millis(500);

/// The link itself, not its target: a symlink is refused when read, never followed.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()))
}

/// Acts on `control.yaml` when it changed: once per file, across restarts too (its SHA-256
/// is kept in the control state), so a restart neither re-applies a stale file over an
/// override set since, nor forgets that the file was removed while the player was down.
pub(super) fn read_control_file(
    clock: Res<Clock>,
    operating: Res<Operating>,
    mut control: ResMut<ControlFile>,
    mut requests: MessageWriter<OverrideRequest>,
    mut record: Record,
) {
    let seen = [stamp(&control.path), stamp(&control.signature)];
    let first_look = control.seen.is_none();
    if control.seen.replace(seen) == Some(seen) {
        return;
    }
    let file = control.path.display().to_string();
    if seen[0].is_none() {
        // The office removed the file: the override it set ends with it, and no other.
        if control.state.acted_on.take().is_some() {
            control.save();
            let from_file = operating
                .active
                .as_ref()
                .is_some_and(|o| o.source == OverrideSource::ControlFile);
            if from_file {
                let when = if first_look {
                    " while the player was stopped"
                } else {
                    ""
                };
                requests.write(OverrideRequest::Clear {
                    reason: format!("{file} removed{when}"),
                    by: "control file".into(),
                });
            }
        }
        return;
    }
    let bytes = match read_bytes_limited(&control.path, MAX_CONTROL_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => {
            warn!("{file}: {e}");
            record.event(Event::ControlRejected {
                file,
                reason: e.to_string(),
            });
            return;
        }
    };
    let identity = control_identity(&bytes);
    if control.state.acted_on.as_ref() == Some(&identity) {
        // Acted on already, before a restart, or the same file synced again.
        return;
    }
    let command = match control.accept(&bytes, operating.schedule.timezone(), clock.now()) {
        Ok(command) => command,
        Err(reason) => {
            // A half-written file fails here too; its next write is read again.
            warn!("{file}: {reason}; ignored");
            record.event(Event::ControlRejected { file, reason });
            return;
        }
    };
    control.state.acted_on = Some(identity);
    if control.keys.is_some() {
        control.state.newest_issued = command.issued();
    }
    control.save();
    match command {
        // The override in force already (the same order written again): set anew, it would
        // be journaled twice.
        ControlCommand::Set(o) if operating.active.as_ref().is_some_and(|a| same(a, &o)) => {}
        ControlCommand::Set(o) => {
            requests.write(OverrideRequest::Set(o));
        }
        ControlCommand::Clear { reason, by, .. } => {
            requests.write(OverrideRequest::Clear { reason, by });
        }
    }
}

/// The same override, whenever it was set.
fn same(a: &Override, b: &Override) -> bool {
    (
        a.action,
        a.until,
        &a.reason,
        &a.by,
        a.source,
        &a.requested_by,
    ) == (
        b.action,
        b.until,
        &b.reason,
        &b.by,
        b.source,
        &b.requested_by,
    )
}
