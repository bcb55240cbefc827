//! Bevy glue for the journal: the `Recorder` resource, the `Record` system
//! parameter that stamps events with the kiosk clock, the start-up record
//! (with the downtime since the last run) and the heartbeat.

use std::collections::VecDeque;
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::writer::{JournalWriter, Stamped};
use super::{Event, Incident, Journal};
use crate::clock::Clock;
use crate::screen_state::ScreenState;

/// How often a heartbeat line is written (real time): every minute on a
/// kiosk, so that a power cut is dated to within a minute. Tests shorten it
/// with `--heartbeat-seconds`.
#[derive(Resource, Debug, Clone, Copy)]
pub struct HeartbeatInterval(pub Duration);

impl Default for HeartbeatInterval {
    fn default() -> Self {
        Self(Duration::from_secs(60))
    }
}

/// Operating time lost before this start (computed before anything is
/// written, from the journal's last line).
#[derive(Resource, Default)]
pub struct StartupGap(pub Option<Incident>);

pub fn plugin(app: &mut App) {
    catch_sigterm();
    app.init_resource::<StartupGap>()
        .init_resource::<HeartbeatInterval>()
        .add_systems(Startup, record_start)
        .add_systems(First, (send_waiting_lines, exit_on_sigterm))
        .add_systems(Update, write_heartbeat.run_if(heartbeat_due));
}

/// Set by the SIGTERM handler.
static TERMINATED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigterm(_: libc::c_int) {
    TERMINATED.store(true, Ordering::Relaxed);
    // A second SIGTERM (the loop is stuck and cannot exit) ends the process.
    // SAFETY: `signal` is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, libc::SIG_DFL);
    }
}

/// systemd stops the player with SIGTERM: the player then exits as it does
/// from the overlay's Quit (the item on screen journaled as stopped,
/// `app_stopped`, and the journal drained) instead of dying mid-line.
fn catch_sigterm() {
    let handler: extern "C" fn(libc::c_int) = on_sigterm;
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

fn exit_on_sigterm(mut exit: MessageWriter<AppExit>, mut asked: Local<bool>) {
    if !*asked && TERMINATED.load(Ordering::Relaxed) {
        *asked = true;
        info!("SIGTERM: stopping");
        exit.write(AppExit::Success);
    }
}

fn record_start(mut record: Record, gap: Res<StartupGap>) {
    if let Some(incident) = &gap.0 {
        warn!(
            "{} minutes of operating time lost since {} ({})",
            incident.minutes_lost,
            incident.from,
            incident.cause.as_str()
        );
        record.event(incident.to_event());
    }
    record.event(Event::AppStarted {
        version: env!("CARGO_PKG_VERSION").into(),
    });
}

/// Run condition: true every [`HeartbeatInterval`] of real time, the first
/// time one interval after the start. `on_real_timer`, with the interval
/// read from its resource.
fn heartbeat_due(
    time: Res<Time<Real>>,
    interval: Res<HeartbeatInterval>,
    mut timer: Local<Timer>,
) -> bool {
    if timer.duration() != interval.0 {
        *timer = Timer::new(interval.0, TimerMode::Repeating);
    }
    timer.tick(time.delta());
    timer.just_finished()
}

fn write_heartbeat(state: Res<State<ScreenState>>, mut record: Record) {
    record.event(Event::Heartbeat {
        screen: state.get().name().into(),
    });
}

/// Lines waiting in the resource when the writer's queue is full, at most:
/// beyond this (the disk has stopped for minutes) new lines are counted and
/// dropped, and a `journal_overflow` line says how many once there is room.
const MAX_WAITING: usize = 10_000;

/// The journal as the app sees it: the sending end of the journal thread
/// ([`JournalWriter`]), and the lines its queue had no room for, sent again
/// at the next frame in their order. `None` writer when the journal could
/// not be opened (the error was logged; the kiosk keeps playing rather than
/// going dark over a full disk).
#[derive(Resource, Default)]
pub struct Recorder {
    writer: Option<JournalWriter>,
    waiting: VecDeque<Stamped>,
    dropped: u64,
    /// When the last line was recorded (dates a `journal_overflow` line
    /// written at exit).
    last_time: Option<DateTime<Utc>>,
    /// Wait for each line to be on disk (tests that read the journal
    /// between frames).
    synchronous: bool,
}

impl Recorder {
    /// Writes into `journal` from a thread of its own.
    pub fn new(journal: Journal) -> Self {
        Self::writing_to(journal, false)
    }

    /// Like [`new`](Self::new), but each line is on disk when
    /// [`Record::event`] returns: for tests that read the journal file
    /// between frames.
    pub fn synchronous(journal: Journal) -> Self {
        Self::writing_to(journal, true)
    }

    fn writing_to(journal: Journal, synchronous: bool) -> Self {
        Self {
            writer: Some(JournalWriter::spawn(journal)),
            waiting: VecDeque::new(),
            dropped: 0,
            last_time: None,
            synchronous,
        }
    }

    fn send(&mut self, line: Stamped) {
        self.last_time = Some(line.0);
        let Some(writer) = &self.writer else {
            return;
        };
        if self.waiting.is_empty() {
            match writer.try_send(line) {
                Ok(()) => {}
                Err(line) => self.waiting.push_back(line),
            }
        } else if self.waiting.len() < MAX_WAITING {
            self.waiting.push_back(line);
        } else {
            self.dropped += 1;
        }
        if self.synchronous {
            self.flush();
        }
    }

    /// Hands the waiting lines to the writer as far as its queue has room;
    /// once all are handed over, says how many were dropped, if any.
    fn send_waiting(&mut self, now: DateTime<Utc>) {
        let Some(writer) = &self.writer else {
            return;
        };
        while let Some(line) = self.waiting.pop_front() {
            if let Err(line) = writer.try_send(line) {
                self.waiting.push_front(line);
                return;
            }
        }
        if self.dropped > 0 {
            let overflow = Event::JournalOverflow {
                dropped: self.dropped,
            };
            if writer.try_send((now, overflow)).is_ok() {
                error!("the disk was too slow: {} journal lines lost", self.dropped);
                self.dropped = 0;
            }
        }
    }

    /// Waits until every line recorded so far is on disk.
    pub fn flush(&mut self) {
        let Some(writer) = &self.writer else {
            return;
        };
        for line in self.waiting.drain(..) {
            writer.send(line);
        }
        writer.flush();
    }
}

impl Drop for Recorder {
    /// The end of the run: the waiting lines are written, then the writer
    /// drains its queue and its thread ends.
    fn drop(&mut self) {
        if let Some(writer) = &self.writer {
            for line in self.waiting.drain(..) {
                writer.send(line);
            }
            if let Some(now) = self.last_time
                && self.dropped > 0
            {
                writer.send((
                    now,
                    Event::JournalOverflow {
                        dropped: self.dropped,
                    },
                ));
            }
        }
    }
}

/// Sends the lines the queue had no room for at the last frame.
fn send_waiting_lines(mut recorder: ResMut<Recorder>, clock: Res<Clock>) {
    if !recorder.waiting.is_empty() || recorder.dropped > 0 {
        recorder.send_waiting(clock.now());
    }
}

/// Writes journal events stamped with the kiosk [`Clock`].
#[derive(SystemParam)]
pub struct Record<'w> {
    recorder: ResMut<'w, Recorder>,
    clock: Res<'w, Clock>,
}

