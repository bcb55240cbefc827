//! `--json`: the output flag of the subcommands that print a report, and the
//! one place that prints the report either way.

use anyhow::Result;
use serde::Serialize;

/// For a person (the default), or machine-readable with `--json`.
#[derive(clap::Args, Clone, Copy)]
pub struct Output {
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

impl Output {
    /// Prints `json()` as pretty JSON with `--json`, else `text()` as it is
    /// (it ends its own lines). Only the one asked for is built.
    pub fn print<J: Serialize>(
        self,
        json: impl FnOnce() -> J,
        text: impl FnOnce() -> String,
    ) -> Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(&json())?);
        } else {
            print!("{}", text());
        }
        Ok(())
    }
}
