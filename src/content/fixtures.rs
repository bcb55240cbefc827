//! Test helpers: real files with just enough bytes (image headers), a fake video probe, and catalog queries.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Catalog, MediaInfo, Probe, ScanOptions, Scanner};

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
        Ok(MediaInfo {
            duration: Some(Duration::from_secs(15)),
            width: 1920,
            height: 1080,
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
