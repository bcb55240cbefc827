//! Downtime: operating time lost between the last sign of life in the journal and a restart.
//!
//! At start-up, before it writes `app_started`, the player asks [`last_alive`] for
//! the last line of the journal and [`LastAlive::downtime_until`] whether the
//! silence since then cost operating time. Only the part of the gap inside the
//! schedule's open intervals counts: a kiosk switched off at night lost nothing.
//! A restart the player asked for itself (to apply a changed config) is no
//! downtime when it was back within [`SELF_RESTART_GRACE`].

use std::path::Path;

use chrono::{DateTime, Days, Duration, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use super::read::last_line_where;
use super::{Event, files_by_month};
use crate::schedule::OperatingSchedule;

/// The probable cause of a gap, told apart by whether `app_stopped` was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The last line was not `app_stopped`: power cut, crash or hang.
    PowerLossOrCrash,
    /// The player stopped cleanly (`app_stopped`) and was not started again in time.
    Shutdown,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::PowerLossOrCrash => "power_loss_or_crash",
            Cause::Shutdown => "shutdown",
        }
    }
}

/// A gap that cost operating time: a `downtime` incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// The last sign of life (a heartbeat or any other line).
    pub from: DateTime<Utc>,
    /// When the player was running again.
    pub to: DateTime<Utc>,
    /// Operating minutes inside the gap, a started minute counting as one.
    pub minutes_lost: u64,
    pub cause: Cause,
}

impl Incident {
    /// The `kind` of its journal line.
    pub const KIND: &str = "downtime";

    /// The journal line that records it.
    pub fn to_event(&self) -> Event {
        Event::Incident {
            kind: Self::KIND.into(),
            from: self.from.to_rfc3339_opts(SecondsFormat::Secs, true),
            to: self.to.to_rfc3339_opts(SecondsFormat::Secs, true),
            minutes_lost: self.minutes_lost,
            cause: self.cause.as_str().into(),
        }
    }
}

/// The longest silence taken for downtime. A last line dated further back is no
/// sign of life but a damaged date (a flipped digit in the year) or a clock that
/// was wrong when it was written; it is longer than any report period, too.
pub const MAX_DOWNTIME: Duration = Duration::days(366);

/// How long a restart the player asked for itself may take before its gap
/// counts as downtime. It takes a second or two; a longer gap means something
/// went wrong on the way (the new process failed and systemd started it again,
/// or the power went), and the whole gap is then lost time.
pub const SELF_RESTART_GRACE: Duration = Duration::seconds(60);

/// The operating time lost between `last_alive` and `now`, as an incident, or
/// `None` when the gap lies wholly outside the open intervals, when `now` is not
/// after `last_alive` (e.g. the clock was set back) or when the gap is longer
/// than [`MAX_DOWNTIME`].
pub fn downtime_since(
    last_alive: DateTime<Utc>,
    clean_stop: bool,
    now: DateTime<Utc>,
    schedule: &OperatingSchedule,
) -> Option<Incident> {
    if now - last_alive > MAX_DOWNTIME {
        return None;
    }
    let lost = operating_time_between(schedule, last_alive, now);
    if lost <= Duration::zero() {
        return None;
    }
    let ms = u64::try_from(lost.num_milliseconds()).unwrap_or(u64::MAX);
    Some(Incident {
        from: last_alive,
        to: now,
        minutes_lost: ms.div_ceil(60_000),
        cause: if clean_stop {
            Cause::Shutdown
        } else {
            Cause::PowerLossOrCrash
        },
    })
}

