//! The `infokiosk` binary: parses the command line and hands it to the
//! subcommand's `exec` (`cli/`); `run` (the default) plays.

mod cli;

use anyhow::Result;
use clap::Parser;

use cli::{Cli, Command};

fn main() -> Result<()> {
    keep_large_buffers_off_the_heap();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Run(cli.run));
    if !matches!(command, Command::Run(_)) {
        end_quietly_when_the_reader_goes();
    }
    match command {
        Command::Run(args) => cli::run::exec(args),
        Command::Schedule(args) => cli::schedule::exec(args),
        Command::Catalog(args) => cli::catalog::exec(args),
        Command::Check(args) => cli::check::exec(args),
        Command::Backup(args) => cli::backup::exec(args),
        Command::Report(args) => cli::report::exec(args),
        Command::Pin(args) => cli::pin::exec(args),
        Command::Manifest(args) => cli::manifest::exec(args),
        Command::Journal(args) => cli::journal::exec(args),
        Command::At(args) => cli::at::exec(args),
        Command::Fleet(args) => cli::fleet::exec(args),
        Command::Bench(args) => cli::bench::exec(args),
        Command::Man(args) => cli::docs::man(args),
        Command::Completions(args) => cli::docs::completions(args),
    }
}

/// `infokiosk schedule --days 365 | head`: a command printing a report
/// ends when whoever reads it has gone, as Unix tools do, instead of
/// panicking in `println!` (Rust ignores SIGPIPE). The player keeps
/// ignoring it: a write to a closed socket is an error it handles there.
fn end_quietly_when_the_reader_goes() {
    // SAFETY: sets one signal's action back to the default, before any
    // thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Video frames are megabytes each, made on GStreamer's streaming threads
/// and freed on the render thread. With glibc's default of one heap per
/// thread, freed frames pile up in heaps that never shrink (861 MiB after a
/// few clips in `bench video`). Two heaps keep it near 220 MiB, flat over
/// hundreds of clip switches, for the same CPU per frame. (A fixed mmap
/// threshold kept it at 107 MiB but cost 30 % more CPU in page faults.)
fn keep_large_buffers_off_the_heap() {
    // SAFETY: mallopt only sets an allocator parameter; called before any
    // thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
