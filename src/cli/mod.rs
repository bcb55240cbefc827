//! The `infokiosk` command line, one file per subcommand (as cargo does):
//! each holds its `Args` and one `exec`; `folders.rs` resolves `--config`,
//! `--content` and `--data` for all of them.

use clap::{Parser, Subcommand};

pub mod at;
pub mod backup;
pub mod bench;
pub mod catalog;
pub mod check;
pub mod docs;
pub mod fleet;
mod folders;
pub mod journal;
pub mod manifest;
mod output;
pub mod pin;
pub mod report;
pub mod run;
pub mod schedule;

pub use folders::{Folders, config_file};
pub use output::Output;

#[derive(Parser)]
#[command(
    name = "infokiosk",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("INFOKIOSK_COMMIT"), ")"),
    about = "Kiosk player for outdoor information screens"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    // `run`'s arguments, for `infokiosk` without a subcommand.
    #[command(flatten)]
    pub run: run::Args,
}

#[derive(Subcommand)]
pub enum Command {
    /// Play content fullscreen (the default).
    Run(run::Args),
    /// Say whether the screens are open at an instant, why, and what comes next.
    Schedule(schedule::Args),
    /// List what the content folder will play, in order, and every file it
    /// will not play, with the reason.
    Catalog(catalog::Args),
    /// Self-test of this kiosk (config, content, clips, pictures, disk,
    /// journal, clock, schedule, display command, last backup): PASS, WARN or
    /// FAIL for each, with the reason; exits with status 1 on any FAIL.
    Check(check::Args),
    /// Archive a month (content shown, journal, config) and verify it.
    Backup(backup::Args),
    /// Monthly or annual report from the journal (HTML, CSV or JSON).
    Report(report::Args),
    /// Set the admin overlay's PIN for a role: asks for it twice (or reads
    /// one line from stdin) and writes only its argon2 hash into the config.
    Pin(pin::Args),
    /// Signed manifests: `build` writes sizes and SHA-256 into playlist.yaml;
    /// `verify` checks the signature and every file.
    Manifest(manifest::Args),
    /// The journal's hash chain: `verify` names the first line edited,
    /// removed or inserted (exit status 1), and checks the month's seal.
    Journal(journal::Args),
    /// What was on screen at an instant (local time or RFC 3339) and why,
    /// from the journal: screen state, item, file, SHA-256, archived copy.
    At(at::Args),
    /// Every kiosk on one page from the office's outbox folders (exit status 2 on any alert).
    Fleet(fleet::Args),
    /// Speed figures (they report; they never fail).
    Bench(bench::Args),
    /// The manual pages, generated from these definitions (roff).
    Man(docs::ManArgs),
    /// Shell completions for bash, zsh, fish, elvish or powershell.
    Completions(docs::CompletionsArgs),
}
