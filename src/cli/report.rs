//! `infokiosk report`: the report of a month, a year or any dates (the
//! half-year review) from the journal, as HTML, CSV or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use clap::ValueEnum;

use infokiosk::report::{Period, report_with_seals};

use super::Folders;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    /// A month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["year", "from"])]
    month: Option<String>,
    /// A year (YYYY).
    #[arg(long, value_name = "YYYY", conflicts_with = "from")]
    year: Option<i32>,
    /// The first local date reported (with --to).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
    from: Option<NaiveDate>,
    /// The last local date reported, included (with --from).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    to: Option<NaiveDate>,
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
    let period = match (&args.month, args.year, args.from.zip(args.to)) {
        (Some(month), None, None) => month
            .parse::<Period>()
            .map_err(|e| anyhow::anyhow!("--month: {e}"))?,
        (None, Some(year), None) => Period::Year(year),
        (None, None, Some((from, to))) => {
            Period::dates(from, to).map_err(|e| anyhow::anyhow!("--from/--to: {e}"))?
        }
        _ => bail!("give --month YYYY-MM, --year YYYY, or --from YYYY-MM-DD --to YYYY-MM-DD"),
    };
    // The month seals the kiosk left in its outbox anchor the journal's chain.
    let report = report_with_seals(
        &config.journal_dir(),
        Some(&config.outbox_dir),
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
