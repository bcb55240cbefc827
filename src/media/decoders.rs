//! Which decoder GStreamer will pick for each codec a kiosk may meet, and
//! whether it is a hardware one (VA-API on Intel mini-PCs).

use gstreamer as gst;
use gstreamer::prelude::*;

/// The codecs content arrives in, with the caps their parsers produce.
const CODECS: &[(&str, &str)] = &[
    (
        "H.264",
        "video/x-h264, stream-format=byte-stream, alignment=au",
    ),
    (
        "H.265",
        "video/x-h265, stream-format=byte-stream, alignment=au",
    ),
    ("VP9", "video/x-vp9"),
    ("AV1", "video/x-av1, stream-format=obu-stream, alignment=tu"),
];

/// The decoder chosen for one codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoderChoice {
    pub codec: &'static str,
    /// The element factory (`vah264dec`, `avdec_h264`…), `None` if nothing
    /// decodes the codec.
    pub element: Option<String>,
    /// Its klass says `Hardware`.
    pub hardware: bool,
}

/// For each codec, the highest-ranked decoder that takes it: the one
/// decodebin (inside playbin) tries first.
pub fn decoder_choices() -> Result<Vec<DecoderChoice>, super::MediaError> {
    super::init()?;
    let mut factories: Vec<gst::ElementFactory> = gst::ElementFactory::factories_with_type(
        gst::ElementFactoryType::DECODER | gst::ElementFactoryType::MEDIA_VIDEO,
        gst::Rank::MARGINAL,
    )
    .into_iter()
    .collect();
    factories.sort_by_key(|f| std::cmp::Reverse(f.rank()));
    Ok(CODECS
        .iter()
        .map(|(codec, caps)| {
            let caps: gst::Caps = caps.parse().expect("the caps above parse");
            let chosen = factories.iter().find(|f| f.can_sink_any_caps(&caps));
            DecoderChoice {
                codec,
                element: chosen.map(|f| f.name().to_string()),
                hardware: chosen.is_some_and(|f| {
                    f.metadata(gst::ELEMENT_METADATA_KLASS)
                        .is_some_and(|k| k.contains("Hardware"))
                }),
            }
        })
        .collect())
}
