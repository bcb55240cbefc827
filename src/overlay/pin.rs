//! PIN hashes: argon2id with a random salt, stored as a PHC string. The PIN
//! itself is never written anywhere, nor logged.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use thiserror::Error;

use crate::config::PinEntry;

/// Shortest and longest PIN accepted by `infokiosk pin`. Hashes written
/// before the minimum was 6 keep working; `infokiosk check` asks for new ones.
pub const PIN_LENGTH: std::ops::RangeInclusive<usize> = 6..=32;

/// A PIN as typed. Its `Debug` does not show it, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PinError {
    #[error("a PIN has {min} to {max} characters", min = PIN_LENGTH.start(), max = PIN_LENGTH.end())]
    Length,
    #[error("a PIN has no spaces or control characters")]
    Characters,
    #[error("cannot read random bytes for the salt: {0}")]
    Random(String),
    #[error("cannot hash the PIN: {0}")]
    Hash(String),
}

/// Checks that a new PIN is usable (length, no blanks).
pub fn check_new_pin(pin: &str) -> Result<(), PinError> {
    if !PIN_LENGTH.contains(&pin.chars().count()) {
        return Err(PinError::Length);
    }
    if pin.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(PinError::Characters);
    }
    Ok(())
}

/// The argon2id PHC string of `pin` with a fresh random salt.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    check_new_pin(pin)?;
    let mut bytes = [0u8; 16];
    random_bytes(&mut bytes)?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| PinError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// The entry (person and role) whose PIN this is, if any. A hash that does
/// not parse matches nothing (the config was validated at load, so this
/// does not happen).
pub fn entry_for_pin<'a>(pin: &Secret, pins: &'a [PinEntry]) -> Option<&'a PinEntry> {
    pins.iter().find(|entry| {
        PasswordHash::new(&entry.hash).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(pin.0.as_bytes(), &hash)
                .is_ok()
        })
    })
}

/// The role whose PIN this is, if any.
pub fn role_for_pin<'a>(pin: &Secret, pins: &'a [PinEntry]) -> Option<&'a str> {
    entry_for_pin(pin, pins).map(|entry| entry.role.as_str())
}

fn random_bytes(buf: &mut [u8]) -> Result<(), PinError> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|e| PinError::Random(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(role: &str, pin: &str) -> PinEntry {
        PinEntry {
            role: role.into(),
            name: None,
            hash: hash_pin(pin).unwrap(),
            min_length: None,
        }
    }

    #[test]
    fn hash_is_salted_argon2id_and_verifies() {
        let a = hash_pin("246810").unwrap();
        let b = hash_pin("246810").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(!a.contains("246810"));
        let pins = [PinEntry {
            role: "admin".into(),
            name: None,
            hash: a,
            min_length: None,
        }];
        assert_eq!(role_for_pin(&Secret("246810".into()), &pins), Some("admin"));
        assert_eq!(role_for_pin(&Secret("246811".into()), &pins), None);
        assert_eq!(role_for_pin(&Secret(String::new()), &pins), None);
    }

    #[test]
    fn each_role_has_its_own_pin() {
        let pins = [
            entry("technician", "135799"),
            entry("border-guard", "975311"),
        ];
        assert_eq!(
            role_for_pin(&Secret("975311".into()), &pins),
            Some("border-guard")
        );
        assert_eq!(
            role_for_pin(&Secret("135799".into()), &pins),
            Some("technician")
        );
        assert_eq!(role_for_pin(&Secret("1234".into()), &[]), None);
    }

    #[test]
    fn new_pins_are_checked() {
        assert_eq!(hash_pin("123"), Err(PinError::Length));
        // Since issue 15 a new PIN has at least 6 characters.
        assert_eq!(hash_pin("12345"), Err(PinError::Length));
        check_new_pin("123456").unwrap();
        assert_eq!(hash_pin(&"9".repeat(33)), Err(PinError::Length));
        assert_eq!(hash_pin("123 456"), Err(PinError::Characters));
        check_new_pin("Tịnh-Biên-1").unwrap();
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        assert_eq!(format!("{:?}", Secret("2468".into())), "Secret(***)");
    }

    #[test]
    fn a_hash_of_a_shorter_pin_set_before_still_opens() {
        // What `infokiosk pin` wrote for "2468" before the 6-digit rule.
        let old = Argon2::default()
            .hash_password(b"2468", &SaltString::encode_b64(b"an old salt!").unwrap())
            .unwrap()
            .to_string();
        let pins = [PinEntry {
            hash: old,
            ..entry("admin", "000000")
        }];
        assert_eq!(role_for_pin(&Secret("2468".into()), &pins), Some("admin"));
    }
}
