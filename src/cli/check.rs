//! `infokiosk check`: the self-test of this kiosk, PASS, WARN or FAIL for
//! each check with the reason; exit status 1 on any FAIL. Read-only beside
//! the running player: its verified copies and trust state are left as they
//! are (the content scan is `ScanOptions::inspect_only`). The one thing it
//! writes is its `inspection` journal line, through the running player when
//! there is one (see `health::inspection`).

use anyhow::Result;
use chrono::Utc;

use infokiosk::config::KioskConfig;
use infokiosk::health::{
    CheckReport, CheckSettings, HandedOver, Inspection, hand_over, run_checks,
};

use super::{Folders, Output};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    #[command(flatten)]
    output: Output,
}

pub fn exec(args: Args) -> Result<()> {
    // A config that does not load is the report's first FAIL, not an abort.
    let config = args.folders.load_file();
    let defaults = CheckSettings::default();
    let settings = CheckSettings {
        backup_dir: config
            .as_ref()
            .map_or(defaults.backup_dir.clone(), |c| c.backup_dir.clone()),
        config_file: args.folders.config_file(),
        ..defaults
    };
    let report = run_checks(config, &settings, Utc::now());
    args.output
        .print(|| report.to_json(), || report.to_text())?;
    journal_inspection(&report, &args.folders);
    if report.has_failures() {
        anyhow::bail!("the self-test found failures");
    }
    Ok(())
}

/// Journals the inspection (`by: cli`); a data folder this user cannot
/// write is said on stderr, not a failed check.
fn journal_inspection(report: &CheckReport, folders: &Folders) {
    // A config that does not load: the built-in folders, as the checks used.
    let config = folders
        .load_file()
        .unwrap_or_else(|_| folders.overrides().apply(KioskConfig::default()));
    let inspection = Inspection::of(report, "cli");
    let journal = || {
        let tz = config.operating_schedule().timezone();
        Some((config.journal_dir(), config.kiosk_id.clone(), tz))
    };
    match hand_over(&inspection, &config.data_dir, journal, Utc::now()) {
        Ok(HandedOver::Journaled) => {
            eprintln!("inspection journaled in {}", config.journal_dir().display())
        }
        Ok(HandedOver::LeftForPlayer(path)) => eprintln!(
            "inspection left for the running player to journal: {}",
            path.display()
        ),
        Err(e) => eprintln!(
            "note: this inspection is not journaled ({}: {e})",
            config.data_dir.display()
        ),
    }
}
