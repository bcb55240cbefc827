//! Outboxes simulated on disk, judged as the office would see them: the
//! fixtures shared by the tests of each subject below.

mod content;
mod hostile;
mod office;

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::*;
use crate::report::fixture::open_status;
use crate::report::{KioskStatus, NowShowing, status_json};
use crate::test_support::{HCM, hcm};

/// The legal hours.
fn legal() -> OperatingSchedule {
    crate::test_support::schedule("{}")
}

fn now() -> DateTime<Utc> {
    hcm("2026-11-28 09:00")
}

/// A journal being written, line by line, as the kiosk does.
#[derive(Default)]
struct Journal {
    text: String,
    seq: u64,
}

impl Journal {
    fn line(&mut self, t: DateTime<Utc>, fields: Value) {
        self.seq += 1;
        let mut line = json!({
            "v": 1,
            "seq": self.seq,
            "kiosk": "k",
            "time": t.to_rfc3339_opts(SecondsFormat::Millis, true),
        });
        line.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        let _ = writeln!(self.text, "{line}");
    }

    fn local(&mut self, text: &str, fields: Value) {
        self.line(hcm(text), fields);
    }

    /// November up to `until`: heartbeats every minute day and night,
    /// `opened`/`closed` at the legal hours, a 30 s play every `play_every`
    /// minutes while open, and last month's backup on the 1st.
    fn month_until(&mut self, until: DateTime<Utc>, play_every: i64) -> &mut Self {
        let mut t = hcm("2026-11-01 00:00");
        self.line(t, json!({"event": "app_started", "version": "0.1.0"}));
        self.line(
            t,
            json!({"event": "closed", "reason": "outside operating hours"}),
        );
        let schedule = legal();
        let mut open = false;
        while t <= until {
            let should = schedule.state_at(t, None).state.is_open();
            if should != open {
                let event = if should { "opened" } else { "closed" };
                self.line(t, json!({"event": event, "reason": "schedule"}));
                open = should;
            }
            let screen = if open { "open" } else { "closed" };
            self.line(t, json!({"event": "heartbeat", "screen": screen}));
            if open && play_every > 0 && (t.timestamp() / 60) % play_every == 0 {
                let item = json!({"item": "tin-tuc.vi.jpg", "kind": "image", "language": "vi"});
                let mut ended = item.clone();
                ended["event"] = "play_ended".into();
                ended["shown_ms"] = 30_000.into();
                ended["ended"] = "completed".into();
                let mut started = item;
                started["event"] = "play_started".into();
                self.line(t, started);
                self.line(t + Duration::seconds(30), ended);
            }
            if t == hcm("2026-11-01 18:00") {
                let backup = json!({"event": "backup_written", "month": "2026-10",
                    "archive": "infokiosk-2026-10.tar.zst", "files": 40, "bytes": 1_000_000, "missing": 0});
                self.line(t, backup);
            }
            t += Duration::minutes(1);
        }
        self
    }
}

fn status(kiosk: &str, at: &str, heartbeat: &str, disk_free: u64) -> String {
    let status = KioskStatus {
        kiosk: kiosk.into(),
        now_showing: Some(NowShowing {
            item: "tin-tuc.km.jpg".into(),
            kind: "image".into(),
            language: "km".into(),
            since: hcm(at),
        }),
        last_heartbeat: Some(hcm(heartbeat)),
        disk_free_bytes: Some(disk_free),
        ..open_status(hcm(at))
    };
    status_json(&status, HCM)
}

fn outbox(dir: &Path, kiosk: &str, status: Option<&str>, journal: Option<&Journal>) {
    let folder = dir.join(kiosk);
    std::fs::create_dir_all(folder.join("journal")).unwrap();
    if let Some(status) = status {
        std::fs::write(folder.join("status.json"), status).unwrap();
    }
    if let Some(journal) = journal {
        std::fs::write(folder.join("journal/2026-11.jsonl"), &journal.text).unwrap();
    }
}

const GIB: u64 = 1024 * 1024 * 1024;

fn alert(kiosk: &str, kind: AlertKind, reason: &str, since: Option<&str>) -> Alert {
    Alert {
        kiosk_id: kiosk.into(),
        kind,
        reason: reason.into(),
        since: since.map(hcm),
    }
}

/// A live kiosk's `status.json` at `at` (local) with `content` as the player
/// writes it (`null` or absent: see the cases).
fn status_playing(kiosk: &str, at: &str, content: Option<Value>) -> String {
    let mut value: Value = serde_json::from_str(&status(kiosk, at, at, 40 * GIB)).unwrap();
    if let Some(content) = content {
        value["content"] = content;
    }
    value.to_string()
}