impl Record<'_> {
    /// Queues `event` for the journal thread; never waits on the disk.
    pub fn event(&mut self, event: Event) {
        let now = self.clock.now();
        self.recorder.send((now, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::writer::QUEUE_LINES;
    use crate::journal::{month_files, read_file};
    use bevy::ecs::system::RunSystemOnce;
    use chrono::TimeZone;

    #[test]
    fn a_stalled_disk_never_blocks_the_frame_and_no_line_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path(), "test", chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        let mut app = App::new();
        app.insert_resource(Clock::starting_at(
            Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap(),
            1.0,
        ))
        .insert_resource(Recorder::new(journal));
        // The disk stalls: the writer takes nothing from its queue.
        let release = app
            .world()
            .resource::<Recorder>()
            .writer
            .as_ref()
            .unwrap()
            .hold();
        let lines = QUEUE_LINES + 500;
        app.world_mut()
            .run_system_once(move |mut record: Record| {
                for n in 0..lines {
                    record.event(Event::Heartbeat {
                        screen: n.to_string(),
                    });
                }
            })
            .unwrap();
        let waiting = app.world().resource::<Recorder>().waiting.len();
        assert!(waiting >= 500, "{waiting} lines wait in the resource");
        // The disk is back: the waiting lines go out at the next frames.
        drop(release);
        app.world_mut().run_system_once(send_waiting_lines).unwrap();
        drop(app);
        let written: Vec<_> = month_files(dir.path())
            .iter()
            .flat_map(|f| read_file(f).records)
            .collect();
        assert_eq!(written.len(), lines, "all on disk once the app is gone");
        for (n, line) in written.iter().enumerate() {
            assert_eq!(line["seq"], n as u64 + 1);
            assert_eq!(line["screen"], n.to_string(), "in the order recorded");
        }
    }
}
