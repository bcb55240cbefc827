//! `infokiosk man` and `infokiosk completions SHELL`: the manual pages
//! (roff) and shell completions, generated from the command line's own
//! definition, so that they never drift from it. `make deb` installs both.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

#[derive(clap::Args, Clone)]
pub struct ManArgs {
    /// Write infokiosk.1 and a page per subcommand (infokiosk-check.1, …)
    /// into this folder instead of printing infokiosk.1.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(clap::Args, Clone)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

pub fn man(args: ManArgs) -> Result<()> {
    let command = Cli::command();
    match args.out {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("cannot write the pages into {}", dir.display()))
        }
        None => Ok(clap_mangen::Man::new(command).render(&mut std::io::stdout().lock())?),
    }
}

pub fn completions(args: CompletionsArgs) -> Result<()> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "infokiosk",
        &mut std::io::stdout(),
    );
    Ok(())
}
