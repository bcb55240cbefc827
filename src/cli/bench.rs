//! `infokiosk bench`: speed figures of the catalog scan, the video path, the
//! player at rest and `journal verify` (they report; they never fail).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Subcommand;

use infokiosk::bench::{bench_catalog, bench_idle, bench_journal_verify, bench_video};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Folder scans of 1,000 and 10,000 files; scans of an idle 10,000-file
    /// folder; rename-into-place latency.
    Catalog {
        /// How long the idle folder is watched, in seconds.
        #[arg(long, default_value_t = 60)]
        idle_seconds: u64,
    },
    /// CPU per frame of the video path beside GStreamer decoding alone, the
    /// switch gap between clips (cold and prerolled), memory over switches.
    Video {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Clip switches for the memory figure.
        #[arg(long, default_value_t = 1000)]
        switches: usize,
    },
    /// CPU and frames drawn by the player on screens that change little (a
    /// still picture, a text slide, a picture with the ticker, a 25 fps
    /// clip). Needs a display (`xvfb-run -a infokiosk bench idle`).
    Idle {
        /// How long each screen is measured, after 8 s of start-up.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// `journal verify` on a month of chained journal lines.
    JournalVerify {
        #[arg(long, default_value_t = 300_000)]
        lines: usize,
    },
}

pub fn exec(args: Args) -> Result<()> {
    let figures = match args.what {
        What::Catalog { idle_seconds } => {
            bench_catalog(std::time::Duration::from_secs(idle_seconds))?
        }
        What::Video { files, switches } => {
            let files: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            bench_video(&files, switches).map_err(anyhow::Error::msg)?
        }
        What::Idle { seconds } => bench_idle(seconds).map_err(anyhow::Error::msg)?,
        What::JournalVerify { lines } => bench_journal_verify(lines)?,
    };
    println!("{figures}");
    Ok(())
}
