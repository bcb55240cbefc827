//! What was on screen at an instant, and why, told from the journal: the
//! evidence a complaint passed on by the Border Guard is answered with
//! (`infokiosk at`).
//!
//! The month files are streamed line by line (a month can be 300,000 lines):
//! the lines up to the instant leave the last screen state, override and
//! play behind; a few lines after it say whether the player was running.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, LocalResult, NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;

use super::chain::month_of;
use super::{month_at, month_files};

/// A silence longer than this around the instant means the player was not
/// running: it writes a heartbeat every minute.
pub const SILENCE: Duration = Duration::minutes(3);

/// Month files read back from the instant's month for a state set earlier.
const MONTHS_BACK: usize = 2;

/// Lines read after the instant (the `incident` and `app_started` of a
/// restart, the next play).
const LINES_AFTER: usize = 6;

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

/// What one file's lines up to the instant left behind.
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
    let mut scan = Scan::default();
    let mut first = true;
    for path in before.iter().rev().take(MONTHS_BACK + 1) {
        let earlier = scan_file(path, instant, objects_dir);
        if first {
            scan = earlier;
            first = false;
        } else {
            scan.fill_from(earlier);
        }
        if scan.is_complete() {
            break;
        }
    }
    // The lines after the instant may be in the next month's file.
    for path in later.iter().take(1) {
        if scan.after.len() < LINES_AFTER {
            let next = scan_file(path, instant, objects_dir);
            scan.after.extend(next.after);
        }
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

impl Scan {
    /// All the state an earlier file could add is known already.
    fn is_complete(&self) -> bool {
        self.screen.is_some() && self.override_line.is_some() && self.started.is_some()
    }

    /// Fills what this (later) file left unknown from an earlier file's scan.
    fn fill_from(&mut self, earlier: Scan) {
        if self.screen.is_none() {
            self.screen = earlier.screen;
        }
        if self.override_line.is_none() {
            self.override_line = earlier.override_line;
        }
        if self.last_ended.is_none() {
            self.last_ended = earlier.last_ended;
        }
        if self.started.is_none() {
            let ended_here = earlier
                .started
                .as_ref()
                .is_some_and(|s| self.stopped_first || self.ended_first.contains(&s.item));
            self.started = earlier.started;
            self.started_ended = earlier.started_ended || ended_here;
            self.stopped_first |= earlier.stopped_first;
            self.ended_first.extend(earlier.ended_first);
        }
        if self.last_before.is_none() {
            self.last_before = earlier.last_before;
        }
    }

    fn take(&mut self, line: Cited, value: Value, objects_dir: &Path) {
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        match line.event.as_str() {
            "opened" | "closed" => {
                self.screen = Some(ScreenLine {
                    state: if line.event == "opened" {
                        "open"
                    } else {
                        "closed"
                    }
                    .into(),
                    reason: text("reason"),
                    line: line.clone(),
                });
            }
            "override_set" => {
                self.override_line = Some(Some(OverrideLine {
                    action: text("action"),
                    until: value["until"].as_str().map(str::to_owned),
                    reason: text("reason"),
                    by: text("by"),
                    source: text("source"),
                    line: line.clone(),
                }));
            }
            "override_ended" => self.override_line = Some(None),
            "play_started" => {
                let sha256 = value["sha256"]
                    .as_str()
                    .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                    .map(str::to_ascii_lowercase);
                let archived = sha256
                    .as_ref()
                    .map(|h| objects_dir.join(&h[..2]).join(h))
                    .filter(|p| p.is_file());
                self.started = Some(ItemShown {
                    item: text("item"),
                    kind: text("kind"),
                    language: text("language"),
                    sha256,
                    archived,
                    line: line.clone(),
                });
                self.started_ended = false;
            }
            "play_ended" => {
                match &self.started {
                    Some(s) if s.item == text("item") => self.started_ended = true,
                    Some(_) => {}
                    None => {
                        self.ended_first.insert(text("item"));
                    }
                }
                self.last_ended = Some(line.clone());
            }
            _ => {}
        }
        if matches!(
            line.event.as_str(),
            "app_started" | "app_stopped" | "closed"
        ) {
            if self.started.is_some() {
                self.started_ended = true;
            } else {
                self.stopped_first = true;
            }
        }
        self.last_before = Some((line, value));
    }
}

/// Streams one month file: the lines up to `instant` into the state, then
/// the first few lines after it. A line that does not parse is skipped, as
/// the journal's reader does.
fn scan_file(path: &Path, instant: DateTime<Utc>, objects_dir: &Path) -> Scan {
    let mut scan = Scan::default();
    let Ok(file) = File::open(path) else {
        return scan;
    };
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let Ok(value) = serde_json::from_slice::<Value>(&buf) else {
            continue;
        };
        let Some(time) = time_field(&value, "time") else {
            continue;
        };
        let line = Cited {
            file: name.clone(),
            seq: value["seq"].as_u64(),
            event: value["event"].as_str().unwrap_or_default().to_owned(),
            time,
            local_time: value["local_time"].as_str().unwrap_or_default().to_owned(),
        };
        if time <= instant {
            scan.take(line, value, objects_dir);
        } else {
            scan.after.push((line, value));
            if scan.after.len() >= LINES_AFTER {
                break;
            }
        }
    }
    scan
}

