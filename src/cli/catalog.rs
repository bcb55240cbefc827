//! `infokiosk catalog`: what the content folder will play, in order, and
//! every file it will not play, with the reason. Read-only: it changes
//! nothing under the data folder.

use std::time::SystemTime;

use anyhow::Result;

use infokiosk::content::{Scanner, describe_catalog};
use infokiosk::media::DiscovererProbe;

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
    let config = args.folders.load()?;
    // An inspection: the player's probe cache and trust state are read, nothing under the data
    // folder is written (not even with sudo, nor with `--content` naming another folder).
    let options = config.scan_options().inspect_only();
    let cache = Some(config.data_dir.join("probe-cache.json"));
    let mut scanner = Scanner::new(config.content_dir.clone(), options, cache);
    let mut probe = DiscovererProbe::new();
    let catalog = scanner.scan(&mut probe, SystemTime::now());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&catalog.to_json())?);
    } else {
        print!("{}", describe_catalog(&catalog));
    }
    Ok(())
}
