//! Who the kiosk trusts: the `trust:` config keys, and checking a playlist.yaml.minisig (or a
//! control.yaml.minisig) against them.
//!
//! The keys come from the kiosk's own config under /etc, never from the synced folder: whoever
//! can write the content folder cannot add a key. Content keys (`public_keys`) and the keys that
//! may switch the screens (`control_keys`) are separate lists: the office that signs content
//! cannot sign a Border Guard order, and the other way round. A key is the `RW…` line of a `minisign.pub`
//! file; signatures are minisign's (Ed25519 over BLAKE2b-512 of the file, "prehashed").

use minisign_verify::{Error as MinisignError, PublicKey, Signature};
use serde::{Deserialize, Serialize};

use crate::content::naming::SIGNATURE;

/// The `trust:` section of the kiosk config.
///
/// ```yaml
/// trust:
///   public_keys: [RWR3n8L8iKV1jMyKCx5z+csKBxPHB4mWPhfexUilbqwBHljFhVvC5Rg6]
///   control_keys: [RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3]
///   require_signature: true
/// ```
///
/// With `require_signature: false` (the default) the content folder is trusted as it is and
/// nothing is checked; `infokiosk manifest verify` still checks against `public_keys`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// minisign public keys (`RW…`); any one of them may sign. Two during a key rotation.
    #[serde(default)]
    pub public_keys: Vec<String>,
    /// Play only files listed, with their SHA-256 and size, in a playlist.yaml signed by one of
    /// `public_keys`.
    #[serde(default)]
    pub require_signature: bool,
    /// minisign public keys (`RW…`) allowed to sign `control.yaml` (the Border Guard's, the
    /// Department's). With `require_signature`, an unsigned control.yaml is refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error(
        "trust.{field}[{index}]: '{key}' is not a minisign public key ({why}): give the line starting with RW from minisign.pub"
    )]
    BadKey {
        field: &'static str,
        index: usize,
        key: String,
        why: String,
    },
    #[error(
        "trust.require_signature is true but trust.public_keys is empty: nothing could ever play"
    )]
    NoKeys,
}

impl TrustConfig {
    /// For config validation: every key decodes, and signing is not required without a key.
    pub fn validate(&self) -> Result<(), TrustError> {
        decode_keys(CONTROL_KEYS, &self.control_keys)?;
        let keys = trusted_keys(self)?;
        if self.require_signature && keys.is_empty() {
            return Err(TrustError::NoKeys);
        }
        Ok(())
    }
}

/// A decoded public key and its id as minisign prints it ("8C75A588FCC29F77").
#[derive(Debug, Clone)]
pub(crate) struct TrustedKey {
    key: PublicKey,
    pub id: String,
}

/// What a signature is over and which config list holds the keys that may make it; the names
/// that refusals give.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signed {
    /// The signed file: "playlist.yaml".
    pub file: &'static str,
    /// The signature beside it: "playlist.yaml.minisig".
    pub signature: &'static str,
    /// The `trust.` key list: "public_keys".
    pub keys: &'static str,
}

const CONTENT_KEYS: &str = "public_keys";
const CONTROL_KEYS: &str = "control_keys";

/// playlist.yaml, signed by one of `trust.public_keys`.
pub(crate) const CONTENT: Signed = Signed {
    file: crate::content::naming::MANIFEST,
    signature: SIGNATURE,
    keys: CONTENT_KEYS,
};

/// control.yaml, signed by one of `trust.control_keys`.
pub(crate) const CONTROL: Signed = Signed {
    file: "control.yaml",
    signature: "control.yaml.minisig",
    keys: CONTROL_KEYS,
};

/// The content keys (`trust.public_keys`).
pub(crate) fn trusted_keys(config: &TrustConfig) -> Result<Vec<TrustedKey>, TrustError> {
    decode_keys(CONTENT_KEYS, &config.public_keys)
}

/// The keys allowed to sign control.yaml, when signatures are required: `None` without
/// `trust.require_signature` (control.yaml is trusted as it is). The player reads `control.yaml`
/// through [`ControlKeys::verify`].
#[derive(Debug, Clone)]
pub struct ControlKeys {
    keys: Result<Vec<TrustedKey>, String>,
}

impl ControlKeys {
    pub fn required(config: &TrustConfig) -> Option<ControlKeys> {
        config.require_signature.then(|| ControlKeys {
            keys: decode_keys(CONTROL_KEYS, &config.control_keys).map_err(|e| e.to_string()),
        })
    }

