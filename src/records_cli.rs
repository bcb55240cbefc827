//! `infokiosk backup` and `infokiosk report`: the monthly archive and the
//! monthly/annual reports, from a shell.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};

use infokiosk::backup::{
    BackupJob, BackupOutcome, archive_name, prune, run_backup, verify_with_progress,
};
use infokiosk::report::{Month, Period, report_from_dir};

use crate::Folders;

#[derive(Args)]
pub struct BackupArgs {
    #[command(subcommand)]
    action: Option<BackupAction>,
    #[command(flatten)]
    folders: Folders,
    /// The month to archive (YYYY-MM); default the previous month.
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// Write the archive again even if one exists and verifies.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum BackupAction {
    /// Re-check every hash in an archive and report any damage.
    Verify { archive: PathBuf },
}

#[derive(Args)]
pub struct ReportArgs {
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

/// A progress line on a terminal; nothing when output goes to a file.
fn progress_bar(label: &'static str) -> impl FnMut(u64, u64) {
    let tty = std::io::stderr().is_terminal();
    let mut last = u64::MAX;
    move |done, total| {
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        if tty && percent != last {
            last = percent;
            eprint!(
                "\r{label} {percent:>3}%  {} / {} MB",
                done >> 20,
                total >> 20
            );
            let _ = std::io::stderr().flush();
        }
    }
}

pub fn backup(args: BackupArgs) -> Result<()> {
    if let Some(BackupAction::Verify { archive }) = args.action {
        let report = verify_with_progress(&archive, &mut progress_bar("verifying"))?;
        eprintln!();
        println!("{report}");
        if !report.is_intact() {
            bail!("{} is damaged", archive.display());
        }
        return Ok(());
    }
    let config = args.folders.load()?;
    let config_file = args
        .folders
        .path()
        .context("backup needs the config file (--config) to archive it")?;
    let tz = config.operating_schedule().timezone();
    let month = match &args.month {
        Some(text) => text.parse::<Period>().ok().and_then(|p| match p {
            Period::Month(m) => Some(m),
            Period::Year(_) => None,
        }),
        None => Some(Month::previous_of(Utc::now(), tz)),
    }
    .context("--month takes YYYY-MM")?;
    let job = BackupJob {
        kiosk: config.kiosk_id.clone(),
        month,
        timezone: tz,
        content_dir: config.content_dir.clone(),
        journal_dir: config.journal_dir(),
        config_file,
        backup_dir: config.backup_dir.clone(),
        force: args.force,
        now: Utc::now(),
    };
    let outcome = run_backup(&job, &mut progress_bar("archiving"));
    eprintln!();
    match outcome? {
        BackupOutcome::Written(summary) => println!(
            "written and verified: {} ({} files)",
            config
                .backup_dir
                .join(archive_name(&config.kiosk_id, month))
                .display(),
            summary.files
        ),
        BackupOutcome::Kept(_) => println!(
            "{} exists and verifies: left alone (--force writes it again)",
            config
                .backup_dir
                .join(archive_name(&config.kiosk_id, month))
                .display()
        ),
    }
    let pruned = prune(
        &config.backup_dir,
        &config.kiosk_id,
        config.backup_keep_months,
    )?;
    for removed in &pruned.removed {
        println!(
            "removed (older than {} months): {}",
            config.backup_keep_months,
            removed.display()
        );
    }
    if let Some(why) = &pruned.held_back {
        println!("retention held back: {why}");
    }
    Ok(())
}

pub fn report(args: ReportArgs) -> Result<()> {
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
