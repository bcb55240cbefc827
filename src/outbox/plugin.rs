//! Bevy glue for the outbox: screenshots of the panel at each opening,
//! closing and override and every `outbox.screenshot_minutes` while open,
//! and the journal's copy once a minute. The picture is taken with the
//! hooks' `capture_window`; shrinking, encoding and writing it, and copying
//! the journal, run as jobs off the render loop.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::ScreenshotCaptured;
use bevy::time::common_conditions::on_real_timer;
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::{JOURNAL_DIR, LATEST_SCREEN, MonthCopy, SCREENS_DIR, sync_months};
use crate::clock::Clock;
use crate::job::Job;
use crate::journal::plugin::Recorder;
use crate::overlay::Overlay;
use crate::player::Playback;
use crate::schedule::Override;
use crate::schedule::plugin::Operating;
use crate::screen_state::ScreenState;

/// The screenshot's width in the outbox (its height keeps the screen's shape).
pub const SCREEN_WIDTH: u32 = 640;
/// A screenshot larger than this is encoded again at a lower quality.
pub const MAX_SCREEN_BYTES: usize = 100_000;
/// JPEG qualities tried in turn until the picture fits.
const QUALITIES: [u8; 4] = [80, 65, 50, 35];
/// A shot waits this long (real time) after it is asked for: a crossfade
/// ends, the closed screen is black.
const SETTLE_SECS: f64 = 1.0;
/// While open, a shot waits until an item (or the fallback slide) has been
/// on screen this long: at start the GPU compiles the stage's shaders in
/// the background, and the first picture is drawn only once they are ready
/// (seen: still black 1 s after it was presented, under Xvfb).
const SHOWING_SECS: f64 = 3.0;
/// A shot while open waits for a picture at most this long.
const MAX_WAIT_SECS: f64 = 15.0;
/// Frames in a row without the overlay before a shot: the frame the
/// overlay closes in may still show it.
const FRAMES_WITHOUT_OVERLAY: u32 = 2;
/// A picture not back from the GPU by then is given up.
const CAPTURE_TIMEOUT_SECS: f64 = 5.0;
/// How often the journal's copy is brought up to date.
const JOURNAL_COPY_EVERY: Duration = Duration::from_secs(60);

/// What the outbox needs from the configuration.
#[derive(Resource, Debug, Clone)]
pub struct OutboxSettings {
    pub outbox_dir: PathBuf,
    pub journal_dir: PathBuf,
    /// Screenshot names and journal months are in this zone's local time.
    pub time_zone: Tz,
    /// A screenshot this often while open (kiosk clock); `None`: no screenshots.
    pub screenshot_every: Option<chrono::Duration>,
}

pub struct OutboxPlugin {
    pub settings: OutboxSettings,
}

/// What was sent, and the writes that failed (a warning each in the log).
#[derive(Resource, Debug, Default)]
pub struct OutboxStatus {
    pub failed_writes: u64,
    pub last_error: Option<String>,
    /// The last screenshot: its size in bytes and how long it took to
    /// shrink and encode.
    pub last_screen: Option<(usize, Duration)>,
}

impl OutboxStatus {
    fn failed(&mut self, error: String) {
        warn!("outbox: {error}");
        self.failed_writes += 1;
        self.last_error = Some(error);
    }
}

/// The screenshots' progress: asked for, taken, encoding.
#[derive(Resource, Default)]
struct ScreenShots {
    /// Asked for and not taken yet: since when (real seconds).
    due: Option<f64>,
    /// The next timed shot while open (kiosk clock).
    next_timed: Option<DateTime<Utc>>,
    frames_without_overlay: u32,
    /// Since when (real seconds) an item or the fallback slide is on screen.
    showing_since: Option<f64>,
    /// Taken, not back from the GPU yet: the kiosk time it was taken at
    /// (its name) and the real second it was asked for.
    capturing: Option<(NaiveDateTime, f64)>,
    /// Back from the GPU, for the encoder.
    captured: Option<Image>,
    encoding: Option<Job<Result<(usize, Duration), String>>>,
}

