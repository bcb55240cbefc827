//! `outbox:` in the config: what the kiosk sends the office besides
//! `status.json` (screenshots of the panel; the journal's copy is always sent).

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// A screenshot into the outbox this often while open (kiosk clock),
    /// besides one at each opening, closing and override; 0: no screenshots.
    pub screenshot_minutes: u32,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            screenshot_minutes: 5,
        }
    }
}

impl OutboxConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.screenshot_minutes > 1440 {
            return Err("screenshot_minutes must be between 0 (none) and 1440".into());
        }
        Ok(())
    }

    /// How often a screenshot is taken while open; `None`: never.
    pub fn screenshot_every(&self) -> Option<chrono::Duration> {
        (self.screenshot_minutes > 0)
            .then(|| chrono::Duration::minutes(i64::from(self.screenshot_minutes)))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::KioskConfig;

    #[test]
    fn screenshots_every_five_minutes_unless_told_and_zero_is_none() {
        let parse = |text: &str| KioskConfig::parse(text, Path::new("k.yaml"));
        let every = |text| parse(text).unwrap().outbox.screenshot_every();
        assert_eq!(every(""), Some(chrono::Duration::minutes(5)));
        assert_eq!(
            every("outbox:\n  screenshot_minutes: 1\n"),
            Some(chrono::Duration::minutes(1))
        );
        assert_eq!(every("outbox:\n  screenshot_minutes: 0\n"), None);
        let err = parse("outbox:\n  screenshot_minutes: 2000\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`outbox`") && err.contains("1440"), "{err}");
        assert!(parse("outbox:\n  screenshots: 5\n").is_err());
    }
}
