//! Health figures for the overlay: free disk space (statvfs), journal size,
//! uptime. Read every few seconds while the overlay is open, never per frame.

use std::path::Path;
use std::time::Duration;

use bevy::prelude::*;

use super::{Overlay, OverlaySettings};

/// How often the figures are read again while the overlay is open.
const REFRESH_SECS: f64 = 5.0;

pub use crate::health::{DiskSpace, disk_space};

/// The figures last read; each is `Err` with the reason when it could not be read.
#[derive(Resource, Default, Debug)]
pub struct HealthFigures {
    pub content_disk: Option<Result<DiskSpace, String>>,
    pub data_disk: Option<Result<DiskSpace, String>>,
    pub journal_bytes: Option<Result<u64, String>>,
    pub system_uptime: Option<Duration>,
    next_refresh: f64,
}

pub(super) fn refresh_health_figures(
    overlay: Res<Overlay>,
    settings: Res<OverlaySettings>,
    time: Res<Time<Real>>,
    mut figures: ResMut<HealthFigures>,
) {
    let now = time.elapsed_secs_f64();
    if !overlay.is_unlocked() {
        // Fresh figures the moment it next opens.
        figures.next_refresh = 0.0;
        return;
    }
    if now < figures.next_refresh {
        return;
    }
    figures.next_refresh = now + REFRESH_SECS;
    let text = |e: std::io::Error| e.to_string();
    figures.content_disk = Some(disk_space(&settings.content_dir).map_err(text));
    figures.data_disk = Some(disk_space(&settings.data_dir).map_err(text));
    figures.journal_bytes = Some(folder_bytes(&settings.journal_dir).map_err(text));
    figures.system_uptime = system_uptime();
}

/// Total size of the files in a folder (not its subfolders).
pub fn folder_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

/// How long the PC has been up (from /proc/uptime).
pub fn system_uptime() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let seconds: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_secs_f64(seconds))
}

/// `532 B`, `12.4 MB`, `1.8 GB` (powers of 1000, as disks are sold).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `45 s`, `12 min 05 s`, `3 h 04 min`, `2 d 03 h`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes, seconds) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, _) => format!("{minutes} min {seconds:02} s"),
        (0, _, _) => format!("{hours} h {minutes:02} min"),
        _ => format!("{days} d {hours:02} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_space_of_a_real_folder_and_an_error_for_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let space = disk_space(dir.path()).unwrap();
        assert!(space.total > 0 && space.free <= space.total, "{space:?}");
        let err = disk_space(&dir.path().join("missing")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn journal_size_adds_up_its_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("2026-11.jsonl"), vec![b'x'; 1500]).unwrap();
        std::fs::write(dir.path().join("2026-12.jsonl"), vec![b'x'; 500]).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(folder_bytes(dir.path()).unwrap(), 2000);
        assert_eq!(format_bytes(2000), "2.0 kB");
        assert!(folder_bytes(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn figures_read_well() {
        assert_eq!(format_bytes(532), "532 B");
        assert_eq!(format_bytes(1_830_000_000), "1.8 GB");
        assert_eq!(format_duration(Duration::from_secs(45)), "45 s");
        assert_eq!(format_duration(Duration::from_secs(725)), "12 min 05 s");
        assert_eq!(
            format_duration(Duration::from_secs(3 * 3600 + 240)),
            "3 h 04 min"
        );
        assert_eq!(
            format_duration(Duration::from_secs(2 * 86_400 + 3 * 3600)),
            "2 d 03 h"
        );
        assert!(system_uptime().is_some());
    }
}