/// The journal's copy: what the last run left, the run in progress.
#[derive(Resource, Default)]
struct JournalCopy {
    last: Option<MonthCopy>,
    job: Option<Job<(MonthCopy, Vec<String>)>>,
}

impl Plugin for OutboxPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings.clone())
            .init_resource::<OutboxStatus>()
            .init_resource::<JournalCopy>()
            .add_systems(
                Update,
                (
                    start_journal_copy.run_if(run_once.or_eager(on_real_timer(JOURNAL_COPY_EVERY))),
                    finish_journal_copy,
                ),
            )
            .add_systems(
                Last,
                copy_journal_at_exit.after(crate::player::stop_on_exit),
            );
        if self.settings.screenshot_every.is_none() {
            return;
        }
        app.init_resource::<ScreenShots>()
            .add_systems(OnEnter(ScreenState::Open), ask_at_opening)
            .add_systems(OnEnter(ScreenState::Closed), ask_at_closing)
            .add_systems(
                Update,
                (
                    ask_at_override,
                    ask_when_timed.run_if(in_state(ScreenState::Open)),
                    finish_screenshots,
                ),
            )
            // Last: the overlay's state for this frame is settled.
            .add_systems(Last, take_due_screenshot);
    }
}

fn ask_at_opening(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<OutboxSettings>,
    mut shots: ResMut<ScreenShots>,
) {
    shots.due = Some(time.elapsed_secs_f64());
    shots.next_timed = settings.screenshot_every.map(|every| clock.now() + every);
}

fn ask_at_closing(time: Res<Time<Real>>, mut shots: ResMut<ScreenShots>) {
    shots.due = Some(time.elapsed_secs_f64());
    shots.next_timed = None;
}

/// An override set, cleared or ended asks for a shot, whether or not it
/// changes the screen's state.
fn ask_at_override(
    time: Res<Time<Real>>,
    operating: Option<Res<Operating>>,
    mut shots: ResMut<ScreenShots>,
    mut last: Local<Option<Option<Override>>>,
) {
    let active = operating.and_then(|o| o.active.clone());
    match &*last {
        Some(before) if *before == active => return,
        Some(_) => shots.due = Some(time.elapsed_secs_f64()),
        None => {}
    }
    *last = Some(active);
}

fn ask_when_timed(
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<OutboxSettings>,
    mut shots: ResMut<ScreenShots>,
) {
    let (Some(next), Some(every)) = (shots.next_timed, settings.screenshot_every) else {
        return;
    };
    let now = clock.now();
    if now >= next {
        shots.due = Some(time.elapsed_secs_f64());
        // From now: a clock that jumped does not ask for a burst.
        shots.next_timed = Some(now + every);
    }
}

/// Takes the shot asked for once the overlay has been closed for a few
/// frames (it must not be in the picture: while it is open, the shot
/// waits) and, at opening, once the first picture is on screen.
#[expect(
    clippy::too_many_arguments,
    reason = "a system: each parameter is a resource it reads"
)]
fn take_due_screenshot(
    mut commands: Commands,
    time: Res<Time<Real>>,
    clock: Res<Clock>,
    settings: Res<OutboxSettings>,
    state: Res<State<ScreenState>>,
    overlay: Option<Res<Overlay>>,
    playback: Option<Res<Playback>>,
    mut shots: ResMut<ScreenShots>,
) {
    let now = time.elapsed_secs_f64();
    if overlay.is_none_or(|o| o.is_closed()) {
        shots.frames_without_overlay = shots.frames_without_overlay.saturating_add(1);
    } else {
        shots.frames_without_overlay = 0;
    }
    let showing = playback.is_some_and(|p| p.current_item().is_some() || p.is_fallback());
    let since = shots.showing_since.unwrap_or(now);
    shots.showing_since = showing.then_some(since);
    let Some(due) = shots.due else {
        return;
    };
    let busy = shots.capturing.is_some() || shots.captured.is_some() || shots.encoding.is_some();
    let settled = |since: f64| now - since >= SETTLE_SECS;
    let picture_up = *state.get() != ScreenState::Open
        || shots
            .showing_since
            .is_some_and(|since| now - since >= SHOWING_SECS)
        || now - due >= MAX_WAIT_SECS;
    if busy || shots.frames_without_overlay < FRAMES_WITHOUT_OVERLAY || !settled(due) || !picture_up
    {
        return;
    }
    shots.due = None;
    let local = clock.now().with_timezone(&settings.time_zone).naive_local();
    shots.capturing = Some((local, now));
    crate::hooks::capture_window(
        &mut commands,
        |captured: On<ScreenshotCaptured>, mut shots: ResMut<ScreenShots>| {
            if shots.capturing.is_some() {
                shots.captured = Some(captured.image.clone());
            }
        },
    );
}

