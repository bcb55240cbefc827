//! Bevy glue for the schedule: moves [`ScreenState`] to what the schedule
//! says on the kiosk clock, and keeps the emergency override from
//! `control.yaml` or the overlay (through [`OverrideRequest`]). What happens
//! on opening and closing (display power, playback) is up to the modules
//! that react to the state.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bevy::prelude::*;
use bevy::time::common_conditions::on_real_timer;
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use super::{
    ControlCommand, ControlState, OperatingSchedule, OperatingState, Override, OverrideSource,
    check_issued, control_identity, parse_control,
};
use crate::clock::Clock;
use crate::content::ControlKeys;
use crate::guard::read_bytes_limited;
use crate::journal::Event;
use crate::journal::plugin::Record;
use crate::pacing::Pace;
use crate::screen_state::ScreenState;

/// Set or clear the emergency override. The latest request wins.
#[derive(Message, Debug, Clone)]
pub enum OverrideRequest {
    Set(Override),
    Clear { reason: String, by: String },
}

/// The operating schedule and the override in force.
#[derive(Resource)]
pub struct Operating {
    pub schedule: OperatingSchedule,
    pub active: Option<Override>,
    /// Where the override is kept across restarts (a power cut in the
    /// middle of an emergency must not switch the screens back on).
    state_file: Option<PathBuf>,
}

impl Operating {
    pub fn status(&self, clock: &Clock) -> super::Status {
        self.schedule.state_at(clock.now(), self.active.as_ref())
    }
}

/// `control.yaml` (and with signing its signature) as last looked at, and what the kiosk
/// remembers of it across restarts.
#[derive(Resource)]
struct ControlFile {
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
const CONTROL_POLL: Duration = Duration::from_millis(500);

pub struct SchedulePlugin {
    pub schedule: OperatingSchedule,
    pub control_file: PathBuf,
    /// `data_dir/state/override.json`: the override in force.
    pub state_file: Option<PathBuf>,
    /// `data_dir/state/control.json`: the control file last acted on, the newest signed order.
    pub control_state: Option<PathBuf>,
    /// `Some` with `trust.require_signature` ([`ControlKeys::required`]).
    pub control_keys: Option<ControlKeys>,
}

impl Plugin for SchedulePlugin {
    fn build(&self, app: &mut App) {
        let active = self.state_file.as_deref().and_then(load_override);
        let state = self
            .control_state
            .as_deref()
            .map_or_else(|| Ok(ControlState::default()), ControlState::load);
        let state = state.unwrap_or_else(|e| {
            warn!("{e}; the control file is read afresh");
            ControlState::default()
        });
        let mut signature = self.control_file.clone().into_os_string();
        signature.push(".minisig");
        app.init_state::<ScreenState>()
            .add_message::<OverrideRequest>()
            .init_resource::<Pace>()
            .insert_resource(Operating {
                schedule: self.schedule.clone(),
                active,
                state_file: self.state_file.clone(),
            })
            .insert_resource(ControlFile {
                path: self.control_file.clone(),
                signature: signature.into(),
                seen: None,
                keys: self.control_keys.clone(),
                state,
                state_file: self.control_state.clone(),
            })
            .add_systems(
                PreUpdate,
                (
                    // In the first frame too: an override in the file holds from the start.
                    read_control_file.run_if(run_once.or_eager(on_real_timer(CONTROL_POLL))),
                    apply_override_requests,
                    follow_schedule,
                    wake_for_the_next_change,
                )
                    .chain(),
            );
    }
}

/// The link itself, not its target: a symlink is refused when read, never followed.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len()))
}

