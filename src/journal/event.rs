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
        /// Set when the player stopped to start again at once, and why
        /// (`config_changed`): the gap before the next `app_started` is no
        /// downtime. Absent on any other stop (and in older journals).
        #[serde(skip_serializing_if = "Option::is_none")]
        restart: Option<String>,
    },
    PlayStarted {
        item: String,
        kind: String,
        language: String,
        /// SHA-256 of the bytes shown, kept in the shown-content store
        /// (`data_dir/objects`); absent when the store could not take them.
        #[serde(skip_serializing_if = "Option::is_none")]
        sha256: Option<String>,
    },
    PlayEnded {
        item: String,
        kind: String,
        language: String,
        shown_ms: u64,
        /// Video frames put on screen (videos only).
        #[serde(skip_serializing_if = "Option::is_none")]
        frames: Option<u64>,
        /// Pages shown (text slides only).
        #[serde(skip_serializing_if = "Option::is_none")]
        pages: Option<u64>,
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
        /// Whose request it answers (`requested_by:` of control.yaml).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requested_by: Option<String>,
        /// When the control order says it was issued.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        issued: Option<String>,
        /// Who signed the control order (key id, trusted comment).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signer: Option<String>,
    },
    /// An override ended: `expired` at its end time, or `cleared`.
    OverrideEnded {
        how: String,
        reason: String,
        by: String,
    },
    /// The config file changed but does not load: the running config stays.
    ConfigRejected {
        file: String,
        reason: String,
    },
    /// The config file changed and loads: the player restarts to apply it.
    ConfigChanged {
        file: String,
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
    /// Content refused for its integrity: an unsigned or wrongly signed
    /// manifest, an older manifest (rollback), a file that differs from
    /// the signed manifest or is not in it.
    Integrity {
        detail: String,
    },
    /// Bytes in force besides the items: a ticker file (`kind: ticker`), the
    /// caption file of a clip (`captions`), and in signed mode the
    /// playlist.yaml and its signature accepted (`manifest`, `signature`).
    /// Written when they are first used, again when they change, and once a
    /// month while they stay (at the first opening of the month): `sha256`
    /// names their copy in the shown-content store, so each month's backup
    /// packs them.
    ContentInForce {
        kind: String,
        file: String,
        sha256: String,
    },
    /// The "no content" slide came up: nothing in the catalog can play now.
    /// It is on screen until the next `play_started`, or until the screen
    /// closes; reports do not count that time as shown.
    FallbackShown,
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
    /// Many files refused by the catalog at once (more than a few since the
    /// last scan, or since the last run): one line for all of them instead
    /// of an `item_failed` line each, so that a folder of 20,000 junk files
    /// cannot flood the journal.
    ContentRefused {
        count: u64,
        /// How many files each reason refused.
        by_reason: std::collections::BTreeMap<String, u64>,
        /// The first few of them, in the catalog's order.
        first: Vec<String>,
    },
    /// The GPU reported an error while drawing (`kind`: `validation`,
    /// `out_of_memory`, `internal`, `device_lost`); `item` is the item
    /// skipped for it, the one that last made a new texture.
    RenderError {
        kind: String,
        error: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        item: Option<String>,
    },
    /// The GPU cannot sample 16-bit textures: 10-bit clips (HEVC Main10,
    /// H.264 High 10) are converted to 8 bits on the CPU before they reach
    /// it, at a cost in CPU time. Written once at start-up.
    GpuLacksSixteenBit {
        adapter: String,
    },
    /// Lines the journal writer had no room for while the disk was slow:
    /// `dropped` lines were lost, this one says how many.
    JournalOverflow {
        dropped: u64,
    },
    /// Journal files dated after the kiosk clock's month (written while the
    /// clock was wrong): the journal goes on in the clock's month, and
    /// `seq` after the highest number in any file.
    JournalAhead {
        files: Vec<String>,
    },
    /// The player is alive: written every minute while it runs, with the
    /// screen state at that moment (`open` or `closed`).
    Heartbeat {
        screen: String,
    },
    /// Operating time lost while the player was not running, written at
    /// start-up (see `journal::downtime_since`). Times are UTC RFC 3339.
    Incident {
        kind: String,
        from: String,
        to: String,
        minutes_lost: u64,
        cause: String,
    },
    /// A monthly archive was written and verified.
    BackupWritten {
        month: String,
        archive: String,
        files: u64,
        bytes: u64,
        missing: u64,
    },
    /// The month was already archived: the archive verified and was left alone.
    BackupKept {
        month: String,
        archive: String,
    },
    /// A backup failed; no archive that looks valid was left behind.
    BackupFailed {
        month: String,
        error: String,
    },
    /// Retention removed an old monthly archive.
    BackupPruned {
        archive: String,
    },
    /// The verified archive and its `.sha256` were copied into the outbox
    /// (`path`: the copy), to leave the kiosk with the next sync.
    BackupExported {
        month: String,
        path: String,
    },
    /// The archive could not be copied into the outbox (`path`): it stays
    /// on the kiosk only.
    BackupExportFailed {
        month: String,
        path: String,
        error: String,
    },
    /// Objects removed from the shown-content store, every month naming
    /// them archived and verified: how many and their size.
    ObjectsPruned {
        count: u64,
        bytes: u64,
    },
    /// A self-test (`infokiosk check`) ran: each check's verdict by name,
    /// the report's own (the worst), and who ran it: `cli`, the overlay's
    /// `Name (role)`, or `daily` (the automatic run while closed).
    Inspection {
        by: String,
        verdict: String,
        checks: std::collections::BTreeMap<String, String>,
        /// When the checks finished (UTC RFC 3339): a run from the command
        /// line beside the player is journaled by the player a moment later.
        ran: String,
    },
    /// A PIN typed into the admin overlay; `role` whose PIN it was when
    /// right. The PIN itself is never recorded.
    AdminAttempt {
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        /// The person whose PIN it was (entries from before names have none).
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Too many wrong PINs: the overlay takes none until `until` (UTC).
    /// `reason` is set when the lockout file was damaged and counts as one.
    AdminLocked {
        until: String,
        minutes: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The admin overlay was unlocked with the PIN of `role` (and `name`).
    AdminUnlocked {
        role: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Something done in the admin overlay, `by` the person and role that
    /// unlocked it (`Name (role)`), or `refused` (`detail`: what) when the
    /// role may not; `requested_by` for the emergency switch.
    AdminAction {
        action: String,
        by: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        requested_by: Option<String>,
    },
}
