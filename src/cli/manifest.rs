//! `infokiosk manifest`: signed content. `build` writes every file's size
//! and SHA-256 into playlist.yaml; `verify` checks the signature and the files.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use infokiosk::content::{build_manifest, verify_folder};

use super::Folders;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
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

pub fn exec(args: Args) -> Result<()> {
    match args.what {
        What::Build { content } => build(&content),
        What::Verify { folders } => verify(&folders),
    }
}

fn build(content: &std::path::Path) -> Result<()> {
    let path = content.join("playlist.yaml");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let text = build_manifest(content, existing.as_deref())?;
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

fn verify(folders: &Folders) -> Result<()> {
    let config = folders.load()?;
    let report = verify_folder(&config.content_dir, &config.trust);
    print!("{report}");
    if !report.is_ok() {
        anyhow::bail!("the content folder does not verify");
    }
    Ok(())
}
