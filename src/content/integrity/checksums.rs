//! SHA-256 and size of every file, as the signed playlist.yaml lists them under `checksums:`, and hashing a file in one read.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::content::naming::{inside_path, nfc};

/// Why a file is refused when it is not listed in the signed manifest.
pub(crate) const NOT_LISTED: &str = "not listed in the signed manifest";
/// Why a file is refused when its bytes are not the ones the office signed.
pub(crate) const HASH_MISMATCH: &str =
    "hash mismatch: the SHA-256 differs from the signed manifest (changed after signing)";

/// Why a file is refused when its size is not the one the office signed (found without reading it).
pub(crate) fn size_differs(actual: u64, signed: u64) -> String {
    format!("size differs from the signed manifest ({actual} bytes, signed {signed})")
}

/// A SHA-256 digest, written as 64 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct Sha256(pub [u8; 32]);

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl FromStr for Sha256 {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a SHA-256: expected 64 hex digits");
        let s = s.trim();
        if s.len() != 64 || !s.is_ascii() {
            return Err(bad());
        }
        let mut digest = [0u8; 32];
        for (byte, pair) in digest.iter_mut().zip(s.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(Sha256(digest))
    }
}

impl TryFrom<String> for Sha256 {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Sha256> for String {
    fn from(digest: Sha256) -> String {
        digest.to_string()
    }
}

/// One `checksums:` entry: `{size: 1048576, sha256: 9f86…}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSum {
    pub size: u64,
    pub sha256: Sha256,
}

/// The `checksums:` table: path inside the content folder (NFC, `/`-separated) -> what was signed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "BTreeMap<String, FileSum>")]
pub(crate) struct Checksums(BTreeMap<String, FileSum>);

impl TryFrom<BTreeMap<String, FileSum>> for Checksums {
    type Error = String;

    /// Paths are checked like `file:` paths (inside the folder) and NFC-normalised, so the
    /// lookup does not depend on how the office's file system spelled "ệ".
    fn try_from(written: BTreeMap<String, FileSum>) -> Result<Self, String> {
        let mut table = BTreeMap::new();
        for (path, sum) in written {
            let rel = inside_path(&path).map_err(|why| format!("checksums: '{path}': {why}"))?;
            let key = nfc(&rel.to_string_lossy());
            if table.insert(key, sum).is_some() {
                return Err(format!("checksums: '{path}' is listed twice"));
            }
        }
        Ok(Checksums(table))
    }
}

impl Checksums {
    /// The signed size and digest of `rel` (NFC).
    pub fn get(&self, rel: &str) -> Option<&FileSum> {
        self.0.get(rel)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &FileSum)> {
        self.0.iter().map(|(rel, sum)| (rel.as_str(), sum))
    }
}

impl FromIterator<(String, FileSum)> for Checksums {
    fn from_iter<I: IntoIterator<Item = (String, FileSum)>>(rows: I) -> Self {
        Checksums(
            rows.into_iter()
                .map(|(rel, sum)| (nfc(&rel), sum))
                .collect(),
        )
    }
}

/// Reads `from` to its end, hashing every byte and, if `to` is given, writing it there too:
/// the copy is exactly what was hashed, and the file is read once.
pub(crate) fn hash_copy(
    from: &mut impl Read,
    mut to: Option<&mut dyn Write>,
) -> io::Result<FileSum> {
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        if let Some(to) = to.as_mut() {
            to.write_all(&buf[..n])?;
        }
        size += n as u64;
    }
    Ok(FileSum {
        size,
        sha256: Sha256(hasher.finalize().into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn hashes_and_copies_in_one_pass() {
        let mut copy = Vec::new();
        let sum = hash_copy(&mut &b"abc"[..], Some(&mut copy)).unwrap();
        assert_eq!(sum.size, 3);
        assert_eq!(sum.sha256.to_string(), ABC);
        assert_eq!(copy, b"abc");
        assert_eq!(ABC.to_uppercase().parse::<Sha256>(), Ok(sum.sha256));
        assert!(
            "abc"
                .parse::<Sha256>()
                .unwrap_err()
                .contains("64 hex digits")
        );
        assert!(ABC.replace('a', "g").parse::<Sha256>().is_err());
    }

    #[test]
    fn table_keys_are_checked_and_normalised() {
        let sum = FileSum {
            size: 3,
            sha256: ABC.parse().unwrap(),
        };
        let table = Checksums::try_from(BTreeMap::from([
            ("./news/a.jpg".to_owned(), sum),
            ("Tie\u{302}\u{301}ng.vi.png".to_owned(), sum),
        ]))
        .unwrap();
        assert_eq!(table.get("news/a.jpg"), Some(&sum));
        assert_eq!(table.get("Ti\u{1ebf}ng.vi.png"), Some(&sum), "NFC");
        let err = Checksums::try_from(BTreeMap::from([("../x.jpg".to_owned(), sum)])).unwrap_err();
        assert!(
            err.starts_with("checksums: '../x.jpg': '..' is refused"),
            "{err}"
        );
        let err = Checksums::try_from(BTreeMap::from([
            ("a.jpg".to_owned(), sum),
            ("./a.jpg".to_owned(), sum),
        ]))
        .unwrap_err();
        assert!(err.contains("listed twice"), "{err}");
    }
}
