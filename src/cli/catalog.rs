//! `infokiosk catalog`: what the content folder will play, in order, and
//! every file it will not play, with the reason. Read-only: it changes
//! nothing under the data folder.

use std::time::SystemTime;

use anyhow::Result;

use infokiosk::content::{Scanner, describe_catalog};
use infokiosk::media::DiscovererProbe;

use super::{Folders, Output};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    folders: Folders,
    #[command(flatten)]
    output: Output,
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
    args.output
        .print(|| catalog.to_json(), || describe_catalog(&catalog))
}
