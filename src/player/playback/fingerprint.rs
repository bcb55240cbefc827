//! The SHA-256 an item's `play_started` line carries: its bytes are hashed
//! and put in the shown-content store on their own thread while the item
//! prepares; the item is shown once that is done (or after
//! [`ARCHIVE_WAIT_SECS`]).

use std::fmt::Display;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use bevy::prelude::*;

use crate::backup::objects::{ObjectError, ShownObjects};
use crate::job::Job;

/// How long after its preparation began a staged item waits for its bytes to
/// be hashed and stored before it is shown without a `sha256` (a first showing
/// of a large clip copied across file systems; normally the hash is ready
/// long before the item's turn).
const ARCHIVE_WAIT_SECS: f64 = 15.0;

/// The SHA-256 of the item's bytes, stored in the shown-content store.
pub(super) enum Fingerprint {
    Hashing(Job<Result<String, ObjectError>>),
    /// `None`: no store, or the store could not take the file (logged).
    Known(Option<String>),
}

impl Fingerprint {
    /// Starts hashing and storing the bytes at `path` (known at once, as
    /// none, without a store).
    pub(super) fn start(objects: Option<&Arc<Mutex<ShownObjects>>>, path: &Path) -> Self {
        let Some(objects) = objects else {
            return Self::Known(None);
        };
        let (objects, path) = (objects.clone(), path.to_owned());
        Self::Hashing(Job::start("archive", move || {
            let mut objects = objects.lock().unwrap_or_else(PoisonError::into_inner);
            objects.archive(&path)
        }))
    }

    /// Takes the SHA-256 of `path` once its thread has it; gives up waiting
    /// once the item has prepared `waited` seconds, more than
    /// [`ARCHIVE_WAIT_SECS`] (the thread still stores the bytes, for the
    /// item's next showing).
    pub(super) fn poll(&mut self, path: &Path, waited: f64) {
        let Self::Hashing(job) = self else {
            return;
        };
        let path = path.display();
        let not_kept = |e: &dyn Display| {
            warn!("{path}: not kept in the shown-content store: {e}");
            None
        };
        let known = match job.try_finish() {
            Some(Ok(Ok(sha256))) => Some(sha256),
            Some(Ok(Err(e))) => not_kept(&e),
            Some(Err(e)) => not_kept(&e),
            None if waited > ARCHIVE_WAIT_SECS => {
                warn!("{path}: not hashed after {ARCHIVE_WAIT_SECS} s: shown without its sha256");
                None
            }
            None => return,
        };
        *self = Self::Known(known);
    }

    pub(super) fn is_known(&self) -> bool {
        matches!(self, Self::Known(_))
    }

    /// What `play_started` says: none while still hashing.
    pub(super) fn sha256(self) -> Option<String> {
        match self {
            Self::Known(sha256) => sha256,
            Self::Hashing(_) => None,
        }
    }
}
