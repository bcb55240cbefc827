//! Background work the render loop polls and never waits on: one thread per
//! job, its result taken once it is finished. The one way the player runs
//! slow work (decoding a picture, a self-test, a backup, a power command).

use std::thread::JoinHandle;

/// Work running on its own thread, yielding a `T` once.
pub struct Job<T>(Option<Result<JoinHandle<T>, JobFailed>>);

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread named `name` (as `top` and the logs show
    /// it). A thread that cannot start is the job's failure, taken like a
    /// result. The loop may sleep between frames: the job wakes it when it
    /// ends, so its result is taken at once (for what the screen waits on).
    pub fn start(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::spawn(name, move || {
            let _wake = crate::wake::WakeOnDrop;
            work()
        })
    }

    /// Like [`start`](Self::start), for work nothing on screen waits on (a
    /// folder polled every few seconds, a status file): the result is taken
    /// at the next frame, at most a second later, and costs no frame of its
    /// own.
    pub fn start_quietly(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::spawn(name, work)
    }

    fn spawn(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Self {
        let handle = std::thread::Builder::new()
            .name(name.into())
            .spawn(work)
            .map_err(|_| JobFailed);
        Self(Some(handle))
    }

    /// Whether the job was started and its result not yet taken.
    pub fn is_running(&self) -> bool {
        self.0.is_some()
    }

    /// `None` while the work runs (or once its result was taken);
    /// `Some(Err(..))` when the thread could not start or panicked.
    pub fn try_finish(&mut self) -> Option<Result<T, JobFailed>> {
        if let Some(Ok(handle)) = &self.0
            && !handle.is_finished()
        {
            return None;
        }
        match self.0.take()? {
            Ok(handle) => Some(handle.join().map_err(|_| JobFailed)),
            Err(failed) => Some(Err(failed)),
        }
    }
}

/// A job whose thread panicked (a bug, reported as the job's failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the background job could not start or crashed")]
pub struct JobFailed;

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T: Send + 'static>(job: &mut Job<T>) -> Result<T, JobFailed> {
        loop {
            if let Some(result) = job.try_finish() {
                return result;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn a_job_yields_its_result_once() {
        let mut job = Job::start("test", || 6 * 7);
        assert!(job.is_running());
        assert_eq!(wait(&mut job), Ok(42));
        assert!(!job.is_running());
        assert_eq!(job.try_finish(), None);
    }

    #[test]
    fn a_panicking_job_is_a_failure_not_a_crash() {
        let mut job: Job<u32> = Job::start("test", || panic!("bug"));
        assert_eq!(wait(&mut job), Err(JobFailed));
    }
}
