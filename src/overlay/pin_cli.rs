//! `infokiosk pin`: asks for a PIN (twice on a terminal, once from a pipe)
//! and writes its argon2 hash into the config file in place, keeping the
//! rest of the file as it was.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::config_edit::{EditError, set_pin_hash};
use super::pin::{PinError, hash_pin};
use crate::config::{ConfigError, KioskConfig};

/// `infokiosk pin [--config FILE] [--role NAME]`.
#[derive(clap::Args, Debug, Clone)]
pub struct PinArgs {
    /// The configuration file to write the PIN's hash into (created if missing).
    #[arg(long, default_value = "/etc/infokiosk/infokiosk.yaml")]
    pub config: PathBuf,
    /// Whose PIN this is; the journal names this role for what is done with it.
    #[arg(long, default_value = "admin")]
    pub role: String,
}

#[derive(Debug, Error)]
pub enum PinCliError {
    #[error("{0}; fix the file first, then run `infokiosk pin` again")]
    Config(#[from] ConfigError),
    #[error("{path}: {source}")]
    Edit { path: PathBuf, source: EditError },
    #[error("{0}")]
    Pin(#[from] PinError),
    #[error("the two PINs differ; nothing was changed")]
    Mismatch,
    #[error("cannot read the PIN: {0}")]
    Read(std::io::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a role name is letters, digits, spaces, `-` or `_`")]
    Role,
}

/// Runs the subcommand: reads the PIN, writes the hash, says what it did.
pub fn run(args: &PinArgs) -> Result<(), PinCliError> {
    let role = args.role.trim();
    if role.is_empty()
        || !role
            .chars()
            .all(|c| c.is_alphanumeric() || " -_".contains(c))
    {
        return Err(PinCliError::Role);
    }
    let path = std::fs::canonicalize(&args.config).unwrap_or_else(|_| args.config.clone());
    // Read the file before asking, so a broken config fails before the typing.
    let old = read_config(&path)?;
    let pin = read_pin(role)?;
    let hash = hash_pin(&pin)?;
    write_pin(&path, &old, role, &hash)?;
    eprintln!(
        "PIN for role {role:?} written to {} (argon2id hash only). Restart infokiosk to use it.",
        path.display()
    );
    Ok(())
}

/// Puts `role`'s `hash` into the config at `path` and writes it back
/// atomically (temp file, then rename) with the file's permissions.
pub fn write_pin(path: &Path, old: &str, role: &str, hash: &str) -> Result<(), PinCliError> {
    let new = set_pin_hash(old, role, hash).map_err(|source| PinCliError::Edit {
        path: path.to_owned(),
        source,
    })?;
    // The edit must give a valid config holding exactly this hash.
    let parsed = KioskConfig::parse(&new, path)?;
    let placed = parsed
        .overlay
        .pins
        .iter()
        .any(|p| p.role == role && p.hash == hash);
    if !placed {
        return Err(PinCliError::Edit {
            path: path.to_owned(),
            source: EditError::NotPlaced,
        });
    }
    let write_err = |source| PinCliError::Write {
        path: path.to_owned(),
        source,
    };
    let temp = path.with_extension("yaml.pin-tmp");
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(new.as_bytes())?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(write_err)
}

fn read_config(path: &Path) -> Result<String, PinCliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            KioskConfig::parse(&text, path)?;
            Ok(text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(ConfigError::Read {
            path: path.to_owned(),
            source,
        }
        .into()),
    }
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
    super::pin::check_new_pin(&first)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::pin::{Secret, role_for_pin};

    #[test]
    fn writes_the_hash_in_place_and_the_pin_then_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infokiosk.yaml");
        let text = "# gate 1\nkiosk_id: gate-1\noverlay:\n  language: en  # labels\n";
        std::fs::write(&path, text).unwrap();
        let hash = hash_pin("2468").unwrap();
        write_pin(&path, &read_config(&path).unwrap(), "admin", &hash).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.starts_with(text), "{written}");
        let config = KioskConfig::load(&path).unwrap();
        let pins = &config.overlay.pins;
        assert_eq!(role_for_pin(&Secret("2468".into()), pins), Some("admin"));
        assert!(!dir.path().join("infokiosk.yaml.pin-tmp").exists());
    }

    #[test]
    fn a_broken_config_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infokiosk.yaml");
        std::fs::write(&path, "volume: 7\n").unwrap();
        let err = read_config(&path).unwrap_err().to_string();
        assert!(
            err.contains("volume") && err.contains("fix the file"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "volume: 7\n");
        assert_eq!(read_config(&dir.path().join("new.yaml")).unwrap(), "");
    }
}