/// Hands a captured picture to the encoder, and takes the encoder's result.
fn finish_screenshots(
    time: Res<Time<Real>>,
    settings: Res<OutboxSettings>,
    mut shots: ResMut<ScreenShots>,
    mut status: ResMut<OutboxStatus>,
) {
    if let Some(image) = shots.captured.take()
        && let Some((local, _)) = shots.capturing.take()
    {
        let outbox = settings.outbox_dir.clone();
        shots.encoding = Some(Job::start_quietly("outbox-screen", move || {
            write_screen(image, &outbox, local)
        }));
    }
    if let Some((_, asked)) = shots.capturing
        && time.elapsed_secs_f64() - asked > CAPTURE_TIMEOUT_SECS
    {
        shots.capturing = None;
        status.failed(format!(
            "no screenshot back from the GPU within {CAPTURE_TIMEOUT_SECS} s"
        ));
    }
    let Some(result) = shots.encoding.as_mut().and_then(Job::try_finish) else {
        return;
    };
    shots.encoding = None;
    match result {
        Ok(Ok(figures)) => status.last_screen = Some(figures),
        Ok(Err(e)) => status.failed(e),
        Err(e) => status.failed(format!("screenshot: {e}")),
    }
}

/// Shrinks the picture to [`SCREEN_WIDTH`], encodes it as a JPEG under
/// [`MAX_SCREEN_BYTES`], and writes it (atomically) as `screens/NAME` and
/// `screen-latest.jpg`; then deletes the screenshots older than 24 h.
/// Returns the JPEG's size and the time shrinking and encoding took.
fn write_screen(
    image: Image,
    outbox: &Path,
    local: NaiveDateTime,
) -> Result<(usize, Duration), String> {
    let started = Instant::now();
    let picture = crate::hooks::rgb_picture(image).map_err(|e| format!("screenshot: {e}"))?;
    let jpeg = small_jpeg(&picture)?;
    let took = started.elapsed();
    let screens = outbox.join(SCREENS_DIR);
    let written = (|| {
        std::fs::create_dir_all(outbox)?;
        super::real_dir(&screens)?;
        crate::durable::write_atomically(&screens.join(super::screen_name(local)), &jpeg)?;
        crate::durable::write_atomically(&outbox.join(LATEST_SCREEN), &jpeg)?;
        super::remove_expired_screens(&screens, local)
    })();
    written.map_err(|e| format!("screenshot into {}: {e}", screens.display()))?;
    Ok((jpeg.len(), took))
}

