//! `--config`, `--content` and `--data`: where a subcommand finds the
//! configuration and the two folders. Every subcommand resolves them here.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use infokiosk::config::plugin::FolderOverrides;
use infokiosk::config::{ConfigError, KioskConfig};

/// Where the configuration is when `--config` does not say.
pub const DEFAULT_CONFIG: &str = "/etc/infokiosk/infokiosk.yaml";

/// The config file a subcommand reads or writes: `--config`, else the
/// default path, whether or not a file is there.
pub fn config_file(given: Option<&Path>) -> PathBuf {
    given.map_or_else(|| DEFAULT_CONFIG.into(), Path::to_owned)
}

/// Where the configuration and the two folders are.
#[derive(Args, Clone)]
pub struct Folders {
    /// The configuration file (YAML) [default: /etc/infokiosk/infokiosk.yaml,
    /// or the built-in defaults when that file does not exist].
    #[arg(long)]
    config: Option<PathBuf>,
    /// Use this content folder instead of the config's `content_dir`.
    #[arg(long)]
    content: Option<PathBuf>,
    /// Use this data folder instead of the config's `data_dir`.
    #[arg(long)]
    data: Option<PathBuf>,
}

impl Folders {
    /// The config file named or implied, whether or not it exists.
    pub fn config_file(&self) -> PathBuf {
        config_file(self.config.as_deref())
    }

    /// The config file in use, if there is one: `--config`, or the default
    /// path when a file is there.
    pub fn path(&self) -> Option<PathBuf> {
        let file = self.config_file();
        (self.config.is_some() || file.exists()).then_some(file)
    }

    /// The config in use with the folders given here; the built-in defaults
    /// (and a note saying so) when there is no config file.
    pub fn load(&self) -> Result<KioskConfig> {
        let config = match self.path() {
            Some(path) => KioskConfig::load(&path)?,
            None => {
                eprintln!("note: {DEFAULT_CONFIG} does not exist; using the built-in defaults");
                KioskConfig::default()
            }
        };
        Ok(self.overrides().apply(config))
    }

    /// The config file named or implied, as it loads: a file that does not
    /// exist is an error here, not the built-in defaults.
    pub fn load_file(&self) -> Result<KioskConfig, ConfigError> {
        KioskConfig::load(&self.config_file()).map(|config| self.overrides().apply(config))
    }

    /// The folders given on the command line instead of the config's.
    pub fn overrides(&self) -> FolderOverrides {
        FolderOverrides {
            content: self.content.clone(),
            data: self.data.clone(),
        }
    }
}
