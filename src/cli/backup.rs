//! `infokiosk backup`: archives a month (content shown, journal, config)
//! and verifies it; `backup verify` re-checks an archive.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Subcommand;

use infokiosk::backup::{
    BackupJob, BackupOutcome, archive_name, export_to_outbox, prune, run_backup,
    verify_with_progress,
};
use infokiosk::config::BackupExport;
use infokiosk::report::{Month, Period};

use super::Folders;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
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
enum Action {
    /// Re-check every hash in an archive and report any damage.
    Verify { archive: PathBuf },
}

pub fn exec(args: Args) -> Result<()> {
    if let Some(Action::Verify { archive }) = args.action {
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
            Period::Year(_) | Period::Dates { .. } => None,
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
    let outcome = outcome?;
    if config.backup_export == BackupExport::Outbox {
        let archive = &outcome.summary().archive;
        let copy = export_to_outbox(archive, &config.outbox_dir).with_context(|| {
            format!(
                "copying {} into the outbox {}",
                archive.display(),
                config.outbox_dir.display()
            )
        })?;
        println!("copied into the outbox: {}", copy.display());
    }
    match outcome {
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
