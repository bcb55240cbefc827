//! One month file streamed line by line into a [`Scan`]: the state the
//! lines up to the instant leave behind, and a few lines after it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Cited, ItemShown, OverrideLine, Scan, ScreenLine, time_field};

/// Lines read after the instant (the `incident` and `app_started` of a
/// restart, the next play).
pub(super) const LINES_AFTER: usize = 6;

impl Scan {
    /// All the state an earlier file could add is known already.
    pub(super) fn is_complete(&self) -> bool {
        self.screen.is_some() && self.override_line.is_some() && self.started.is_some()
    }

    /// Fills what this (later) file left unknown from an earlier file's scan.
    pub(super) fn fill_from(&mut self, earlier: Scan) {
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
pub(super) fn scan_file(path: &Path, instant: DateTime<Utc>, objects_dir: &Path) -> Scan {
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
