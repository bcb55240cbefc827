//! Wakes the player's main loop from another thread: a decoded video
//! frame, a finished job or a new catalog is shown at once even while the
//! loop sleeps between frames (see `pacing`). Plain `std`, so the threads
//! that call it need nothing of Bevy.

use std::sync::OnceLock;

type Waker = Box<dyn Fn() + Send + Sync>;

static WAKER: OnceLock<Waker> = OnceLock::new();

/// Sets what [`wake`] does, once per process (the window's event loop).
pub fn install(waker: impl Fn() + Send + Sync + 'static) {
    // A second install (a second app in one process) keeps the first.
    let _ = WAKER.set(Box::new(waker));
}

/// Asks the main loop for an update now; nothing before [`install`] (tests
/// without a window, the command line).
pub fn wake() {
    if let Some(waker) = WAKER.get() {
        waker();
    }
}

/// Calls [`wake`] when dropped: at the end of a thread's work, even one
/// that panicked.
pub struct WakeOnDrop;

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        wake();
    }
}