    /// Checks `signature` (the text of control.yaml.minisig) over `control`: the signer (the
    /// key id, and the signature's trusted comment when it is one a person wrote), or why the
    /// file is refused.
    pub fn verify(&self, control: &[u8], signature: &str) -> Result<String, String> {
        let keys = self
            .keys
            .as_deref()
            .map_err(|e| format!("{}: {e}", CONTROL.signature))?;
        let id = verify_signed(CONTROL, control, signature, keys)?;
        let comment = Signature::decode(signature)
            .map(|s| s.trusted_comment().trim().to_owned())
            .unwrap_or_default();
        // minisign's own comment ("timestamp:…\tfile:…") says nothing about who signed.
        if comment.is_empty() || comment.starts_with("timestamp:") {
            return Ok(id);
        }
        Ok(format!("{comment} ({id})"))
    }
}

fn decode_keys(field: &'static str, written: &[String]) -> Result<Vec<TrustedKey>, TrustError> {
    (0..)
        .zip(written)
        .map(|(index, written)| {
            let bad = |why: &str| TrustError::BadKey {
                field,
                index,
                key: written.clone(),
                why: why.into(),
            };
            // The whole minisign.pub pasted in, comment line included, is fine too.
            let line = written
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .unwrap_or_default();
            let key = PublicKey::from_base64(line).map_err(|e| bad(&e.to_string()))?;
            let id = key_id(line).ok_or_else(|| bad("too short"))?;
            Ok(TrustedKey { key, id })
        })
        .collect()
}

/// Checks `signature` (the text of playlist.yaml.minisig) over `manifest`; the id of the key
/// that signed it, or why it is refused ("playlist.yaml.minisig: signature does not verify …").
pub(crate) fn verify_signature(
    manifest: &[u8],
    signature: &str,
    keys: &[TrustedKey],
) -> Result<String, String> {
    verify_signed(CONTENT, manifest, signature, keys)
}

/// Checks `signature` over `bytes`, the file `what` names; the id of the key that signed it, or
/// why it is refused ("control.yaml.minisig: signature does not verify …").
pub(crate) fn verify_signed(
    what: Signed,
    bytes: &[u8],
    signature: &str,
    keys: &[TrustedKey],
) -> Result<String, String> {
    let Signed {
        file,
        signature: signature_file,
        keys: field,
    } = what;
    let refuse = |why: String| Err(format!("{signature_file}: {why}"));
    if keys.is_empty() {
        return refuse(format!(
            "no trust.{field} are configured, so no signature can be checked"
        ));
    }
    let Ok(decoded) = Signature::decode(signature) else {
        return refuse("not a minisign signature (damaged, or not made by minisign)".into());
    };
    for trusted in keys {
        match trusted.key.verify(bytes, &decoded, false) {
            Ok(()) => return Ok(trusted.id.clone()),
            Err(MinisignError::UnexpectedKeyId) => continue,
            Err(MinisignError::InvalidSignature) => {
                return refuse(format!(
                    "signature does not verify with key {}: {file} was changed after signing, or the signature is damaged",
                    trusted.id
                ));
            }
            Err(MinisignError::UnexpectedAlgorithm) => {
                return refuse(
                    "legacy (not prehashed) signature: sign again with minisign 0.8 or later"
                        .into(),
                );
            }
            Err(other) => return refuse(format!("cannot be checked: {other}")),
        }
    }
    let signer = signature.lines().nth(1).and_then(key_id);
    refuse(format!(
        "signed with key {}, which is not in trust.{field} (unknown key)",
        signer.as_deref().unwrap_or("(unreadable id)")
    ))
}

/// The key id inside a base64 public key or signature line: bytes 2..10, printed as minisign does.
fn key_id(base64: &str) -> Option<String> {
    let bytes = decode_base64(base64.trim())?;
    let id: [u8; 8] = bytes.get(2..10)?.try_into().ok()?;
    Some(format!("{:016X}", u64::from_le_bytes(id)))
}

