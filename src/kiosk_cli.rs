//! `infokiosk check` (the self-test) and `infokiosk manifest` (signed
//! content), from a shell.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::{Args, Subcommand};

use infokiosk::config::KioskConfig;

use crate::{DEFAULT_CONFIG, Folders};

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    folders: Folders,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum ManifestWhat {
    /// Write/update DIR/playlist.yaml (every file's size and SHA-256,
    /// version + 1); then sign it: minisign -Sm DIR/playlist.yaml
    Build {
        #[arg(long, value_name = "DIR")]
        content: PathBuf,
    },
    /// Check playlist.yaml.minisig with the config's trust.public_keys, then
    /// every file; exit status 1 on any failure.
    Verify {
        #[command(flatten)]
        folders: Folders,
    },
}

pub fn check(args: CheckArgs) -> Result<()> {
    use infokiosk::health::{CheckSettings, run_checks};
    let path = args
        .folders
        .config
        .clone()
        .unwrap_or_else(|| DEFAULT_CONFIG.into());
    // A config that does not load is the report's first FAIL, not an abort.
    let config = KioskConfig::load(&path).map(|config| args.folders.overrides().apply(config));
    let defaults = CheckSettings::default();
    let settings = CheckSettings {
        backup_dir: config
            .as_ref()
            .map_or(defaults.backup_dir.clone(), |c| c.backup_dir.clone()),
        config_file: path,
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

pub fn manifest(what: ManifestWhat) -> Result<()> {
    match what {
        ManifestWhat::Build { content } => {
            let path = content.join("playlist.yaml");
            let existing = match std::fs::read_to_string(&path) {
                Ok(text) => Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
            };
            let text = infokiosk::content::build_manifest(&content, existing.as_deref())?;
            let temp = content.join(".playlist.yaml.tmp");
            std::fs::write(&temp, text)?;
            std::fs::rename(&temp, &path)?;
            println!(
                "wrote {}; now sign it: minisign -Sm {}",
                path.display(),
                path.display()
            );
            Ok(())
        }
        ManifestWhat::Verify { folders } => {
            let config = folders.load()?;
            let report = infokiosk::content::verify_folder(&config.content_dir, &config.trust);
            print!("{report}");
            if !report.is_ok() {
                anyhow::bail!("the content folder does not verify");
            }
            Ok(())
        }
    }
}
