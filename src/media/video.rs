//! One video clip: playbin → appsink (Y, U, V or Y, UV planes at 8 or 10
//! bits, as decoded; the GPU converts them to RGB) for the picture, the
//! default audio sink for the sound.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

use super::{Colour, FrameSlot, MediaError, PixelLayout, PlaneRef, Transfer, init, plane_fits};

/// How a clip is played.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// At the clip's own speed, with sound at this volume.
    RealTime { volume: f64 },
    /// As fast as it decodes, no sound: for measuring the video path.
    Flat,
}

/// What the pipeline's bus said since the last poll.
#[derive(Debug, Clone, PartialEq)]
pub enum VideoEvent {
    /// The clip played to its end.
    Eos,
    /// Decoding failed; the clip cannot go on.
    Error(String),
}

/// A clip being played. Dropping it stops the pipeline (state Null first).
pub struct VideoPipeline {
    playbin: gst::Element,
    bus: gst::Bus,
    slot: Arc<FrameSlot<Frame>>,
    audio_checked: bool,
}

impl VideoPipeline {
    /// Builds the pipeline and prerolls it (PAUSED): the first frame arrives
    /// in the slot without the clip starting. Call [`play`](Self::play) next.
    pub fn open(path: &Path, volume: f64) -> Result<Self, MediaError> {
        Self::open_with(path, Pace::RealTime { volume })
    }

    /// Builds the pipeline for `pace`: in real time with sound (the kiosk),
    /// or as fast as the decoder goes, picture only (benchmarks).
    pub fn open_with(path: &Path, pace: Pace) -> Result<Self, MediaError> {
        init()?;
        let fail = |reason: String| MediaError::Open {
            path: path.display().to_string(),
            reason,
        };
        // GStreamer opens the file itself, blocking: a FIFO or device swapped
        // in since the scan would hold this thread. Checked again here, just
        // before, on an open descriptor.
        crate::guard::open_regular_target(path).map_err(|e| fail(e.to_string()))?;
        let uri = gst::glib::filename_to_uri(path, None).map_err(|e| fail(e.to_string()))?;
        let slot = Arc::new(FrameSlot::default());
        let appsink = build_appsink(slot.clone());
        let playbin = gst::ElementFactory::make("playbin")
            .property("uri", uri.as_str())
            .property("video-sink", &appsink)
            .build()
            .map_err(|e| fail(format!("no playbin element: {e}")))?;
        match pace {
            Pace::RealTime { volume } => {
                let audio_sink = gst::ElementFactory::make("autoaudiosink")
                    .build()
                    .map_err(|e| fail(format!("no audio sink element: {e}")))?;
                playbin.set_property("audio-sink", &audio_sink);
                playbin.set_property("volume", volume);
            }
            Pace::Flat => {
                appsink.set_sync(false);
                // playbin's flags: video only (no audio, no subtitles).
                playbin.set_property_from_str("flags", "video");
            }
        }
        let bus = playbin
            .bus()
            .ok_or_else(|| fail("pipeline has no bus".into()))?;
        playbin
            .set_state(gst::State::Paused)
            .map_err(|e| fail(format!("cannot start decoding: {e}")))?;
        Ok(Self {
            playbin,
            bus,
            slot,
            audio_checked: false,
        })
    }

    pub fn play(&self) {
        if let Err(e) = self.playbin.set_state(gst::State::Playing) {
            tracing::warn!("video: cannot set PLAYING: {e}");
        }
    }

    pub fn pause(&self) {
        if let Err(e) = self.playbin.set_state(gst::State::Paused) {
            tracing::warn!("video: cannot set PAUSED: {e}");
        }
    }

    pub fn set_volume(&self, volume: f64) {
        self.playbin.set_property("volume", volume);
    }

    /// The newest decoded frame, if one arrived since the last call.
    pub fn take_frame(&self) -> Option<Frame> {
        self.slot.take()
    }

    /// Frames delivered by the decoder so far.
    pub fn frames_delivered(&self) -> u64 {
        self.slot.delivered()
    }

    /// The pixel format the video decoder hands out and the one the frames
    /// arrive in (they differ when GStreamer converted them on the CPU);
    /// known once the clip has prerolled.
    pub fn formats(&self) -> Option<(String, String)> {
        let format_of = |pad: gst::Pad| {
            let caps = pad.current_caps()?;
            let structure = caps.structure(0)?;
            structure.get::<String>("format").ok()
        };
        let bin = self.playbin.downcast_ref::<gst::Bin>()?;
        let decoder = bin
            .iterate_recurse()
            .into_iter()
            .flatten()
            .find(|element| {
                element
                    .factory()
                    .is_some_and(|f| f.klass().contains("Decoder") && f.klass().contains("Video"))
            })?;
        let decoded = format_of(decoder.static_pad("src")?)?;
        let sink = self
            .playbin
            .property::<Option<gst::Element>>("video-sink")?;
        let delivered = format_of(sink.static_pad("sink")?)?;
        Some((decoded, delivered))
    }