/// Standard base64 (with or without padding); `None` on any other character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6 | u32::from(value)) & 0xffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::tests::fixtures::Office;

    #[test]
    fn config_keys_default_and_unknown_keys_are_refused() {
        let config: TrustConfig = serde_yaml::from_str("{}").unwrap();
        assert_eq!(config, TrustConfig::default());
        assert!(!config.require_signature);
        assert!(serde_yaml::from_str::<TrustConfig>("public_key: RW").is_err());
        let config = TrustConfig {
            public_keys: vec!["RWnotakey".into()],
            require_signature: true,
            ..Default::default()
        };
        let err = config.validate().unwrap_err().to_string();
        assert!(
            err.starts_with("trust.public_keys[0]: 'RWnotakey'"),
            "{err}"
        );
        let err = TrustConfig {
            require_signature: true,
            ..Default::default()
        };
        assert_eq!(err.validate(), Err(TrustError::NoKeys));
    }

    #[test]
    fn key_ids_are_the_ones_minisign_prints() {
        assert_eq!(
            key_id("RWR3n8L8iKV1jMyKCx5z+csKBxPHB4mWPhfexUilbqwBHljFhVvC5Rg6").as_deref(),
            Some("8C75A588FCC29F77")
        );
        assert_eq!(decode_base64("YWJj"), Some(b"abc".to_vec()));
        assert_eq!(decode_base64("YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_base64("a b"), None);
    }

    #[test]
    fn signatures_from_minisign_verify_and_others_do_not() {
        let office = Office::new();
        let stranger = Office::new();
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("playlist.yaml");
        std::fs::write(&manifest, "version: 1\n").unwrap();
        let signature = office.sign_file(&manifest);
        let keys = trusted_keys(&office.trust()).unwrap();
        assert_eq!(
            verify_signature(b"version: 1\n", &signature, &keys),
            Ok(keys[0].id.clone())
        );

        let err = verify_signature(b"version: 2\n", &signature, &keys).unwrap_err();
        assert!(
            err.starts_with("playlist.yaml.minisig: signature does not verify"),
            "{err}"
        );
        let theirs = stranger.sign_file(&manifest);
        let err = verify_signature(b"version: 1\n", &theirs, &keys).unwrap_err();
        assert!(
            err.contains("not in trust.public_keys (unknown key)"),
            "{err}"
        );
        assert!(
            err.contains(&trusted_keys(&stranger.trust()).unwrap()[0].id),
            "{err}"
        );
        let err = verify_signature(b"version: 1\n", "garbage", &keys).unwrap_err();
        assert!(err.contains("not a minisign signature"), "{err}");
        // Both keys during a rotation: either signs.
        let both = TrustConfig {
            public_keys: [office.trust().public_keys, stranger.trust().public_keys].concat(),
            require_signature: true,
            ..Default::default()
        };
        let keys = trusted_keys(&both).unwrap();
        assert!(verify_signature(b"version: 1\n", &theirs, &keys).is_ok());
    }

    #[test]
    fn control_yaml_is_signed_by_a_control_key_only() {
        let (border_guard, office) = (Office::new(), Office::new());
        let trust = TrustConfig {
            public_keys: office.trust().public_keys,
            control_keys: border_guard.trust().public_keys,
            require_signature: true,
        };
        assert!(trust.validate().is_ok());
        let keys = ControlKeys::required(&trust).expect("signatures required");
        let guard_id = trusted_keys(&border_guard.trust()).unwrap()[0].id.clone();
        let dir = tempfile::tempdir().unwrap();
        let control = dir.path().join("control.yaml");
        let order = b"override: off\nissued: 2026-11-29T09:00+07:00\n";
        std::fs::write(&control, order).unwrap();

        let signature = border_guard.sign_file(&control);
        assert_eq!(keys.verify(order, &signature), Ok(guard_id.clone()));
        let signature =
            border_guard.sign_file_saying(&control, &["-t", "Đồn Biên phòng Tịnh Biên"]);
        assert_eq!(
            keys.verify(order, &signature),
            Ok(format!("Đồn Biên phòng Tịnh Biên ({guard_id})"))
        );
        let err = keys.verify(b"override: on\n", &signature).unwrap_err();
        assert!(
            err.starts_with("control.yaml.minisig: signature does not verify with key")
                && err.contains("control.yaml was changed after signing"),
            "{err}"
        );
        // The content key cannot sign an order.
        let err = keys.verify(order, &office.sign_file(&control)).unwrap_err();
        assert!(
            err.contains("which is not in trust.control_keys (unknown key)"),
            "{err}"
        );
        // Without control keys, every order is refused; a bad one is a config error.
        let none = ControlKeys::required(&TrustConfig {
            control_keys: vec![],
            ..trust.clone()
        });
        let err = none.unwrap().verify(order, &signature).unwrap_err();
        assert!(
            err.contains("no trust.control_keys are configured"),
            "{err}"
        );
        let bad = TrustConfig {
            control_keys: vec!["RWnotakey".into()],
            ..trust.clone()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .starts_with("trust.control_keys[0]: 'RWnotakey'")
        );
        assert!(
            ControlKeys::required(&TrustConfig {
                require_signature: false,
                ..trust
            })
            .is_none()
        );
    }
}
