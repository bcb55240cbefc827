//! `infokiosk report`: the monthly or annual report from the journal, as
//! HTML, CSV or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::ValueEnum;

use infokiosk::report::{Period, report_from_dir};

use super::Folders;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    /// A month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with = "year")]
    month: Option<String>,
    /// A year (YYYY).
    #[arg(long, value_name = "YYYY")]
    year: Option<i32>,
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Html,
    Csv,
    Json,
}

pub fn exec(args: Args) -> Result<()> {
    let config = args.folders.load()?;
    let period = match (&args.month, args.year) {
        (Some(month), None) => month
            .parse::<Period>()
            .map_err(|e| anyhow::anyhow!("--month: {e}"))?,
        (None, Some(year)) => Period::Year(year),
        _ => bail!("give --month YYYY-MM or --year YYYY"),
    };
    let report = report_from_dir(
        &config.journal_dir(),
        &config.operating_schedule(),
        period,
        &config.kiosk_id,
        Utc::now(),
    )?;
    let text = match args.format {
        Format::Html => report.to_html(),
        Format::Csv => report.to_csv(),
        Format::Json => report.to_json(),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(())
}
