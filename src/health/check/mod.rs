//! `infokiosk check`, the periodic and ad-hoc inspection: each part of a
//! kiosk gets PASS, WARN or FAIL with a one-line reason a technician can act
//! on. The admin overlay's self-test runs the same [`run_checks`].
//!
//! A check takes seconds to minutes (every clip is probed and every picture
//! decoded): call it off the render loop.

mod content;
mod hours;
mod pins;
mod records;
mod render;
mod system;

use std::path::PathBuf;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::{ConfigError, KioskConfig};
use crate::content::Probe;

/// How a check came out; ordered from good to bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Short and stable: `config`, `content`, `videos`, `images`, `data`,
    /// `journal`, `clock`, `schedule`, `hours`, `display`, `decoders`, `backup`, `pins`.
    pub name: &'static str,
    pub verdict: Verdict,
    /// One line: what is wrong, or what was found.
    pub reason: String,
    /// The files or facts behind the reason (e.g. each rejected file).
    pub details: Vec<String>,
}

impl Check {
    pub fn new(name: &'static str, verdict: Verdict, reason: impl Into<String>) -> Self {
        Self {
            name,
            verdict,
            reason: reason.into(),
            details: Vec::new(),
        }
    }

    fn pass(name: &'static str, reason: impl Into<String>) -> Self {
        Self::new(name, Verdict::Pass, reason)
    }

    fn warn(name: &'static str, reason: impl Into<String>) -> Self {
        Self::new(name, Verdict::Warn, reason)
    }

    fn fail(name: &'static str, reason: impl Into<String>) -> Self {
        Self::new(name, Verdict::Fail, reason)
    }

    fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}

/// Everything a check found, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub kiosk_id: String,
    /// When the check ran.
    pub at: DateTime<Utc>,
    /// The schedule's time zone, for showing `at`.
    pub timezone: String,
    pub checks: Vec<Check>,
}

impl CheckReport {
    /// The worst verdict: the report's own.
    pub fn verdict(&self) -> Verdict {
        self.checks
            .iter()
            .map(|c| c.verdict)
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// Any FAIL: `infokiosk check` exits non-zero.
    pub fn has_failures(&self) -> bool {
        self.verdict() == Verdict::Fail
    }

    pub fn get(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    fn count(&self, verdict: Verdict) -> usize {
        self.checks.iter().filter(|c| c.verdict == verdict).count()
    }
}

/// Where to look and what is enough, besides the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSettings {
    /// The config file the report names.
    pub config_file: PathBuf,
    /// Where the monthly archives are.
    pub backup_dir: PathBuf,
    /// Free space in the data folder below this is a WARN…
    pub warn_free_bytes: u64,
    /// …and below this a FAIL (the journal can no longer be trusted to fit).
    pub fail_free_bytes: u64,
    /// A newest backup older than this many days is a WARN (they are monthly).
    pub backup_max_age_days: i64,
}

impl Default for CheckSettings {
    fn default() -> Self {
        Self {
            config_file: "/etc/infokiosk/infokiosk.yaml".into(),
            backup_dir: "/var/backups/infokiosk".into(),
            warn_free_bytes: 1 << 30,
            fail_free_bytes: 100 << 20,
            backup_max_age_days: 40,
        }
    }
}

/// Checks the kiosk with GStreamer's Discoverer probing the clips.
///
/// `config` is the result of loading `settings.config_file` (with any
/// command-line folder overrides applied): a bad config is the first FAIL,
/// and the other checks then use the built-in defaults, as a technician
/// still wants to know about the clock and the disk.
pub fn run_checks(
    config: Result<KioskConfig, ConfigError>,
    settings: &CheckSettings,
    now: DateTime<Utc>,
) -> CheckReport {
    let mut probe = crate::media::DiscovererProbe::new();
    run_checks_with(config, settings, now, &mut probe)
}

/// [`run_checks`] with any video probe (tests use one without GStreamer).
pub fn run_checks_with(
    config: Result<KioskConfig, ConfigError>,
    settings: &CheckSettings,
    now: DateTime<Utc>,
    probe: &mut dyn Probe,
) -> CheckReport {
    let file = settings.config_file.display();
    let (config, config_check) = match config {
        Ok(config) if config.trust.require_signature && config.trust.control_keys.is_empty() => {
            let reason = format!(
                "{file}: trust.require_signature is on but trust.control_keys is empty: \
                 every control.yaml is refused, only the overlay can switch the screens"
            );
            (config, Check::warn("config", reason))
        }
        Ok(config) => {
            let reason = format!("{file} is valid (kiosk {})", config.kiosk_id);
            (config, Check::pass("config", reason))
        }
        Err(e) => {
            let reason = format!("{e} (the other checks use the built-in defaults)");
            (KioskConfig::default(), Check::fail("config", reason))
        }
    };
    let schedule = config.operating_schedule();
    let tz = schedule.timezone();
    let mut checks = vec![config_check];
    checks.extend(content::content_checks(
        &config,
        probe,
        SystemTime::from(now),
    ));
    checks.push(system::data_check(&config.data_dir, settings));
    checks.push(records::journal_check(
        &config.journal_dir(),
        &config.outbox_dir,
        tz,
        now,
    ));
    checks.push(system::clock_check(tz, now));
    checks.push(records::schedule_check(&schedule, &config.data_dir, now));
    checks.push(hours::hours_check(&schedule, now));
    checks.push(system::display_check(&config.display));
    checks.push(system::decoders_check());
    checks.push(records::backup_check(&config.kiosk_id, settings, now));
    checks.push(pins::pins_check(&config.overlay));
    CheckReport {
        kiosk_id: config.kiosk_id.clone(),
        at: now,
        timezone: tz.name().to_owned(),
        checks,
    }
}

/// "1 line", "2 lines".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// An instant on the kiosk's wall clock, e.g. `2026-11-28 10:00:00 +07`.
fn local_text(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

#[cfg(test)]
mod tests;
