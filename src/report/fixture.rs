//! A synthetic month of journal (November 2026) whose figures are worked out by
//! hand in the tests that use it.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::Value;

use super::{KioskStatus, Report, build_report};
use crate::journal::{Ending, Event};
use crate::schedule::{OperatingSchedule, OperatingState};

pub(crate) use crate::test_support::{HCM, hcm};

/// The legal hours, with 2026-11-20 closed for maintenance.
pub(crate) fn schedule() -> OperatingSchedule {
    crate::test_support::schedule("exceptions: [{date: 2026-11-20, windows: [], note: bảo trì}]")
}

/// An instant after every period the tests report on.
pub(crate) fn after() -> DateTime<Utc> {
    hcm("2027-06-01 00:00")
}

/// The status of kiosk `tb-1` at `time`, open inside its window, with
/// nothing else known: tests set what they look at (`..open_status(t)`).
pub(crate) fn open_status(time: DateTime<Utc>) -> KioskStatus {
    KioskStatus {
        kiosk: "tb-1".into(),
        version: "0.1.0".into(),
        time,
        screen: OperatingState::Open,
        screen_reason: "inside window 07:00-11:00".into(),
        now_showing: None,
        last_heartbeat: None,
        disk_free_bytes: None,
        disk_total_bytes: None,
        last_errors: Vec::new(),
        content: None,
    }
}

/// Journal lines as the journal writes them.
#[derive(Default)]
pub(crate) struct Lines {
    pub lines: Vec<Value>,
}

impl Lines {
    pub fn at(&mut self, t: DateTime<Utc>, event: Event) {
        let mut line = serde_json::json!({
            "v": 1,
            "seq": self.lines.len() + 1,
            "kiosk": "tb-1",
            "time": t.to_rfc3339_opts(SecondsFormat::Millis, true),
            "local_time": t.with_timezone(&HCM).to_rfc3339_opts(SecondsFormat::Millis, false),
        });
        let fields = serde_json::to_value(&event).unwrap();
        line.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        self.lines.push(line);
    }

    pub fn local(&mut self, text: &str, event: Event) {
        self.at(hcm(text), event);
    }

    /// `opened` at `from`, a heartbeat every minute, `closed` at `to` (if given).
    pub fn open_window(&mut self, from: &str, to: Option<&str>, last_heartbeat: &str) {
        self.local(from, opened());
        let (mut t, last) = (hcm(from), hcm(last_heartbeat));
        while t + Duration::minutes(1) <= last {
            t += Duration::minutes(1);
            self.at(t, heartbeat("open"));
        }
        if let Some(to) = to {
            self.local(
                to,
                Event::Closed {
                    reason: "outside operating hours".into(),
                },
            );
        }
    }
}

pub(crate) fn opened() -> Event {
    Event::Opened {
        reason: "inside window".into(),
    }
}

pub(crate) fn heartbeat(screen: &str) -> Event {
    Event::Heartbeat {
        screen: screen.into(),
    }
}

fn play(item: &str, kind: &str, language: &str, shown_ms: u64) -> Event {
    Event::PlayEnded {
        item: item.into(),
        kind: kind.into(),
        language: language.into(),
        shown_ms,
        frames: None,
        pages: None,
        ended: Ending::Completed,
        reason: None,
    }
}

/// The report of [`november`] for the month, made after it.
pub(crate) fn november_report() -> Report {
    let month = "2026-11".parse().unwrap();
    build_report(&november().lines, &schedule(), month, "tb-1", after())
}