/// A wall-clock time `HH:MM` (or `HH:MM:SS`) in `tz` as the latest instant
/// at or before `now` that the clock showed it: today, or yesterday when
/// today's is still to come. For the admin overlay's look-back over the last
/// 24 hours.
pub fn recent_instant(text: &str, tz: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let time = NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .map_err(|_| format!("{text:?}: expected a local time like 09:15"))?;
    let today = now.with_timezone(&tz).date_naive();
    for date in [Some(today), today.pred_opt()].into_iter().flatten() {
        // In an hour repeated when the clocks go back, the later one first.
        let found = match date.and_time(time).and_local_timezone(tz) {
            LocalResult::Single(t) => vec![t],
            LocalResult::Ambiguous(earlier, later) => vec![later, earlier],
            LocalResult::None => Vec::new(),
        };
        if let Some(t) = found
            .into_iter()
            .map(|t| t.with_timezone(&Utc))
            .find(|t| *t <= now)
        {
            return Ok(t);
        }
    }
    Err(format!(
        "{text}: not a time of the last 24 hours in {}",
        tz.name()
    ))
}

/// What was on screen at the local time `text` of the last 24 hours, and
/// why: [`on_screen_at`] at [`recent_instant`], the overlay's Now page's
/// look-back (`infokiosk at` for any instant).
pub fn look_back(
    journal_dir: &Path,
    objects_dir: &Path,
    tz: Tz,
    text: &str,
    now: DateTime<Utc>,
) -> Result<OnScreen, String> {
    let instant = recent_instant(text, tz, now)?;
    Ok(on_screen_at(journal_dir, objects_dir, tz, instant, now))
}

fn time_field(line: &Value, key: &str) -> Option<DateTime<Utc>> {
    let text = line[key].as_str()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl OnScreen {
    /// The answer as a few lines for a person.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "At {} ({}):\n",
            self.local_time,
            self.instant.to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        let cite = |c: &Cited| {
            format!(
                "{} seq {} at {}",
                c.file,
                c.seq.map_or("?".into(), |s| s.to_string()),
                c.local_time
            )
        };
        match self.answer {
            Answer::Future => out.push_str("  this instant is in the future: nothing was shown yet\n"),
            Answer::NoRecord => out.push_str(
                "  the journal has no line at or before this instant: no record of the player\n",
            ),
            Answer::NotRunning => {
                out.push_str("  the player was NOT running (downtime): nothing was shown\n")
            }
            Answer::Closed => out.push_str("  the screen was CLOSED (black, display off)\n"),
            Answer::Showing => out.push_str("  the screen was OPEN and showing an item\n"),
            Answer::BetweenItems => out.push_str(
                "  the screen was OPEN between two items (the last picture held, or the fallback slide)\n",
            ),
        }
        if let Some(d) = &self.downtime {
            out.push_str(&format!("  why: {}\n", d.why));
            if let Some(c) = &d.last_before {
                out.push_str(&format!("  last line before: {} {}\n", c.event, cite(c)));
            }
            if let Some(c) = &d.next_after {
                out.push_str(&format!("  first line after: {} {}\n", c.event, cite(c)));
            }
        }
        if let Some(s) = &self.screen {
            out.push_str(&format!(
                "  screen {} since {} — {} ({})\n",
                s.state,
                s.line.local_time,
                s.reason,
                cite(&s.line)
            ));
        }
        if let Some(o) = &self.override_in_force {
            out.push_str(&format!(
                "  override {} until {} by {} via {}: {} ({})\n",
                o.action,
                o.until.as_deref().unwrap_or("cleared"),
                o.by,
                o.source,
                o.reason,
                cite(&o.line)
            ));
        }
        if let Some(i) = &self.item {
            out.push_str(&format!(
                "  item: {} ({}, language {}), started {}\n",
                i.item,
                i.kind,
                i.language,
                cite(&i.line)
            ));
            match (&i.sha256, &i.archived) {
                (Some(h), Some(p)) => {
                    out.push_str(&format!("  sha256: {h}\n  archived copy: {}\n", p.display()))
                }
                (Some(h), None) => {
                    out.push_str(&format!("  sha256: {h}\n  archived copy: not archived\n"))
                }
                (None, _) => out.push_str(
                    "  sha256: not in the journal line (written before play-time archiving): not archived\n",
                ),
            }
        }
        if let Some(c) = &self.last_ended {
            out.push_str(&format!("  last play ended: {}\n", cite(c)));
        }
        if let Some(c) = &self.next_started {
            out.push_str(&format!("  next play started: {}\n", cite(c)));
        }
        out
    }
}

#[cfg(test)]
mod tests;
