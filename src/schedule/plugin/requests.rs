//! Override requests (from the overlay or `control.yaml`) applied and
//! journaled, and the override in force kept in `state/override.json`, so
//! that a power cut in the middle of an emergency does not switch the screens
//! back on.

use std::path::Path;

use bevy::prelude::*;
use chrono::SecondsFormat;

use super::{Operating, OverrideRequest};
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::schedule::{Override, OverrideSource};

pub(super) fn apply_override_requests(
    mut requests: MessageReader<OverrideRequest>,
    mut operating: ResMut<Operating>,
    mut record: Record,
) {
    for request in requests.read() {
        match request {
            OverrideRequest::Set(o) => {
                info!(
                    "override {} by {} until {:?}: {}",
                    o.action, o.by, o.until, o.reason
                );
                record.event(Event::OverrideSet {
                    action: o.action.to_string(),
                    until: o
                        .until
                        .map(|u| u.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    reason: o.reason.clone(),
                    by: o.by.clone(),
                    source: match o.source {
                        OverrideSource::ControlFile => "control_file".into(),
                        OverrideSource::Overlay => "overlay".into(),
                    },
                    requested_by: Some(o.requested_by.clone()).filter(|r| !r.is_empty()),
                    issued: o
                        .issued
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                    signer: o.signer.clone(),
                });
                operating.active = Some(o.clone());
            }
            OverrideRequest::Clear { reason, by } => {
                if operating.active.take().is_some() {
                    record.event(Event::OverrideEnded {
                        how: "cleared".into(),
                        reason: reason.clone(),
                        by: by.clone(),
                    });
                }
            }
        }
        save_override(&operating);
    }
}

pub(super) fn load_override(path: &Path) -> Option<Override> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(o) => Some(o),
        Err(e) => {
            warn!("{}: {e}; no override restored", path.display());
            None
        }
    }
}

/// Writes the override (or its absence) atomically: temp file, then rename.
pub(super) fn save_override(operating: &Operating) {
    let Some(path) = &operating.state_file else {
        return;
    };
    let result = (|| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match &operating.active {
            None => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Some(o) => crate::durable::write_atomically(
                path,
                &serde_json::to_vec_pretty(o).expect("plain data"),
            ),
        }
    })();
    if let Err(e) = result {
        error!("cannot keep the override in {}: {e}", path.display());
    }
}