/// November 2026 at kiosk tb-1. Every day the screens open 07:00-11:00 and
/// 14:00-18:00 and show three plays, except:
/// - 5th: power cut from 09:00 (last heartbeat) to 09:30 (restart), an incident of 30 min;
/// - 10th: override off 08:00-09:00 (Border Guard drill);
/// - 12th: override on 19:00-20:00, outside the required hours;
/// - 20th: closed by the schedule (maintenance), nothing required;
/// - a cut-off line just before the restart on the 5th (see `journal_text`).
pub(crate) fn november() -> Lines {
    let mut j = Lines::default();
    j.local(
        "2026-11-01 00:05",
        Event::AppStarted {
            version: "0.1.0".into(),
        },
    );
    j.local(
        "2026-11-01 00:05",
        Event::Closed {
            reason: "outside operating hours".into(),
        },
    );
    for day in 1..=30 {
        let d = |hm: &str| format!("2026-11-{day:02} {hm}");
        if day == 20 {
            j.local(&d("12:00"), heartbeat("closed"));
            continue;
        }
        match day {
            5 => {
                j.open_window(&d("07:00"), None, &d("09:00"));
                j.local(
                    &d("09:30"),
                    Event::AppStarted {
                        version: "0.1.0".into(),
                    },
                );
                j.local(&d("09:30"), downtime(&d("09:00"), &d("09:30"), 30));
                j.open_window(&d("09:30"), Some(&d("11:00")), &d("10:59"));
            }
            10 => {
                j.open_window(&d("07:00"), None, &d("07:59"));
                j.local(
                    &d("08:00"),
                    override_set("off", &d("09:00"), "diễn tập", "Bộ đội Biên phòng"),
                );
                j.local(
                    &d("08:00"),
                    Event::Closed {
                        reason: "override off".into(),
                    },
                );
                j.local(&d("08:30"), heartbeat("closed"));
                j.local(&d("09:00"), override_ended("Bộ đội Biên phòng"));
                j.open_window(&d("09:00"), Some(&d("11:00")), &d("10:59"));
            }
            _ => j.open_window(&d("07:00"), Some(&d("11:00")), &d("10:59")),
        }
        j.local(
            &d("07:30:10"),
            play("tin-tuc.vi.jpg", "image", "vi", 10_000),
        );
        j.local(
            &d("07:30:30"),
            play("tin-tuc.en.jpg", "image", "en", 10_000),
        );
        j.local(&d("07:32:05"), play("clip.km.mp4", "video", "km", 95_500));
        j.local(&d("12:00"), heartbeat("closed"));
        j.open_window(&d("14:00"), Some(&d("18:00")), &d("17:59"));
        if day == 12 {
            j.local(
                &d("19:00"),
                override_set("on", &d("20:00"), "sự kiện", "Sở TT&TT"),
            );
            j.open_window(&d("19:00"), None, &d("19:59"));
            j.local(&d("20:00"), override_ended("Sở TT&TT"));
            j.local(
                &d("20:00"),
                Event::Closed {
                    reason: "outside operating hours".into(),
                },
            );
        }
    }
    let failed = |t: &str, j: &mut Lines| {
        let reason = "không giải mã được / cannot decode".into();
        let stage = "catalog".into();
        let event = Event::ItemFailed {
            item: "hong.mp4".into(),
            kind: "video".into(),
            reason,
            stage,
        };
        j.local(t, event);
    };
    failed("2026-11-02 10:00:01", &mut j);
    failed("2026-11-02 10:05:01", &mut j);
    failed("2026-11-03 10:00:01", &mut j);
    j.local(
        "2026-11-03 10:00:02",
        Event::ContentAdded {
            item: "clip.km.mp4".into(),
        },
    );
    j.local(
        "2026-11-15 10:00:02",
        Event::ContentRemoved {
            item: "cu.vi.jpg".into(),
        },
    );
    j.local(
        "2026-11-25 07:00:01",
        Event::DisplayCommand {
            action: "on".into(),
            command: "xset dpms force on".into(),
            ok: false,
            error: Some("xset: unable to open display".into()),
        },
    );
    j.local(
        "2026-11-30 23:00",
        Event::AppStopped {
            reason: "maintenance".into(),
            restart: None,
        },
    );
    j.lines
        .sort_by_key(|l| l["time"].as_str().unwrap().to_owned());
    j
}

fn downtime(from: &str, to: &str, minutes: u64) -> Event {
    Event::Incident {
        kind: "downtime".into(),
        from: hcm(from).to_rfc3339_opts(SecondsFormat::Secs, true),
        to: hcm(to).to_rfc3339_opts(SecondsFormat::Secs, true),
        minutes_lost: minutes,
        cause: "power_loss_or_crash".into(),
    }
}

fn override_set(action: &str, until: &str, reason: &str, by: &str) -> Event {
    Event::OverrideSet {
        action: action.into(),
        until: Some(hcm(until).to_rfc3339_opts(SecondsFormat::Secs, true)),
        reason: reason.into(),
        by: by.into(),
        source: "control_file".into(),
        requested_by: None,
        issued: None,
        signer: None,
    }
}

fn override_ended(by: &str) -> Event {
    Event::OverrideEnded {
        how: "expired".into(),
        reason: String::new(),
        by: by.into(),
    }
}

/// The month as a journal file: one line each, and a line cut off by the power
/// cut on the 5th (the journal ends such a line before appending the next).
pub(crate) fn journal_text(lines: &Lines) -> String {
    let mut text = String::new();
    for line in &lines.lines {
        if line["event"] == "app_started"
            && line["local_time"]
                .as_str()
                .unwrap()
                .starts_with("2026-11-05")
        {
            text.push_str(
                "{\"v\":1,\"seq\":99999,\"kiosk\":\"tb-1\",\"time\":\"2026-11-05T02:00:5\n",
            );
        }
        text.push_str(&line.to_string());
        text.push('\n');
    }
    text
}
