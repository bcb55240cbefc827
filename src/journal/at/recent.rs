//! The overlay's look-back: a wall-clock time of the last 24 hours, and what
//! was on screen then.

use std::path::Path;

use chrono::{DateTime, LocalResult, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{OnScreen, on_screen_at};

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
