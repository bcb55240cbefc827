//! `infokiosk schedule`: whether the screens are open at an instant, why,
//! and what comes next; or the plan for the days ahead.

use anyhow::Result;
use chrono::{DateTime, Utc};

use infokiosk::schedule::{describe, describe_json, plan_json, render_plan};

use super::{Folders, Output};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    /// The instant to ask about (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<DateTime<Utc>>,
    /// Print the plan for this many days from that instant instead.
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    #[command(flatten)]
    output: Output,
}

pub fn exec(args: Args) -> Result<()> {
    let config = args.folders.load()?;
    let schedule = config.operating_schedule();
    let at = args.at.unwrap_or_else(Utc::now);
    // The override in force on this kiosk, as the player keeps it.
    let active = std::fs::read_to_string(config.data_dir.join("state/override.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let lines = |text: String| format!("{}\n", text.trim_end());
    match args.days {
        Some(days) => args.output.print(
            || plan_json(&schedule, at, days),
            || lines(render_plan(&schedule, at, days)),
        ),
        None => args.output.print(
            || describe_json(&schedule, at, active.as_ref()),
            || lines(describe(&schedule, at, active.as_ref())),
        ),
    }
}
