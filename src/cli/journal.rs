//! `infokiosk journal verify`: walks a month of the journal's hash chain and
//! names the first line that was edited, removed or inserted; checks the
//! month against its seal in the outbox when there is one.

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Subcommand;

use infokiosk::journal::chain::verify_month;
use infokiosk::journal::{files_by_month, month_at};

use super::Folders;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Walk a month's chain; exit status 1 when a line was tampered with.
    Verify {
        #[command(flatten)]
        folders: Folders,
        /// The month (YYYY-MM) [default: this month, or the newest month
        /// file before it].
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
    },
}

pub fn exec(args: Args) -> Result<()> {
    let What::Verify { folders, month } = args.what;
    let config = folders.load()?;
    let dir = config.journal_dir();
    let month = match month {
        Some(month) => month,
        None => {
            let now = month_at(Utc::now(), config.operating_schedule().timezone());
            let newest = files_by_month(&dir, &now).0.pop();
            let Some(newest) = newest else {
                bail!("no journal month file in {}", dir.display());
            };
            infokiosk::journal::chain::month_of(&newest)
        }
    };
    let check = verify_month(&dir, &month, Some(&config.outbox_dir))
        .with_context(|| format!("journal {month} in {}", dir.display()))?;
    print!("{check}");
    if !check.is_intact() {
        bail!("the journal of {month} was tampered with");
    }
    Ok(())
}
