//! `overlay:` in the config: the admin overlay's hotkey, PINs (argon2 hashes
//! only, each with its role and the person's name), label language and idle
//! timeout.

use std::fmt;

use serde::Deserialize;

/// The admin overlay section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OverlayConfig {
    /// The key combination that opens the overlay, e.g. `Ctrl+Alt+A`.
    pub hotkey: String,
    /// One PIN per role; `infokiosk pin --role NAME` writes them.
    pub pins: Vec<PinEntry>,
    /// The overlay's labels: `vi` or `en` (egui cannot draw Khmer).
    pub language: OverlayLanguage,
    /// The overlay closes after this many seconds without a key press.
    pub idle_seconds: u64,
}

impl Default for OverlayConfig {
    fn default() -> Self {
        Self {
            hotkey: "Ctrl+Alt+A".into(),
            pins: Vec::new(),
            language: OverlayLanguage::Vi,
            idle_seconds: 120,
        }
    }
}

/// A person's PIN: their role, their name and the argon2 hash (PHC string)
/// of the PIN. The PIN itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinEntry {
    /// What the PIN may do in the overlay: one of [`Role`]'s names. Another
    /// name loads (an older config keeps working) but opens the Now page only.
    pub role: String,
    /// The person, for the journal (`by`). Entries from before names have none.
    #[serde(default)]
    pub name: Option<String>,
    pub hash: String,
    /// The shortest PIN `infokiosk pin` accepted when it wrote this hash;
    /// absent on hashes from before PINs had 6 digits (`check` warns).
    #[serde(default)]
    pub min_length: Option<usize>,
}

impl PinEntry {
    /// Who this PIN belongs to, as the journal says it: `Name (role)`, or
    /// the role alone for an entry without a name.
    pub fn who(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} ({})", self.role),
            None => self.role.clone(),
        }
    }

    /// The role this entry's PIN has, `None` for a name that is not a role.
    pub fn known_role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

/// Who may do what in the overlay (the permissions are in `overlay::roles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything.
    Admin,
    /// The Now and Emergency pages: screen off, on, clear.
    BorderGuard,
    /// Now, Content, Health and Controls; no Emergency, no Quit.
    Technician,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::BorderGuard, Role::Technician];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::BorderGuard => "border-guard",
            Role::Technician => "technician",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverlayLanguage {
    #[default]
    Vi,
    En,
}

impl OverlayConfig {
    /// Checks the hotkey, the hashes and the timeout; the message names the
    /// entry. The hotkey comes back parsed.
    pub fn validate(&self) -> Result<Hotkey, String> {
        let hotkey =
            Hotkey::parse(&self.hotkey).map_err(|e| format!("hotkey {:?}: {e}", self.hotkey))?;
        if !(10..=3600).contains(&self.idle_seconds) {
            return Err(format!(
                "idle_seconds {} is outside 10 to 3600",
                self.idle_seconds
            ));
        }
        for (i, pin) in self.pins.iter().enumerate() {
            if pin.role.trim().is_empty() {
                return Err(format!("pins[{i}]: role must not be empty"));
            }
            if let Some(name) = &pin.name
                && (name.trim().is_empty() || name.chars().any(char::is_control))
            {
                return Err(format!(
                    "pins[{i}] (role {:?}): name must not be empty nor hold control characters",
                    pin.role
                ));
            }
            if self.pins[..i]
                .iter()
                .any(|p| p.role == pin.role && p.name == pin.name)
            {
                return Err(format!("pins[{i}]: {:?} is listed twice", pin.who()));
            }
            check_phc(&pin.hash).map_err(|e| {
                format!(
                    "pins[{i}] (role {:?}): hash is not an argon2 PHC string ({e}); set it with `infokiosk pin --role {}`",
                    pin.role, pin.role
                )
            })?;
        }
        Ok(hotkey)
    }
}

fn check_phc(hash: &str) -> Result<(), String> {
    let parsed = argon2::PasswordHash::new(hash).map_err(|e| e.to_string())?;
    if !parsed.algorithm.as_str().starts_with("argon2") {
        return Err(format!("algorithm {} is not argon2", parsed.algorithm));
    }
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err("salt or hash missing".into());
    }
    Ok(())
}

/// A key combination: at least Ctrl or Alt, plus one letter, digit or F-key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hotkey {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub key: HotkeyKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotkeyKey {
    /// `A` to `Z` (upper case).
    Letter(char),
    /// `0` to `9`.
    Digit(u8),
    /// `F1` to `F12`.
    Function(u8),
}