/// Acts on `control.yaml` when it changed: once per file, across restarts too (its SHA-256
/// is kept in the control state), so a restart neither re-applies a stale file over an
/// override set since, nor forgets that the file was removed while the player was down.
fn read_control_file(
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

fn apply_override_requests(
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

/// Moves the screen state to what the schedule and override say now. Runs
/// every frame against the wall clock, so a corrected clock or a PC that
/// slept lands in the right state at once. The display follows the state
/// (`display` powers it on entering `Open`, off on entering `Closed`).
fn follow_schedule(
    clock: Res<Clock>,
    mut operating: ResMut<Operating>,
    state: Res<State<ScreenState>>,
    mut next: ResMut<NextState<ScreenState>>,
    mut record: Record,
) {
    let now = clock.now();
    if let Some(o) = operating.active.as_ref().filter(|o| !o.is_active(now)) {
        record.event(Event::OverrideEnded {
            how: "expired".into(),
            reason: o.reason.clone(),
            by: o.by.clone(),
        });
        operating.active = None;
        save_override(&operating);
    }
    let status = operating.schedule.state_at(now, operating.active.as_ref());
    let wanted = match status.state {
        OperatingState::Open => ScreenState::Open,
        OperatingState::Closed => ScreenState::Closed,
    };
    if *state.get() == wanted {
        return;
    }
    let reason = status.reason.to_string();
    info!("screen {}: {reason}", status.state);
    record.event(match wanted {
        ScreenState::Open => Event::Opened { reason },
        _ => Event::Closed { reason },
    });
    next.set(wanted);
}

/// Has the loop awake when the screen is next to open or close (an hour's
/// end, an override's), to the frame, even with nothing drawn before it.
fn wake_for_the_next_change(
    clock: Res<Clock>,
    time: Res<Time<Real>>,
    operating: Res<Operating>,
    mut pace: ResMut<Pace>,
) {
    let now = clock.now();
    if let Some(next) = operating
        .schedule
        .next_change(now, operating.active.as_ref())
    {
        // A millisecond after, so that the clock read then is past it.
        let after = clock.real_seconds_between(now, next) + 0.001;
        pace.wake_at(time.elapsed_secs_f64() + after);
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

fn load_override(path: &std::path::Path) -> Option<Override> {
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
fn save_override(operating: &Operating) {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use bevy::state::app::StatesPlugin;
    use chrono::{DateTime, Utc};
    use serde_json::Value;

    use super::*;
    use crate::journal::plugin::Recorder;
    use crate::journal::{Journal, month_files, read_file};
    use crate::schedule::{OverrideSource, Power, ScheduleConfig};
    use crate::test_support::{HCM, hcm};

    /// The schedule plugin alone, on a kiosk clock that stands still at
    /// `start` (Ho Chi Minh wall clock) until the test moves it. The legal
    /// hours: 07:00-11:00 and 14:00-18:00.
    fn app(dir: &Path, start: &str) -> App {
        app_with(dir, start, None, None)
    }

    /// [`app`] with the state files under `dir/state` (or none) and control keys.
    fn app_with(dir: &Path, start: &str, state: Option<&Path>, keys: Option<ControlKeys>) -> App {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, StatesPlugin))
            .insert_resource(Clock::starting_at(hcm(start), 0.0))
            .insert_resource(Recorder::synchronous(
                Journal::open(&dir.join("journal"), "test", HCM).unwrap(),
            ))
            .add_plugins(SchedulePlugin {
                schedule: OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap(),
                control_file: dir.join("control.yaml"),
                state_file: state.map(|s| s.join("override.json")),
                control_state: state.map(|s| s.join("control.json")),
                control_keys: keys,
            });
        app
    }

    /// The player with its state under `dir/state` as `app.rs` makes it, after one frame: each
    /// call is a start, after a clean stop or a power cut alike (every state file is written
    /// whole before anything it records is acted on).
    fn started(dir: &Path, start: &str, keys: Option<ControlKeys>) -> App {
        let mut app = app_with(dir, start, Some(&dir.join("state")), keys);
        app.update();
        app
    }

    fn write_control(dir: &Path, text: &str) {
        std::fs::write(dir.join("control.yaml"), text).unwrap();
    }

    /// The journal lines of one event.
    fn lines(dir: &Path, event: &str) -> Vec<Value> {
        month_files(&dir.join("journal"))
            .iter()
            .flat_map(|f| read_file(f).records)
            .filter(|r: &Value| r["event"] == event)
            .collect()
    }

    fn last_reason(dir: &Path, event: &str) -> String {
        let lines = lines(dir, event);
        let last = lines.last().unwrap_or_else(|| panic!("no {event}"));
        last["reason"].as_str().unwrap().to_owned()
    }

    fn set_clock(app: &mut App, at: &str) {
        app.insert_resource(Clock::starting_at(hcm(at), 0.0));
    }

    fn screen(app: &App) -> ScreenState {
        *app.world().resource::<State<ScreenState>>().get()
    }

    /// The journal's events, each as `event: reason`.
    fn events(dir: &Path) -> Vec<String> {
        month_files(&dir.join("journal"))
            .iter()
            .flat_map(|f| read_file(f).records)
            .map(|r: Value| format!("{}: {}", r["event"].as_str().unwrap(), r["reason"]))
            .collect()
    }

    fn off_until(until: &str, now: DateTime<Utc>) -> Override {
        Override {
            action: Power::Off,
            until: Some(hcm(until)),
            reason: "drill".into(),
            by: "Border Guard".into(),
            set_at: now,
            source: OverrideSource::Overlay,
            requested_by: String::new(),
            issued: None,
            signer: None,
        }
    }

    #[test]
    fn the_screen_opens_and_closes_on_the_hour() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), "2026-11-28 06:59:59");
        assert_eq!(screen(&app), ScreenState::Starting);
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed, "the first frame decides");
        set_clock(&mut app, "2026-11-28 07:00");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        set_clock(&mut app, "2026-11-28 10:59:59.999");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        set_clock(&mut app, "2026-11-28 11:00");
        app.update();
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed);
        assert_eq!(
            events(dir.path()),
            [
                r#"closed: "outside operating hours""#,
                r#"opened: "inside window 07:00-11:00""#,
                r#"closed: "outside operating hours""#,
            ],
            "each change journaled once"
        );
    }

    #[test]
    fn an_override_request_closes_the_screen_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path(), "2026-11-28 08:00");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        let now = hcm("2026-11-28 08:00");
        app.world_mut()
            .write_message(OverrideRequest::Set(off_until("2026-11-28 09:30", now)));
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed, "in the same frame");
        assert!(app.world().resource::<Operating>().active.is_some());
        set_clock(&mut app, "2026-11-28 09:30");
        app.update();
        assert_eq!(screen(&app), ScreenState::Open, "the schedule holds again");
        assert!(app.world().resource::<Operating>().active.is_none());
        assert_eq!(
            events(dir.path()),
            [
                r#"opened: "inside window 07:00-11:00""#,
                r#"override_set: "drill""#,
                r#"closed: "override off by Border Guard until 2026-11-28 09:30 (+07): drill""#,
                r#"override_ended: "drill""#,
                r#"opened: "inside window 07:00-11:00""#,
            ]
        );
    }

    #[test]
    fn control_yaml_is_read_in_the_first_frame() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("control.yaml"),
            "override: off\nreason: drill\nby: office\n",
        )
        .unwrap();
        let mut app = app(dir.path(), "2026-11-28 08:00");
        app.update();
        assert_eq!(
            screen(&app),
            ScreenState::Closed,
            "never open while the office says off"
        );
    }

    #[test]
    fn a_restart_acts_on_no_control_file_twice() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_control(d, "override: off\nreason: drill\n");
        let mut app = started(d, "2026-11-28 08:00", None);
        assert_eq!(screen(&app), ScreenState::Closed);
        // The Border Guard ends it at the kiosk; the file stays in the folder.
        app.world_mut().write_message(OverrideRequest::Clear {
            reason: "drill over".into(),
            by: "border-guard".into(),
        });
        app.update();
        assert_eq!(screen(&app), ScreenState::Open);
        drop(app);
        let app = started(d, "2026-11-28 08:05", None);
        assert_eq!(
            screen(&app),
            ScreenState::Open,
            "the file's OFF is not applied again"
        );
        assert_eq!(lines(d, "override_set").len(), 1, "journaled once");
        drop(app);

        // A `clear` acted on, left in the folder; then OFF from the overlay.
        write_control(d, "override: clear\n");
        let mut app = started(d, "2026-11-28 08:10", None);
        assert_eq!(screen(&app), ScreenState::Open);
        let now = hcm("2026-11-28 08:10");
        app.world_mut()
            .write_message(OverrideRequest::Set(off_until("2026-11-28 10:00", now)));
        app.update();
        assert_eq!(screen(&app), ScreenState::Closed);
        drop(app);
        let app = started(d, "2026-11-28 08:20", None);
        assert_eq!(
            screen(&app),
            ScreenState::Closed,
            "a stale clear does not undo the overlay's OFF"
        );
        assert_eq!(
            lines(d, "override_ended").len(),
            1,
            "only the Border Guard's clear"
        );
    }

    #[test]
    fn a_control_file_removed_while_stopped_ends_only_its_own_override() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_control(
            d,
            "override: off\nreason: drill\nrequested_by: Sở TT&TT\nissued: 2026-11-28T07:50+07:00\n",
        );
        let app = started(d, "2026-11-28 08:00", None);
        assert_eq!(screen(&app), ScreenState::Closed);
        let set = &lines(d, "override_set")[0];
        assert_eq!(
            (&set["requested_by"], &set["issued"], &set["signer"]),
            (
                &Value::from("Sở TT&TT"),
                &Value::from("2026-11-28T00:50:00Z"),
                &Value::Null
            ),
            "unsigned: the request is on record, no signer"
        );
        drop(app);
        std::fs::remove_file(d.join("control.yaml")).unwrap();
        let app = started(d, "2026-11-28 08:05", None);
        assert_eq!(screen(&app), ScreenState::Open);
        assert!(
            last_reason(d, "override_ended")
                .ends_with("control.yaml removed while the player was stopped"),
            "{}",
            last_reason(d, "override_ended")
        );
        drop(app);

        // The overlay's override outlives a file acted on before it.
        write_control(d, "override: clear\n");
        let mut app = started(d, "2026-11-28 08:10", None);
        let now = hcm("2026-11-28 08:10");
        app.world_mut()
            .write_message(OverrideRequest::Set(off_until("2026-11-28 10:00", now)));
        app.update();
        drop(app);
        std::fs::remove_file(d.join("control.yaml")).unwrap();
        let app = started(d, "2026-11-28 08:20", None);
        assert_eq!(screen(&app), ScreenState::Closed);
        assert_eq!(lines(d, "override_ended").len(), 1);
    }

    #[test]
    fn with_signing_only_a_control_key_may_switch_the_screen_and_old_orders_are_refused() {
        use crate::content::TrustConfig;
        use crate::content::tests::fixtures::Office;

        let (border_guard, office) = (Office::new(), Office::new());
        let trust = TrustConfig {
            public_keys: office.trust().public_keys,
            control_keys: border_guard.trust().public_keys,
            require_signature: true,
        };
        let keys = || ControlKeys::required(&trust);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let order = |text: &str, by: &Office| {
            write_control(d, text);
            by.sign_file(&d.join("control.yaml"));
        };
        let refused = |start: &str, why: &str| {
            let app = started(d, start, keys());
            assert_eq!(screen(&app), ScreenState::Open, "{why}");
            let reason = last_reason(d, "control_rejected");
            assert!(reason.contains(why), "{why}: {reason}");
        };
        write_control(d, "override: off\nissued: 2026-11-28T07:50+07:00\n");
        refused("2026-11-28 08:00", "control.yaml.minisig is missing");
        let off = "override: off\nissued: 2026-11-28T07:55+07:00\nreason: drill\nrequested_by: Sở TT&TT\n";
        order(off, &office);
        refused(
            "2026-11-28 08:00",
            "which is not in trust.control_keys (unknown key)",
        );
        order("override: off\n", &border_guard);
        refused("2026-11-28 08:00", "must say when it was issued");

        order(off, &border_guard);
        let kept = [
            ("control.yaml", off.as_bytes().to_vec()),
            (
                "control.yaml.minisig",
                std::fs::read(d.join("control.yaml.minisig")).unwrap(),
            ),
        ];
        let app = started(d, "2026-11-28 08:00", keys());
        assert_eq!(screen(&app), ScreenState::Closed);
        let set = lines(d, "override_set");
        let signer = set[0]["signer"].as_str().unwrap();
        assert!(
            signer.len() == 16 && signer.chars().all(|c| c.is_ascii_hexdigit()),
            "{signer}"
        );
        assert_eq!(set[0]["requested_by"], "Sở TT&TT");
        drop(app);

        order(
            "override: on\nissued: 2026-11-28T07:00+07:00\n",
            &border_guard,
        );
        let app = started(d, "2026-11-28 08:05", keys());
        assert_eq!(screen(&app), ScreenState::Closed);
        assert!(
            last_reason(d, "control_rejected")
                .contains("issued 2026-11-28 07:00 (+07) is not after 2026-11-28 07:55 (+07)"),
            "{}",
            last_reason(d, "control_rejected")
        );
        drop(app);
        order(
            "override: clear\nissued: 2026-11-28T08:30+07:00\n",
            &border_guard,
        );
        let app = started(d, "2026-11-28 08:40", keys());
        assert_eq!(screen(&app), ScreenState::Open);
        drop(app);
        // The signed OFF put back: a replay.
        for (name, bytes) in &kept {
            std::fs::write(d.join(name), bytes).unwrap();
        }
        refused("2026-11-28 08:50", "is not after 2026-11-28 08:30 (+07)");
        assert_eq!(lines(d, "override_set").len(), 1);
    }
}