/// How much of `from..to` lies inside the schedule's open intervals (date
/// exceptions included; overrides are not considered).
pub fn operating_time_between(
    schedule: &OperatingSchedule,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Duration {
    if to <= from {
        return Duration::zero();
    }
    let tz = schedule.timezone();
    // A day early: in odd zones a window of the previous local date may reach past `from`.
    let Some(mut date) = from
        .with_timezone(&tz)
        .date_naive()
        .checked_sub_days(Days::new(1))
    else {
        return Duration::zero();
    };
    let last = to.with_timezone(&tz).date_naive();
    let mut total = Duration::zero();
    while date <= last {
        for interval in schedule.day_plan(date).intervals {
            let start = interval.utc_start.max(from);
            let end = interval.utc_end.min(to);
            if end > start {
                total += end - start;
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    total
}

/// The last readable line of the journal: when, and whether it was `app_stopped`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastAlive {
    pub time: DateTime<Utc>,
    /// The last line was `app_stopped`: the player stopped cleanly.
    pub clean_stop: bool,
    /// The event name of that line (`heartbeat`, `play_ended`, …).
    pub event: String,
    /// Why the player stopped to start again at once (`app_stopped`'s
    /// `restart`, e.g. `config_changed`); `None` for any other line.
    pub restart: Option<String>,
}

impl LastAlive {
    /// The operating time lost between this line and a start at `now` (see
    /// [`downtime_since`]); none after a restart the player asked for itself
    /// when it was running again within [`SELF_RESTART_GRACE`].
    pub fn downtime_until(
        &self,
        now: DateTime<Utc>,
        schedule: &OperatingSchedule,
    ) -> Option<Incident> {
        if self.restart.is_some() && now - self.time <= SELF_RESTART_GRACE {
            return None;
        }
        downtime_since(self.time, self.clean_stop, now, schedule)
    }
}

/// Finds the last readable line in the newest journal file that has one and
/// is not dated after `month` (the clock's local month: a file dated later
/// was written while the clock was wrong), reading only the tail of the file
/// (a month of journal can be tens of MB). A line cut off by a power failure
/// is passed over. `None` for an empty journal.
pub fn last_alive(journal_dir: &Path, month: &str) -> Option<LastAlive> {
    files_by_month(journal_dir, month)
        .0
        .iter()
        .rev()
        .find_map(|path| last_line_where(path, parse_alive).ok().flatten())
}

fn parse_alive(line: &[u8]) -> Option<LastAlive> {
    let value: Value = serde_json::from_slice(line).ok()?;
    let time = DateTime::parse_from_rfc3339(value["time"].as_str()?).ok()?;
    let event = value["event"].as_str().unwrap_or_default().to_owned();
    let clean_stop = event == "app_stopped";
    let restart = value["restart"]
        .as_str()
        .filter(|_| clean_stop)
        .map(str::to_owned);
    Some(LastAlive {
        time: time.to_utc(),
        clean_stop,
        event,
        restart,
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::{HCM, hcm, schedule};
    use std::io::Write;

    use super::*;
    use crate::journal::Journal;
    use crate::schedule::ScheduleConfig;

    /// Minutes lost between two wall-clock times under the legal hours (with
    /// Tết 2027 closed), or `None`.
    fn lost(from: &str, to: &str) -> Option<u64> {
        let kiosk = schedule("exceptions: [{date: 2027-02-16, windows: [], note: Tết}]");
        downtime_since(hcm(from), false, hcm(to), &kiosk).map(|i| i.minutes_lost)
    }

    #[test]
    fn only_time_inside_the_open_intervals_is_lost() {
        let cases = [
            ("2026-11-28 10:00", "2026-11-28 10:30", Some(30)),
            ("2026-11-28 19:00", "2026-11-29 06:00", None), // the night
            ("2026-11-28 11:00", "2026-11-28 14:00", None), // lunch
            ("2026-11-28 10:00", "2026-11-28 09:00", None), // clock set back
            ("2027-02-16 06:00", "2027-02-16 20:00", None), // Tết: closed all day
            // 10:40-11:00, 14:00-18:00, then 07:00-11:00 and 14:00-14:20 next day.
            (
                "2026-11-28 10:40",
                "2026-11-29 14:20",
                Some(20 + 240 + 240 + 20),
            ),
        ];
        for (from, to, minutes) in cases {
            assert_eq!(lost(from, to), minutes, "{from} to {to}");
        }
    }

    #[test]
    fn the_incident_line_says_when_how_long_and_why() {
        let kiosk = OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap();
        let (from, to) = (hcm("2026-11-28 10:00"), hcm("2026-11-28 10:30"));
        let crash = downtime_since(from, false, to, &kiosk).unwrap();
        let line = serde_json::to_value(crash.to_event()).unwrap();
        let expected = serde_json::json!({
            "event": "incident", "kind": "downtime", "from": "2026-11-28T03:00:00Z",
            "to": "2026-11-28T03:30:00Z", "minutes_lost": 30, "cause": "power_loss_or_crash",
        });
        assert_eq!(line, expected);
        let stop = downtime_since(from, true, to, &kiosk).unwrap();
        assert_eq!(stop.cause, Cause::Shutdown);
        // A started minute counts: 30 seconds lost is one minute.
        let short = downtime_since(from, false, from + Duration::seconds(30), &kiosk);
        assert_eq!(short.unwrap().minutes_lost, 1);
    }

    #[test]
    fn a_last_line_dated_centuries_ago_is_no_downtime() {
        // Found with the journal fuzz target (fuzz/corpus/journal/damaged-year.jsonl):
        // a flipped digit in the year of the last line (0026 for 2026) was journaled
        // as 667 years of downtime, after a walk through 730,000 days of schedule.
        let kiosk = OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap();
        let now = hcm("2026-11-28 10:00");
        let damaged: DateTime<Utc> = "0026-11-28T03:00:00Z".parse().unwrap();
        assert_eq!(downtime_since(damaged, false, now, &kiosk), None);
        // A long silence that can be true still counts: 300 days of 8 open hours.
        let months = downtime_since(now - Duration::days(300), false, now, &kiosk);
        assert_eq!(months.unwrap().minutes_lost, 300 * 8 * 60);
    }

    #[test]
    fn a_restart_the_player_asked_for_is_no_downtime_unless_it_took_long() {
        let kiosk = OperatingSchedule::from_config(&ScheduleConfig::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        let stopped = hcm("2026-11-28 08:52");
        let stop = |restart: Option<&str>| Event::AppStopped {
            reason: "restart requested".into(),
            restart: restart.map(Into::into),
        };
        journal
            .append(stopped, &stop(Some("config_changed")))
            .unwrap();
        let last = last_alive(dir.path(), "2026-11").unwrap();
        assert_eq!(last.restart.as_deref(), Some("config_changed"));
        // Back a second later: no incident (it was one before, a minute lost).
        let back = stopped + Duration::seconds(1);
        assert_eq!(last.downtime_until(back, &kiosk), None);
        assert_eq!(
            last.downtime_until(stopped + SELF_RESTART_GRACE, &kiosk),
            None
        );
        // Back five minutes later: the restart went wrong, the whole gap is lost.
        let late = last.downtime_until(stopped + Duration::minutes(5), &kiosk);
        let late = late.expect("a slow restart is downtime");
        assert_eq!((late.minutes_lost, late.cause), (5, Cause::Shutdown));

        // Any other stop, and an `app_stopped` of an older version (no
        // `restart`), keep their second-long gap as downtime.
        journal.append(back, &stop(None)).unwrap();
        let last = last_alive(dir.path(), "2026-11").unwrap();
        assert_eq!(last.restart, None);
        let gap = last.downtime_until(back + Duration::seconds(1), &kiosk);
        assert_eq!(gap.map(|i| i.minutes_lost), Some(1));
    }

    #[test]
    fn last_alive_reads_the_newest_line_and_tells_a_clean_stop() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(last_alive(dir.path(), "2027-01"), None);
        let mut journal = Journal::open(dir.path(), "k", HCM).unwrap();
        let mut append = |at: &str, event: Event| journal.append(hcm(at), &event).unwrap();
        append(
            "2026-11-30 10:00",
            Event::AppStarted {
                version: "1".into(),
            },
        );
        append(
            "2026-11-30 10:01",
            Event::Heartbeat {
                screen: "open".into(),
            },
        );
        let alive = last_alive(dir.path(), "2027-01").unwrap();
        assert_eq!(
            (alive.time, alive.clean_stop),
            (hcm("2026-11-30 10:01"), false)
        );
        assert_eq!(alive.event, "heartbeat");

        // Next month's file (from local midnight) holds the newer line: a clean stop.
        append(
            "2026-12-01 00:10",
            Event::AppStopped {
                reason: "reboot".into(),
                restart: None,
            },
        );
        let alive = last_alive(dir.path(), "2027-01").unwrap();
        assert_eq!(
            (alive.time, alive.clean_stop),
            (hcm("2026-12-01 00:10"), true)
        );

        // A line cut off by a power failure is passed over.
        let path = dir.path().join("2026-12.jsonl");
        let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        file.write_all(br#"{"v":1,"seq":9,"kiosk":"k","time":"2026-12-01T0"#)
            .unwrap();
        assert_eq!(
            last_alive(dir.path(), "2027-01").unwrap().time,
            hcm("2026-12-01 00:10")
        );

        // A newer file with 200 KB and no readable line: the one before holds the answer.
        std::fs::write(dir.path().join("2027-01.jsonl"), vec![b'x'; 200 * 1024]).unwrap();
        assert_eq!(
            last_alive(dir.path(), "2027-01").unwrap().time,
            hcm("2026-12-01 00:10")
        );
    }
}