    pub fn position(&self) -> Option<Duration> {
        self.playbin
            .query_position::<gst::ClockTime>()
            .map(|t| Duration::from_nanos(t.nseconds()))
    }

    pub fn duration(&self) -> Option<Duration> {
        self.playbin
            .query_duration::<gst::ClockTime>()
            .map(|t| Duration::from_nanos(t.nseconds()))
    }

    /// Drains the bus. Call every frame.
    pub fn poll(&mut self) -> Vec<VideoEvent> {
        let mut events = Vec::new();
        while let Some(msg) = self.bus.pop() {
            use gst::MessageView;
            match msg.view() {
                MessageView::Eos(_) => events.push(VideoEvent::Eos),
                MessageView::Error(err) => {
                    let details = err.debug().map(|d| d.to_string()).unwrap_or_default();
                    let source = err.src().map(|s| s.name().to_string()).unwrap_or_default();
                    tracing::debug!("video error from {source}: {details}");
                    events.push(VideoEvent::Error(err.error().to_string()));
                }
                MessageView::Warning(w) => tracing::debug!("video warning: {}", w.error()),
                MessageView::StateChanged(s)
                    if !self.audio_checked
                        && s.src().is_some_and(|src| src == &self.playbin)
                        && s.current() >= gst::State::Paused =>
                {
                    self.audio_checked = true;
                    warn_once_if_silent(&self.playbin);
                    // The sink hands over the preroll frame before the
                    // pipeline reaches PAUSED: none means the data ended first.
                    if self.slot.delivered() == 0 {
                        events.push(VideoEvent::Error(
                            "the clip ends before its first picture".into(),
                        ));
                    }
                }
                _ => {}
            }
        }
        events
    }
}

impl Drop for VideoPipeline {
    fn drop(&mut self) {
        let _ = self.playbin.set_state(gst::State::Null);
    }
}

fn build_appsink(slot: Arc<FrameSlot<Frame>>) -> gst_app::AppSink {
    let caps = gst_video::VideoCapsBuilder::new()
        .format_list(pixel_formats())
        .build();
    let appsink = gst_app::AppSink::builder()
        .caps(&caps)
        .max_buffers(1)
        .drop(true)
        .build();
    let preroll_slot = slot.clone();
    let counter = Arc::new(AtomicU64::new(0));
    appsink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_preroll(move |sink| {
                let sample = sink.pull_preroll().map_err(|_| gst::FlowError::Flushing)?;
                // The preroll frame is frame 0; PLAYING delivers it again as
                // the first sample, which then replaces it harmlessly.
                let frame = frame_from_sample(&sample, 0).map_err(|e| {
                    tracing::warn!("video: unusable frame: {e}");
                    gst::FlowError::Error
                })?;
                preroll_slot.put(frame);
                crate::wake::wake();
                Ok(gst::FlowSuccess::Ok)
            })
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
                let number = counter.fetch_add(1, Ordering::Relaxed);
                let frame = frame_from_sample(&sample, number).map_err(|e| {
                    tracing::warn!("video: unusable frame: {e}");
                    gst::FlowError::Error
                })?;
                slot.put(frame);
                // Drawn at once: a clip is drawn at its own frame rate.
                crate::wake::wake();
                Ok(gst::FlowSuccess::Ok)
            })
            // Its successor is presented at once.
            .eos(|_| crate::wake::wake())
            .build(),
    );
    appsink
}

/// One decoded frame, kept in the decoder's own buffer (no copy): the
/// renderer writes its planes straight into the GPU textures.
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub layout: PixelLayout,
    pub colour: Colour,
    /// 0 for the first frame of the clip (the preroll frame), then counting.
    pub number: u64,
    video: gst_video::VideoFrame<gst_video::video_frame::Readable>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("layout", &self.layout)
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

impl Frame {
    /// The planes, in order (Y, U, V or Y, UV), each checked to hold its rows.
    pub fn planes(&self) -> Vec<PlaneRef<'_>> {
        let sample_bytes = self.layout.sample_bytes();
        self.layout
            .plane_shapes(self.width, self.height)
            .into_iter()
            .enumerate()
            .map(|(index, (width, height, samples_per_pixel))| PlaneRef {
                width,
                height,
                samples_per_pixel,
                sample_bytes,
                stride: self.video.plane_stride()[index] as u32,
                data: self.video.plane_data(index as u32).unwrap_or_default(),
            })
            .collect()
    }
}

/// Whether the GPU samples 16-bit planes (set once the renderer is known;
/// until then, and without a renderer as in benchmarks, taken as yes).
static SIXTEEN_BIT_PLANES: AtomicBool = AtomicBool::new(true);

/// Tells clips opened from now on whether the GPU takes 10-bit frames as
/// they are decoded; if not, GStreamer converts them to 8 bits on the CPU.
pub fn set_sixteen_bit_planes(supported: bool) {
    SIXTEEN_BIT_PLANES.store(supported, Ordering::Relaxed);
}

