//! Who the kiosk trusts: the `trust:` config keys, and checking a playlist.yaml.minisig against them.
//!
//! The keys come from the kiosk's own config under /etc, never from the synced folder: whoever
//! can write the content folder cannot add a key. A key is the `RW…` line of a `minisign.pub`
//! file; signatures are minisign's (Ed25519 over BLAKE2b-512 of the file, "prehashed").

use minisign_verify::{Error as MinisignError, PublicKey, Signature};
use serde::{Deserialize, Serialize};

use crate::content::naming::SIGNATURE;

/// The `trust:` section of the kiosk config.
///
/// ```yaml
/// trust:
///   public_keys: [RWR3n8L8iKV1jMyKCx5z+csKBxPHB4mWPhfexUilbqwBHljFhVvC5Rg6]
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error(
        "trust.public_keys[{index}]: '{key}' is not a minisign public key ({why}): give the line starting with RW from minisign.pub"
    )]
    BadKey {
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

pub(crate) fn trusted_keys(config: &TrustConfig) -> Result<Vec<TrustedKey>, TrustError> {
    (0..)
        .zip(&config.public_keys)
        .map(|(index, written)| {
            let bad = |why: &str| TrustError::BadKey {
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
    let refuse = |why: String| Err(format!("{SIGNATURE}: {why}"));
    if keys.is_empty() {
        return refuse(
            "no trust.public_keys are configured, so no signature can be checked".into(),
        );
    }
    let Ok(decoded) = Signature::decode(signature) else {
        return refuse("not a minisign signature (damaged, or not made by minisign)".into());
    };
    for trusted in keys {
        match trusted.key.verify(manifest, &decoded, false) {
            Ok(()) => return Ok(trusted.id.clone()),
            Err(MinisignError::UnexpectedKeyId) => continue,
            Err(MinisignError::InvalidSignature) => {
                return refuse(format!(
                    "signature does not verify with key {}: playlist.yaml was changed after signing, or the signature is damaged",
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
        "signed with key {}, which is not in trust.public_keys (unknown key)",
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
        };
        let keys = trusted_keys(&both).unwrap();
        assert!(verify_signature(b"version: 1\n", &theirs, &keys).is_ok());
    }
}
