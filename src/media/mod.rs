//! GStreamer only: video clips decoded into frames for the player, and
//! media probing for the catalog. No Bevy here.

mod decoders;
mod planes;
mod probe;
mod video;

pub use decoders::{DecoderChoice, decoder_choices};
pub use planes::{Colour, FrameSlot, PixelLayout, PlaneRef, Transfer, plane_fits};
pub use probe::DiscovererProbe;
pub use video::{Frame, Pace, VideoEvent, VideoPipeline, set_sixteen_bit_planes};

use std::sync::OnceLock;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum MediaError {
    #[error("GStreamer could not start: {0}")]
    Init(String),
    #[error("{path}: {reason}")]
    Open { path: String, reason: String },
}

/// Starts GStreamer once per process.
pub fn init() -> Result<(), MediaError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gstreamer::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(MediaError::Init)
}
