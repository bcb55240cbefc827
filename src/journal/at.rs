//! What was on screen at an instant, and why, told from the journal: the
//! evidence a complaint passed on by the Border Guard is answered with
//! (`infokiosk at`).
//!
//! The month files are streamed line by line (a month can be 300,000 lines):
//! the lines up to the instant leave the last screen state, override and
//! play behind; a few lines after it say whether the player was running.

mod recent;
mod scan;
#[cfg(test)]
mod tests;
mod text;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use super::chain::month_of;
use super::{month_at, month_files};
pub use recent::{look_back, recent_instant};
use scan::{LINES_AFTER, scan_file};

/// A silence longer than this around the instant means the player was not
/// running: it writes a heartbeat every minute.
pub const SILENCE: Duration = Duration::minutes(3);

/// Month files read back from the instant's month for a state set earlier.
const MONTHS_BACK: usize = 2;

/// The answer, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// An item was on screen.
    Showing,
    /// The screen was open between two items: the last picture held, or the
    /// fallback slide when nothing was playable.
    BetweenItems,
    /// The screen was closed (black, display off).
    Closed,
    /// The player was not running: downtime.
    NotRunning,
    /// The instant is after now.
    Future,
    /// The journal has no line at or before the instant.
    NoRecord,
}

/// A journal line the answer rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited {
    pub file: String,
    pub seq: Option<u64>,
    pub event: String,
    /// UTC.
    pub time: DateTime<Utc>,
    pub local_time: String,
}

/// The screen's last `opened`/`closed` before the instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenLine {
    /// `open` or `closed`.
    pub state: String,
    pub reason: String,
    pub line: Cited,
}

/// An override in force at the instant (`override_set` without its
/// `override_ended` before it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideLine {
    pub action: String,
    pub until: Option<String>,
    pub reason: String,
    pub by: String,
    pub source: String,
    pub line: Cited,
}

/// The item on screen, from its `play_started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemShown {
    pub item: String,
    pub kind: String,
    pub language: String,
    /// SHA-256 of the bytes shown, when the line has it.
    pub sha256: Option<String>,
    /// The archived copy (`data_dir/objects/ab/<sha256>`) when it is there.
    pub archived: Option<PathBuf>,
    pub line: Cited,
}

/// Why the player is taken for not running at the instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Downtime {
    /// The sentence: a downtime incident, a clean stop, or a silence.
    pub why: String,
    /// The last line before the silence, and the first after it.
    pub last_before: Option<Cited>,
    pub next_after: Option<Cited>,
}

/// Everything the journal says about one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnScreen {
    pub instant: DateTime<Utc>,
    pub local_time: String,
    pub answer: Answer,
    pub screen: Option<ScreenLine>,
    #[serde(rename = "override")]
    pub override_in_force: Option<OverrideLine>,
    pub item: Option<ItemShown>,
    /// Between items: the play that ended last, and the next one started.
    pub last_ended: Option<Cited>,
    pub next_started: Option<Cited>,
    pub downtime: Option<Downtime>,
}

/// What one file's lines up to the instant left behind; read in `scan.rs`.
#[derive(Default)]
struct Scan {
    screen: Option<ScreenLine>,
    /// The last override line: set (Some) or ended (None), with its time.
    override_line: Option<Option<OverrideLine>>,
    started: Option<ItemShown>,
    /// Whether the last `play_started` was ended (its `play_ended`, a stop,
    /// a start, a closing) before the instant.
    started_ended: bool,
    /// Items ended (or any stop) before this file's first `play_started`:
    /// they may end an item an earlier file started.
    ended_first: HashSet<String>,
    stopped_first: bool,
    last_ended: Option<Cited>,
    last_before: Option<(Cited, Value)>,
    after: Vec<(Cited, Value)>,
}