impl Hotkey {
    /// Parses `Ctrl+Alt+A` (case-insensitive; `Control` and `Option` too).
    pub fn parse(text: &str) -> Result<Hotkey, String> {
        let (mut ctrl, mut alt, mut shift, mut key) = (false, false, false, None);
        for part in text.split('+').map(str::trim) {
            let upper = part.to_ascii_uppercase();
            match upper.as_str() {
                "CTRL" | "CONTROL" => ctrl = true,
                "ALT" | "OPTION" => alt = true,
                "SHIFT" => shift = true,
                _ if key.is_some() => return Err(format!("more than one key ({part})")),
                _ => key = Some(parse_key(&upper).ok_or_else(|| format!("unknown key {part:?}"))?),
            }
        }
        let key = key.ok_or("no key after the modifiers")?;
        if !(ctrl || alt) {
            return Err("needs Ctrl or Alt, or typing would open the overlay".into());
        }
        Ok(Hotkey {
            ctrl,
            alt,
            shift,
            key,
        })
    }
}

fn parse_key(upper: &str) -> Option<HotkeyKey> {
    let mut chars = upper.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'A'..='Z'), None) => Some(HotkeyKey::Letter(c)),
        (Some(c @ '0'..='9'), None) => Some(HotkeyKey::Digit(c as u8 - b'0')),
        (Some('F'), Some(_)) => match upper[1..].parse::<u8>() {
            Ok(n @ 1..=12) => Some(HotkeyKey::Function(n)),
            _ => None,
        },
        _ => None,
    }
}

impl fmt::Display for Hotkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, name) in [
            (self.ctrl, "Ctrl+"),
            (self.alt, "Alt+"),
            (self.shift, "Shift+"),
        ] {
            if on {
                f.write_str(name)?;
            }
        }
        match self.key {
            HotkeyKey::Letter(c) => write!(f, "{c}"),
            HotkeyKey::Digit(d) => write!(f, "{d}"),
            HotkeyKey::Function(n) => write!(f, "F{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-formed argon2id PHC string, as `infokiosk pin` writes them.
    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0VbXl1s4qlpzfPjyyL1m6WNXBfa8qM3aTvsYWSLKSj8";

    #[test]
    fn defaults_and_keys() {
        let c: OverlayConfig = serde_yaml::from_str("{}").unwrap();
        assert_eq!(c, OverlayConfig::default());
        assert_eq!(c.language, OverlayLanguage::Vi);
        assert_eq!(c.idle_seconds, 120);
        c.validate().unwrap();
        let text = format!(
            "hotkey: ctrl+shift+F9\nlanguage: en\nidle_seconds: 60\npins:\n  - role: admin\n    hash: \"{HASH}\"\n"
        );
        let c: OverlayConfig = serde_yaml::from_str(&text).unwrap();
        c.validate().unwrap();
        assert_eq!(c.pins[0].role, "admin");
        assert_eq!((&c.pins[0].name, c.pins[0].min_length), (&None, None));
        assert_eq!(c.pins[0].known_role(), Some(Role::Admin));
        assert_eq!(c.language, OverlayLanguage::En);
        assert!(serde_yaml::from_str::<OverlayConfig>("language: km").is_err());
        assert!(serde_yaml::from_str::<OverlayConfig>("pin: 1234").is_err());
    }

    #[test]
    fn hotkeys_parse_or_say_why() {
        let k = Hotkey::parse("Ctrl+Alt+A").unwrap();
        assert_eq!(
            k,
            Hotkey {
                ctrl: true,
                alt: true,
                shift: false,
                key: HotkeyKey::Letter('A')
            }
        );
        assert_eq!(k.to_string(), "Ctrl+Alt+A");
        assert_eq!(
            Hotkey::parse("alt + f12").unwrap().key,
            HotkeyKey::Function(12)
        );
        assert_eq!(Hotkey::parse("Control+7").unwrap().key, HotkeyKey::Digit(7));
        for bad in [
            "A",
            "Ctrl+Alt",
            "Ctrl+F13",
            "Ctrl+Alt+AB",
            "Ctrl+A+B",
            "Ctrl+Space",
        ] {
            assert!(Hotkey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_entries_are_named() {
        let mut c = OverlayConfig::default();
        c.pins.push(PinEntry {
            role: "admin".into(),
            name: None,
            hash: "1234".into(),
            min_length: None,
        });
        let err = c.validate().unwrap_err();
        assert!(err.contains("pins[0]") && err.contains("admin"), "{err}");
        c.pins[0].hash = HASH.into();
        c.pins.push(c.pins[0].clone());
        assert!(c.validate().unwrap_err().contains("twice"));
        // Two people may share a role, each with their own PIN.
        c.pins[1].name = Some("Trần Văn Bình".into());
        c.validate().unwrap();
        assert_eq!(c.pins[1].who(), "Trần Văn Bình (admin)");
        c.pins[1].name = Some(" ".into());
        assert!(c.validate().unwrap_err().contains("name"));
        c.pins.pop();
        c.pins[0].hash = "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA".into();
        assert!(c.validate().unwrap_err().contains("argon2"));
        c.pins.clear();
        c.idle_seconds = 5;
        assert!(c.validate().unwrap_err().contains("idle_seconds"));
        c.idle_seconds = 120;
        c.hotkey = "Q".into();
        assert!(c.validate().unwrap_err().contains("hotkey"));
    }
}
