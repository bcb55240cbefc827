//! Test helpers: real files with just enough bytes (image headers), a fake video probe, and catalog queries.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::content::naming::MANIFEST;
use crate::content::{
    Catalog, MediaInfo, Probe, ScanOptions, Scanner, TrustConfig, build_manifest,
};

/// The first 33 bytes of a PNG: enough for any header reader.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// A baseline JPEG up to its frame header (SOF0), which is where the size is.
pub fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08];
    bytes.extend(height.to_be_bytes());
    bytes.extend(width.to_be_bytes());
    bytes.extend([
        0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9,
    ]);
    bytes
}

/// A probe that answers from the file name and counts its calls.
#[derive(Default)]
pub struct FakeProbe {
    pub calls: Vec<String>,
}

impl Probe for FakeProbe {
    fn probe_video(&mut self, path: &Path) -> Result<MediaInfo, String> {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        self.calls.push(name.clone());
        if name.contains("truncated") {
            return Err("could not determine type of stream (qtdemux: no 'moov' atom within the first 10 MB)".into());
        }
        // A strip wider than most GPUs' largest texture (16384).
        let (width, height) = if name.contains("strip") {
            (16416, 64)
        } else {
            (1920, 1080)
        };
        Ok(MediaInfo {
            duration: Some(Duration::from_secs(15)),
            width,
            height,
        })
    }
}

pub fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// A moment when everything just written has settled.
pub fn later() -> SystemTime {
    SystemTime::now() + Duration::from_secs(60)
}

pub fn scan(dir: &Path) -> Catalog {
    Scanner::new(dir.into(), ScanOptions::default(), None).scan(&mut FakeProbe::default(), later())
}

pub fn playable(catalog: &Catalog) -> Vec<&str> {
    catalog
        .items
        .iter()
        .map(|i| i.rel.to_str().unwrap())
        .collect()
}

/// The reason `rel` is rejected, after checking it is neither playable nor pending.
pub fn reason(catalog: &Catalog, rel: &str) -> String {
    assert!(!playable(catalog).contains(&rel) && !catalog.pending.contains(&PathBuf::from(rel)));
    let rows: Vec<_> = catalog
        .rejected
        .iter()
        .filter(|r| r.rel == Path::new(rel))
        .collect();
    assert_eq!(rows.len(), 1, "{rel} in {:?}", catalog.rejected);
    rows[0].reason.clone()
}

/// The Department's signing desk: a throwaway minisign key pair made with the real `minisign`.
pub struct Office {
    keys: tempfile::TempDir,
    public_key: String,
}

impl Office {
    pub fn new() -> Self {
        let keys = tempfile::tempdir().unwrap();
        minisign(&["-G", "-W", "-p", "pub", "-s", "sec"], keys.path());
        let text = fs::read_to_string(keys.path().join("pub")).unwrap();
        let public_key = text.lines().nth(1).unwrap().trim().to_owned();
        Office { keys, public_key }
    }

    /// Trust in this office's key, with signatures required.
    pub fn trust(&self) -> TrustConfig {
        TrustConfig {
            public_keys: vec![self.public_key.clone()],
            require_signature: true,
            ..Default::default()
        }
    }

    /// `minisign -Sm FILE`: writes FILE.minisig and returns its text.
    pub fn sign_file(&self, file: &Path) -> String {
        self.sign_file_saying(file, &[])
    }

    /// `minisign -Sm FILE` with more options (`-t COMMENT`).
    pub fn sign_file_saying(&self, file: &Path, options: &[&str]) -> String {
        let sec = self.keys.path().join("sec");
        let mut args = vec![
            "-S",
            "-s",
            sec.to_str().unwrap(),
            "-m",
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(options);
        minisign(&args, self.keys.path());
        let mut sig = file.as_os_str().to_owned();
        sig.push(".minisig");
        fs::read_to_string(sig).unwrap()
    }

    /// What the office does for an update: `infokiosk manifest build`, then sign.
    pub fn publish(&self, content: &Path) {
        let manifest = content.join(MANIFEST);
        let existing = fs::read_to_string(&manifest).ok();
        fs::write(
            &manifest,
            build_manifest(content, existing.as_deref()).unwrap(),
        )
        .unwrap();
        self.sign_file(&manifest);
    }
}

fn minisign(args: &[&str], dir: &Path) {
    let out = std::process::Command::new("minisign")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run minisign ({e}): apt-get install minisign (the Makefile lists it)")
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "minisign {args:?} failed: {stderr}");
}