/// `picture` [`SCREEN_WIDTH`] wide as a JPEG of at most [`MAX_SCREEN_BYTES`].
pub fn small_jpeg(picture: &image::RgbImage) -> Result<Vec<u8>, String> {
    use image::codecs::jpeg::JpegEncoder;
    use image::imageops::{FilterType, resize};
    let (width, height) = picture.dimensions();
    let scaled = (u64::from(height) * u64::from(SCREEN_WIDTH) / u64::from(width.max(1))).max(1);
    let small = resize(
        picture,
        SCREEN_WIDTH,
        u32::try_from(scaled).map_err(|_| "screenshot: a window of absurd shape")?,
        FilterType::Triangle,
    );
    let mut jpeg = Vec::new();
    for quality in QUALITIES {
        jpeg.clear();
        JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode_image(&small)
            .map_err(|e| format!("screenshot: {e}"))?;
        if jpeg.len() <= MAX_SCREEN_BYTES {
            return Ok(jpeg);
        }
    }
    Err(format!(
        "screenshot: {} bytes even at JPEG quality {}",
        jpeg.len(),
        QUALITIES[QUALITIES.len() - 1]
    ))
}

fn month_now(clock: &Clock, settings: &OutboxSettings) -> String {
    crate::journal::month_at(clock.now(), settings.time_zone)
}

fn start_journal_copy(
    clock: Res<Clock>,
    settings: Res<OutboxSettings>,
    mut copy: ResMut<JournalCopy>,
) {
    if copy.job.is_some() {
        return;
    }
    let month = month_now(&clock, &settings);
    let last = copy.last.take();
    let (journal, copies) = (
        settings.journal_dir.clone(),
        settings.outbox_dir.join(JOURNAL_DIR),
    );
    copy.job = Some(Job::start_quietly("outbox-journal", move || {
        sync_months(&journal, &copies, &month, last)
    }));
}

fn finish_journal_copy(mut copy: ResMut<JournalCopy>, mut status: ResMut<OutboxStatus>) {
    let Some(result) = copy.job.as_mut().and_then(Job::try_finish) else {
        return;
    };
    copy.job = None;
    match result {
        Ok((last, errors)) => {
            copy.last = Some(last);
            for e in errors {
                status.failed(e);
            }
        }
        Err(e) => status.failed(format!("journal copy: {e}")),
    }
}

/// At exit, once the last lines (`app_stopped`) are on disk, the copy is
/// brought up to date one last time (on this thread: the loop is ending).
fn copy_journal_at_exit(
    mut exits: MessageReader<AppExit>,
    clock: Res<Clock>,
    settings: Res<OutboxSettings>,
    mut copy: ResMut<JournalCopy>,
    recorder: Option<ResMut<Recorder>>,
) {
    if exits.read().next().is_none() {
        return;
    }
    if let Some(mut recorder) = recorder {
        recorder.flush();
    }
    let mut last = copy.last.take();
    if let Some(job) = copy.job.as_mut() {
        // One writer of the copy at a time: the run in progress ends first.
        let deadline = Instant::now() + Duration::from_secs(10);
        while job.is_running() && Instant::now() < deadline {
            match job.try_finish() {
                Some(Ok((state, _))) => last = Some(state),
                Some(Err(_)) => {}
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
        if job.is_running() {
            warn!("outbox: the journal copy still runs at exit; not copied again");
            return;
        }
    }
    copy.job = None;
    let month = month_now(&clock, &settings);
    let copies = settings.outbox_dir.join(JOURNAL_DIR);
    let (state, errors) = sync_months(&settings.journal_dir, &copies, &month, last);
    copy.last = Some(state);
    for e in errors {
        warn!("outbox: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_720p_screen_becomes_a_small_jpeg_640_wide() {
        // Noise is the worst case for JPEG: still under the cap.
        let mut seed = 1u32;
        let picture = image::RgbImage::from_fn(1280, 720, |_, _| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let [r, g, b, _] = seed.to_le_bytes();
            image::Rgb([r, g, b])
        });
        let started = Instant::now();
        let jpeg = small_jpeg(&picture).unwrap();
        eprintln!("noise: {} bytes in {:?}", jpeg.len(), started.elapsed());
        assert!(jpeg.len() <= MAX_SCREEN_BYTES, "{}", jpeg.len());
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (640, 360));
    }
}
