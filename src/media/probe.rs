//! Media probing for the catalog: GStreamer's Discoverer reads a clip's
//! duration and picture size, or says why it cannot be played.

use std::path::Path;
use std::time::Duration;

use gstreamer as gst;
use gstreamer_pbutils as gst_pbutils;

use crate::content::{MediaInfo, Probe};

/// How long the Discoverer may take over one clip.
const TIMEOUT_SECS: u64 = 10;

/// How often a clip is asked about before a timeout is the answer. The
/// Discoverer sometimes loses a demuxer's early error (a cut-off MP4 gets
/// "no playable streams" most times, nothing until the timeout the others)
/// and reports a timeout, which once reported as "no video stream".
const TRIES: u32 = 3;

/// A [`Probe`] backed by `gst_pbutils::Discoverer`.
pub struct DiscovererProbe {
    discoverer: Option<gst_pbutils::Discoverer>,
    init_error: Option<String>,
}

impl DiscovererProbe {
    pub fn new() -> Self {
        let made = super::init().map_err(|e| e.to_string()).and_then(|()| {
            gst_pbutils::Discoverer::new(gst::ClockTime::from_seconds(TIMEOUT_SECS))
                .map_err(|e| e.to_string())
        });
        match made {
            Ok(d) => Self {
                discoverer: Some(d),
                init_error: None,
            },
            Err(e) => Self {
                discoverer: None,
                init_error: Some(e),
            },
        }
    }
}

impl Default for DiscovererProbe {
    fn default() -> Self {
        Self::new()
    }
}

impl Probe for DiscovererProbe {
    fn probe_video(&mut self, path: &Path) -> Result<MediaInfo, String> {
        let Some(discoverer) = &self.discoverer else {
            return Err(format!(
                "cannot probe videos: {}",
                self.init_error
                    .as_deref()
                    .unwrap_or("GStreamer unavailable")
            ));
        };
        let uri = gst::glib::filename_to_uri(path, None).map_err(|e| e.to_string())?;
        let mut tries = 0;
        let info = loop {
            tries += 1;
            let info = discoverer
                .discover_uri(&uri)
                .map_err(|e| format!("not a playable video: {e}"))?;
            if info.result() != gst_pbutils::DiscovererResult::Timeout || tries == TRIES {
                break info;
            }
        };
        if info.result() == gst_pbutils::DiscovererResult::Timeout {
            return Err(format!(
                "GStreamer gave no answer about the clip within {TIMEOUT_SECS} s ({TRIES} tries)"
            ));
        }
        let missing = info.missing_elements_installer_details();
        if !missing.is_empty() {
            return Err(format!("missing GStreamer plugin: {}", missing.join(", ")));
        }
        let video = info
            .video_streams()
            .into_iter()
            .next()
            .ok_or("no video stream in the file")?;
        Ok(MediaInfo {
            duration: info.duration().map(|d| Duration::from_nanos(d.nseconds())),
            width: video.width(),
            height: video.height(),
        })
    }
}
