//! The journal's own thread: it owns the [`Journal`] file and does the
//! append and `fsync` of each line, so that whoever records an event (the
//! render loop) never waits on the disk. Lines reach it through a bounded
//! queue, in the order they were recorded; the sequence numbers are given
//! here, one by one, so they stay continuous. Dropping the writer drains the
//! queue and joins the thread: every line sent is on disk when it returns.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};

use super::{Event, Journal};

/// Lines waiting for the disk. At ~4 ms a synced line on a slow card this is
/// a few seconds of writing; what does not fit waits with the sender.
pub const QUEUE_LINES: usize = 1024;

/// One event stamped with the kiosk clock when it happened.
pub type Stamped = (DateTime<Utc>, Event);

enum Message {
    Line(Stamped),
    /// Answered once every line sent before it is written.
    Flush(mpsc::Sender<()>),
    /// Holds the thread until the other end is dropped: lets a test fill the
    /// queue while nothing empties it.
    #[cfg(test)]
    Hold(Receiver<()>),
}

/// The sending end of the journal thread.
pub struct JournalWriter {
    queue: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl JournalWriter {
    /// Starts the thread that writes into `journal`.
    pub fn spawn(journal: Journal) -> Self {
        Self::with_queue(journal, QUEUE_LINES)
    }

    fn with_queue(mut journal: Journal, lines: usize) -> Self {
        let (queue, lines) = mpsc::sync_channel(lines);
        let thread = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || write_lines(&mut journal, &lines))
            .expect("a thread can be started");
        Self {
            queue: Some(queue),
            thread: Some(thread),
        }
    }

    /// Queues a line without waiting; gives it back when the queue is full
    /// (or the thread is gone).
    #[expect(
        clippy::result_large_err,
        reason = "the line itself comes back, to be sent again; boxing it would allocate for every line"
    )]
    pub fn try_send(&self, line: Stamped) -> Result<(), Stamped> {
        let Some(queue) = &self.queue else {
            return Err(line);
        };
        queue.try_send(Message::Line(line)).map_err(|e| match e {
            TrySendError::Full(Message::Line(line))
            | TrySendError::Disconnected(Message::Line(line)) => line,
            _ => unreachable!("a line was sent"),
        })
    }

    /// Queues a line, waiting for room: for the end of a run, when waiting
    /// is what is wanted.
    pub fn send(&self, line: Stamped) {
        if let Some(queue) = &self.queue {
            let _ = queue.send(Message::Line(line));
        }
    }

    /// Waits until every line sent so far is on disk.
    pub fn flush(&self) {
        let Some(queue) = &self.queue else {
            return;
        };
        let (done, written) = mpsc::channel();
        if queue.send(Message::Flush(done)).is_ok() {
            let _ = written.recv();
        }
    }

    /// Holds the thread until the returned sender is dropped.
    #[cfg(test)]
    pub(crate) fn hold(&self) -> mpsc::Sender<()> {
        let (release, held) = mpsc::channel();
        self.queue
            .as_ref()
            .unwrap()
            .send(Message::Hold(held))
            .unwrap();
        release
    }
}

impl Drop for JournalWriter {
    /// Drains the queue: the thread ends once it has written every line.
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the journal thread panicked; lines may be missing");
        }
    }
}

fn write_lines(journal: &mut Journal, lines: &Receiver<Message>) {
    for message in lines {
        match message {
            Message::Line((now, event)) => {
                if let Err(e) = journal.append(now, &event) {
                    tracing::error!("{e}");
                }
            }
            Message::Flush(done) => {
                let _ = done.send(());
            }
            #[cfg(test)]
            Message::Hold(held) => {
                let _ = held.recv();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{month_files, read_file};
    use chrono::TimeZone;

    fn heartbeat(n: u32) -> Stamped {
        (
            Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap()
                + chrono::Duration::seconds(n.into()),
            Event::Heartbeat {
                screen: format!("open {n}"),
            },
        )
    }

    fn lines(dir: &std::path::Path) -> Vec<serde_json::Value> {
        month_files(dir)
            .iter()
            .flat_map(|f| read_file(f).records)
            .collect()
    }

    fn open(dir: &std::path::Path) -> Journal {
        Journal::open(dir, "k", chrono_tz::Asia::Ho_Chi_Minh).unwrap()
    }

    #[test]
    fn lines_are_written_in_order_with_continuous_seq_and_all_on_disk_after_drop() {
        let dir = tempfile::tempdir().unwrap();
        let writer = JournalWriter::with_queue(open(dir.path()), 4);
        for n in 0..100 {
            writer.send(heartbeat(n));
        }
        drop(writer);
        let written = lines(dir.path());
        assert_eq!(written.len(), 100, "drained at drop");
        for (n, line) in written.iter().enumerate() {
            assert_eq!(line["seq"], n as u64 + 1);
            assert_eq!(line["screen"], format!("open {n}"));
        }
        // The next run continues the sequence.
        let writer = JournalWriter::spawn(open(dir.path()));
        writer.send(heartbeat(100));
        writer.flush();
        assert_eq!(lines(dir.path()).last().unwrap()["seq"], 101, "flushed");
        // Each line's `prev` is the line before it, across the restart.
        drop(writer);
        let chain = crate::journal::chain::verify_month(dir.path(), "2026-11", None).unwrap();
        assert!(chain.is_intact() && chain.lines == 101, "{chain}");
    }

    #[test]
    fn a_full_queue_gives_the_line_back_at_once_and_loses_nothing_sent() {
        let dir = tempfile::tempdir().unwrap();
        let writer = JournalWriter::with_queue(open(dir.path()), 3);
        let release = writer.hold();
        // The thread may not have taken the hold yet: fill until refused.
        let mut queued = 0;
        let refused = loop {
            match writer.try_send(heartbeat(queued)) {
                Ok(()) => queued += 1,
                Err(line) => break line,
            }
            assert!(queued <= 4, "the queue is bounded");
        };
        assert_eq!(
            refused,
            heartbeat(queued),
            "the refused line comes back whole"
        );
        assert!(lines(dir.path()).is_empty(), "nothing written while held");
        drop(release);
        drop(writer);
        assert_eq!(lines(dir.path()).len(), queued as usize);
    }
}
