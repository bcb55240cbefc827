//! `infokiosk pin`: asks for a PIN (twice on a terminal, once from a pipe)
//! and writes its argon2 hash, with the role and the person's name, into
//! the config file in place, keeping the rest of the file as it was.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use thiserror::Error;

use infokiosk::config::{PinEntry, Role};
use infokiosk::overlay::config_edit::{PinFileError, read_config, write_pin};
use infokiosk::overlay::pin::{PIN_LENGTH, PinError, check_new_pin, hash_pin};

use super::config_file;

/// `infokiosk pin [--config FILE] [--role ROLE] [--name "PERSON"]`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The configuration file to write the PIN's hash into (created if
    /// missing) [default: /etc/infokiosk/infokiosk.yaml]
    #[arg(long)]
    config: Option<PathBuf>,
    /// What the PIN may do: admin (everything), border-guard (the Now and
    /// Emergency pages), technician (all but Emergency and Quit).
    #[arg(long, default_value = "admin")]
    role: String,
    /// The person the PIN is for; the journal names them (with the role)
    /// for what is done with it. Setting it again for the same role and
    /// name replaces that person's PIN.
    #[arg(long)]
    name: Option<String>,
}

#[derive(Debug, Error)]
enum PinCliError {
    #[error(transparent)]
    File(#[from] PinFileError),
    #[error("{0}")]
    Pin(#[from] PinError),
    #[error("the two PINs differ; nothing was changed")]
    Mismatch,
    #[error("cannot read the PIN: {0}")]
    Read(std::io::Error),
    #[error("unknown role {0:?}: use admin, border-guard or technician")]
    Role(String),
    #[error("a name is not blank and has no control characters")]
    Name,
}

/// Reads the PIN, writes the hash, says what it did.
pub fn exec(args: Args) -> anyhow::Result<()> {
    Ok(set_pin(&args)?)
}

fn set_pin(args: &Args) -> Result<(), PinCliError> {
    let role = Role::parse(&args.role)
        .ok_or_else(|| PinCliError::Role(args.role.clone()))?
        .as_str();
    let name = args.name.as_deref().map(str::trim);
    if name.is_some_and(|n| n.is_empty() || n.chars().any(char::is_control)) {
        return Err(PinCliError::Name);
    }
    let given = config_file(args.config.as_deref());
    let path = std::fs::canonicalize(&given).unwrap_or(given);
    // Read the file before asking, so a broken config fails before the typing.
    let old = read_config(&path)?;
    let pin = read_pin(role)?;
    let entry = PinEntry {
        role: role.to_owned(),
        name: name.map(str::to_owned),
        hash: hash_pin(&pin)?,
        min_length: Some(*PIN_LENGTH.start()),
    };
    write_pin(&path, &old, &entry)?;
    eprintln!(
        "PIN for {} written to {} (argon2id hash only). Restart infokiosk to use it.",
        entry.who(),
        path.display()
    );
    Ok(())
}

/// Twice without echo on a terminal; one line from a pipe.
fn read_pin(role: &str) -> Result<String, PinCliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(PinCliError::Read)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    let first = read_hidden(&format!("New PIN for role {role:?}: "))?;
    check_new_pin(&first)?;
    let second = read_hidden("The same PIN again: ")?;
    if first != second {
        return Err(PinCliError::Mismatch);
    }
    Ok(first)
}

/// Reads a line from the terminal with echo off.
fn read_hidden(prompt: &str) -> Result<String, PinCliError> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal fd.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: fd is stdin and `term` is a valid termios to write into.
    if unsafe { libc::tcgetattr(fd, &mut term) } != 0 {
        return Err(PinCliError::Read(std::io::Error::last_os_error()));
    }
    let saved = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL;
    // SAFETY: `term` came from tcgetattr on the same fd.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) };
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    // SAFETY: restores the settings read above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    read.map_err(PinCliError::Read)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