/// The formats the appsink takes: the decoders' own (VA-API decoders make
/// NV12 or P010, software ones I420, Y42B or Y444 and their 10-bit forms),
/// so nothing is converted on the CPU; playbin converts anything else.
/// `INFOKIOSK_PIXEL_FORMAT=NAME` (GStreamer's name, e.g. `NV12`, `P010_10LE`)
/// takes only that one, to test each path of the shader.
fn pixel_formats() -> Vec<gst_video::VideoFormat> {
    use gst_video::VideoFormat::{I420, I42010le, I42210le, Nv12, P01010le, Y42b, Y444, Y44410le};
    if let Ok(name) = std::env::var("INFOKIOSK_PIXEL_FORMAT") {
        let format = gst_video::VideoFormat::from_string(&name.to_uppercase());
        if layout_of(format).is_some() {
            return vec![format];
        }
        tracing::warn!("INFOKIOSK_PIXEL_FORMAT={name}: not a format the player takes; ignored");
    }
    let mut formats = vec![Nv12, I420, Y42b, Y444];
    if SIXTEEN_BIT_PLANES.load(Ordering::Relaxed) {
        formats.extend([P01010le, I42010le, I42210le, Y44410le]);
    }
    formats
}

fn layout_of(format: gst_video::VideoFormat) -> Option<PixelLayout> {
    use gst_video::VideoFormat as F;
    Some(match format {
        F::I420 => PixelLayout::I420,
        F::Nv12 => PixelLayout::Nv12,
        F::Y42b => PixelLayout::Y42b,
        F::Y444 => PixelLayout::Y444,
        F::I42010le => PixelLayout::I42010le,
        F::I42210le => PixelLayout::I42210le,
        F::Y44410le => PixelLayout::Y44410le,
        F::P01010le => PixelLayout::P01010le,
        _ => return None,
    })
}

fn frame_from_sample(sample: &gst::Sample, number: u64) -> Result<Frame, String> {
    let caps = sample.caps().ok_or("sample without caps")?;
    let info = gst_video::VideoInfo::from_caps(caps).map_err(|e| e.to_string())?;
    let buffer = sample.buffer_owned().ok_or("sample without buffer")?;
    let layout = layout_of(info.format())
        .ok_or_else(|| format!("unexpected pixel format {:?}", info.format()))?;
    if info.stride().iter().any(|s| *s < 0) {
        return Err("negative stride".into());
    }
    let video = gst_video::VideoFrame::from_buffer_readable(buffer, &info)
        .map_err(|_| "cannot map the frame")?;
    let frame = Frame {
        width: info.width(),
        height: info.height(),
        layout,
        colour: colour_of(&info),
        number,
        video,
    };
    for plane in frame.planes() {
        let row_bytes = (plane.width * plane.bytes_per_pixel()) as usize;
        if !plane_fits(
            plane.data.len(),
            plane.stride as usize,
            row_bytes,
            plane.height as usize,
        ) {
            return Err("plane smaller than its size and stride".into());
        }
    }
    Ok(frame)
}

/// The stream's YUV matrix, range, transfer function and primaries; streams
/// that do not say are taken as GStreamer takes them (BT.601 below 720
/// lines, else BT.709, limited range, SDR).
fn colour_of(info: &gst_video::VideoInfo) -> Colour {
    let colorimetry = info.colorimetry();
    let base = match colorimetry.matrix() {
        gst_video::VideoColorMatrix::Bt601 => Colour::BT601,
        gst_video::VideoColorMatrix::Bt709 => Colour::BT709,
        gst_video::VideoColorMatrix::Bt2020 => Colour::BT2020,
        _ if info.height() < 720 => Colour::BT601,
        _ => Colour::BT709,
    };
    let transfer = match colorimetry.transfer() {
        gst_video::VideoTransferFunction::AribStdB67 => Transfer::Hlg,
        gst_video::VideoTransferFunction::Smpte2084 => Transfer::Pq,
        _ => Transfer::Sdr,
    };
    Colour {
        full_range: colorimetry.range() == gst_video::VideoColorRange::Range0_255,
        transfer,
        wide_gamut: colorimetry.primaries() == gst_video::VideoColorPrimaries::Bt2020,
        ..base
    }
}

/// autoaudiosink falls back to a fake sink when the machine has no audio
/// device (as on CI): the clip still plays, silently. Say so once.
fn warn_once_if_silent(playbin: &gst::Element) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    let Some(sink) = playbin.property::<Option<gst::Element>>("audio-sink") else {
        return;
    };
    let Some(bin) = sink.downcast_ref::<gst::Bin>() else {
        return;
    };
    let silent = bin
        .children()
        .iter()
        .any(|child| child.factory().is_some_and(|f| f.name() == "fakesink"));
    if silent && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!("no audio device found: video plays without sound");
    }
}