/// The journal in `journal_dir` at `instant`, with `now` to tell the future
/// apart; archived copies are looked for under `objects_dir`.
pub fn on_screen_at(
    journal_dir: &Path,
    objects_dir: &Path,
    tz: Tz,
    instant: DateTime<Utc>,
    now: DateTime<Utc>,
) -> OnScreen {
    let mut answer = OnScreen {
        instant,
        local_time: instant
            .with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        answer: Answer::NoRecord,
        screen: None,
        override_in_force: None,
        item: None,
        last_ended: None,
        next_started: None,
        downtime: None,
    };
    if instant > now {
        answer.answer = Answer::Future;
        return answer;
    }
    let month = month_at(instant, tz);
    let files = month_files(journal_dir);
    let (before, later): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|p| month_of(p).as_str() <= month.as_str());
    let mut recent = before.iter().rev().take(MONTHS_BACK + 1);
    let mut scan = recent
        .next()
        .map_or_else(Scan::default, |path| scan_file(path, instant, objects_dir));
    for path in recent {
        if scan.is_complete() {
            break;
        }
        scan.fill_from(scan_file(path, instant, objects_dir));
    }
    // The lines after the instant may be in the next month's file.
    if let Some(path) = later.first()
        && scan.after.len() < LINES_AFTER
    {
        let next = scan_file(path, instant, objects_dir);
        scan.after.extend(next.after);
    }
    let Some((last, last_value)) = scan.last_before.clone() else {
        answer.downtime = Some(Downtime {
            why: "the journal has no line at or before this instant".into(),
            last_before: None,
            next_after: scan.after.first().map(|(c, _)| c.clone()),
        });
        return answer;
    };
    answer.screen = scan.screen.clone();
    answer.override_in_force = scan.override_line.clone().flatten();
    if let Some(why) = not_running(&scan, &last, &last_value, instant) {
        answer.answer = Answer::NotRunning;
        answer.downtime = Some(Downtime {
            why,
            last_before: Some(last),
            next_after: scan.after.first().map(|(c, _)| c.clone()),
        });
        return answer;
    }
    if scan.screen.as_ref().is_some_and(|s| s.state == "closed") {
        answer.answer = Answer::Closed;
        return answer;
    }
    match scan.started {
        Some(item) if !scan.started_ended => {
            answer.answer = Answer::Showing;
            answer.item = Some(item);
        }
        _ => {
            answer.answer = Answer::BetweenItems;
            answer.last_ended = scan.last_ended;
            answer.next_started = scan
                .after
                .iter()
                .find(|(c, _)| c.event == "play_started")
                .map(|(c, _)| c.clone());
        }
    }
    answer
}

/// Why the player was not running at `instant`, if it was not.
fn not_running(
    scan: &Scan,
    last: &Cited,
    last_value: &Value,
    instant: DateTime<Utc>,
) -> Option<String> {
    let local = |t: &Cited| t.local_time.clone();
    for (line, value) in &scan.after {
        if line.event == "incident"
            && value["kind"] == "downtime"
            && let (Some(from), Some(to)) = (time_field(value, "from"), time_field(value, "to"))
            && from <= instant
            && instant < to
        {
            return Some(format!(
                "downtime incident (seq {}): no sign of life from {} to {} ({})",
                line.seq.map_or("?".into(), |s| s.to_string()),
                from.to_rfc3339_opts(SecondsFormat::Secs, true),
                to.to_rfc3339_opts(SecondsFormat::Secs, true),
                value["cause"].as_str().unwrap_or("?")
            ));
        }
    }
    if last.event == "app_stopped" {
        let restart = last_value["restart"].as_str();
        let quick = scan
            .after
            .first()
            .is_some_and(|(next, _)| next.time - last.time <= SILENCE);
        if restart.is_none() || !quick {
            return Some(format!(
                "the player stopped at {} ({}) and was not running",
                local(last),
                last_value["reason"].as_str().unwrap_or("?")
            ));
        }
    }
    if instant - last.time > SILENCE {
        let until = scan
            .after
            .first()
            .map_or("the journal's end".into(), |(next, _)| {
                format!("{} ({})", local(next), next.event)
            });
        return Some(format!(
            "no journal line from {} ({}) to {until}: the player was not running",
            local(last),
            last.event
        ));
    }
    None
}

fn time_field(line: &Value, key: &str) -> Option<DateTime<Utc>> {
    let text = line[key].as_str()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
