//! `infokiosk check`: the self-test of this kiosk, PASS, WARN or FAIL for
//! each check with the reason; exit status 1 on any FAIL. Read-only beside
//! the running player: its verified copies and trust state are left as they
//! are (the content scan is `ScanOptions::inspect_only`).

use anyhow::Result;
use chrono::Utc;

use infokiosk::health::{CheckSettings, run_checks};

use super::Folders;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
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
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_text());
    }
    if report.has_failures() {
        anyhow::bail!("the self-test found failures");
    }
    Ok(())
}
