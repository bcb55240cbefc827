//! `infokiosk catalog`: what the content folder will play, in order, and
//! every file it will not play, with the reason.

use std::time::SystemTime;

use anyhow::Result;

use infokiosk::content::{ScanOptions, Scanner, describe_catalog};
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
    // The probe cache is shared with the player when the data folder is writable.
    let cache = std::fs::create_dir_all(&config.data_dir)
        .ok()
        .map(|()| config.data_dir.join("probe-cache.json"));
    // Never the player's verified store: this scan must not clean it.
    let options = ScanOptions {
        verified_store: None,
        ..config.scan_options()
    };
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
