//! `infokiosk at TIME`: what was on screen at an instant and why, from the
//! journal: the screen state and its reason, the item with its language,
//! file and SHA-256, and where its archived copy is; or that the player was
//! not running. How a complaint is answered with evidence.

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use infokiosk::journal::at::on_screen_at;

use super::{Folders, Output};

#[derive(clap::Args)]
pub struct Args {
    /// The instant: local time in the kiosk's time zone (`2026-11-28 09:15`,
    /// seconds optional) or RFC 3339.
    #[arg(value_name = "TIME")]
    time: String,
    #[command(flatten)]
    folders: Folders,
    #[command(flatten)]
    output: Output,
}

pub fn exec(args: Args) -> Result<()> {
    let config = args.folders.load()?;
    let tz = config.operating_schedule().timezone();
    let instant = parse_instant(&args.time, tz)?;
    let answer = on_screen_at(
        &config.journal_dir(),
        &config.objects_dir(),
        tz,
        instant,
        Utc::now(),
    );
    args.output.print(|| &answer, || answer.to_text())
}

/// RFC 3339, or a local time on the kiosk's wall clock.
fn parse_instant(text: &str, tz: Tz) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
    let Some(naive) = naive else {
        bail!("{text:?}: expected a local time like \"2026-11-28 09:15\" or RFC 3339");
    };
    match naive.and_local_timezone(tz).earliest() {
        Some(t) => Ok(t.with_timezone(&Utc)),
        None => bail!("{text}: no such local time in {}", tz.name()),
    }
}
