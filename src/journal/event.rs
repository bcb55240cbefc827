//! What a journal line can say.

use serde::Serialize;

/// How a play ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// Shown for its whole duration, or a video played to its end.
    Completed,
    /// Left before its end by a person or by the playlist (urgent item, next).
    Skipped,
    /// Could not be shown or stopped with an error.
    Error,
    /// Stopped because the player stopped or the screen closed.
    Stopped,
}

/// One journal event. Serialised with its name in the `event` field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    AppStarted {
        version: String,
    },
    AppStopped {
        reason: String,
    },
    PlayStarted {
        item: String,
        kind: String,
        language: String,
    },
    PlayEnded {
        item: String,
        kind: String,
        language: String,
        shown_ms: u64,
        /// Video frames put on screen (videos only).
        #[serde(skip_serializing_if = "Option::is_none")]
        frames: Option<u64>,
        ended: Ending,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The screen opened (operating hours began, or an override said on).
    Opened {
        reason: String,
    },
    /// The screen closed: black, display powered down.
    Closed {
        reason: String,
    },
    /// An emergency override took effect.
    OverrideSet {
        action: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<String>,
        reason: String,
        by: String,
        source: String,
    },
    /// An override ended: `expired` at its end time, or `cleared`.
    OverrideEnded {
        how: String,
        reason: String,
        by: String,
    },
    /// A control file that could not be used.
    ControlRejected {
        file: String,
        reason: String,
    },
    /// A display power command and its result.
    DisplayCommand {
        action: String,
        command: String,
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A file appeared in (or changed in) the content folder and plays.
    ContentAdded {
        item: String,
    },
    /// A file left the content folder (or stopped being playable).
    ContentRemoved {
        item: String,
    },
    /// An urgent item cut into the loop.
    Preempted {
        item: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        interrupted: Option<String>,
    },
    /// An item that cannot be shown: refused by the catalog (`stage:
    /// "catalog"`) or failing when opened (`stage: "play"`).
    ItemFailed {
        item: String,
        kind: String,
        reason: String,
        stage: String,
    },
}
