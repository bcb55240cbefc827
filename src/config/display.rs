//! `display:` in the config: which command powers the screen off and on.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisplayBackend {
    /// X11: `xset dpms force off|on` (and blanking off while open).
    #[default]
    Xset,
    /// wlroots compositors (cage, sway): `wlr-randr --output NAME --off|--on`.
    WlrRandr,
    /// HDMI-CEC: `cec-ctl --to 0 --standby|--image-view-on`.
    Cec,
    /// No power control: the screen only goes black.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplayConfig {
    pub backend: DisplayBackend,
    /// The output to switch, for `wlr-randr` (e.g. `HDMI-A-1`).
    pub output: Option<String>,
    /// Run this program instead of the backend's usual one (same arguments);
    /// for a non-standard install path, or a recording stub in tests.
    pub program: Option<PathBuf>,
}

impl DisplayBackend {
    /// The name the config uses.
    pub fn name(self) -> &'static str {
        match self {
            DisplayBackend::Xset => "xset",
            DisplayBackend::WlrRandr => "wlr-randr",
            DisplayBackend::Cec => "cec",
            DisplayBackend::None => "none",
        }
    }
}

impl DisplayConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.backend == DisplayBackend::WlrRandr && self.output.is_none() {
            return Err("backend wlr-randr needs `output` (see `wlr-randr` for the names)".into());
        }
        Ok(())
    }

    /// The program and its arguments that switch the display on or off;
    /// `None` for the `none` backend.
    pub fn command(&self, on: bool) -> Option<(PathBuf, Vec<String>)> {
        let (program, args): (&str, Vec<String>) = match self.backend {
            DisplayBackend::None => return None,
            DisplayBackend::Xset if on => ("xset", words("dpms force on s off s noblank -dpms")),
            DisplayBackend::Xset => ("xset", words("+dpms dpms force off")),
            DisplayBackend::WlrRandr => {
                let output = self.output.clone().unwrap_or_default();
                let state = if on { "--on" } else { "--off" };
                ("wlr-randr", vec!["--output".into(), output, state.into()])
            }
            DisplayBackend::Cec if on => ("cec-ctl", words("--to 0 --image-view-on")),
            DisplayBackend::Cec => ("cec-ctl", words("--to 0 --standby")),
        };
        let program = self.program.clone().unwrap_or_else(|| program.into());
        Some((program, args))
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_names_its_command() {
        let xset = DisplayConfig::default();
        assert_eq!(
            xset.command(false).unwrap().1,
            ["+dpms", "dpms", "force", "off"]
        );
        assert_eq!(xset.command(true).unwrap().0, PathBuf::from("xset"));
        let wlr = DisplayConfig {
            backend: DisplayBackend::WlrRandr,
            output: Some("HDMI-A-1".into()),
            program: None,
        };
        assert_eq!(
            wlr.command(false).unwrap().1,
            ["--output", "HDMI-A-1", "--off"]
        );
        let cec = DisplayConfig {
            backend: DisplayBackend::Cec,
            ..Default::default()
        };
        assert_eq!(cec.command(false).unwrap().1, ["--to", "0", "--standby"]);
        let none = DisplayConfig {
            backend: DisplayBackend::None,
            ..Default::default()
        };
        assert!(none.command(true).is_none());
    }

    #[test]
    fn program_replaces_the_binary_but_keeps_the_arguments() {
        let c = DisplayConfig {
            program: Some("/tmp/stub".into()),
            ..Default::default()
        };
        let (program, args) = c.command(false).unwrap();
        assert_eq!(program, PathBuf::from("/tmp/stub"));
        assert_eq!(args, ["+dpms", "dpms", "force", "off"]);
    }
}
