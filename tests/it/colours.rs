//! The GPU's colour conversion, seen in screenshots: every pixel format a
//! decoder hands out against GStreamer's own conversion, and HLG and PQ
//! clips tone-mapped for the SDR panel against the documented formula.

use std::path::Path;

use crate::support::*;

/// One way a clip's frames reach the shader.
struct Case {
    /// The format the clip is encoded from (and decodes to).
    encoded: &'static str,
    /// The player's environment: `INFOKIOSK_PIXEL_FORMAT` makes its appsink
    /// take only that format, to reach the shader's other paths (GStreamer
    /// converts to it); `WGPU_SETTINGS_PRIO=webgpu` leaves out the GPU's
    /// native features, 16-bit textures among them.
    env: &'static [(&'static str, &'static str)],
    /// The layout the player logs for the frames it gets.
    layout: &'static str,
}

#[test]
fn smpte_bars_match_gstreamers_own_conversion() {
    const I420: &[(&str, &str)] = &[("INFOKIOSK_PIXEL_FORMAT", "I420")];
    const NV12: &[(&str, &str)] = &[("INFOKIOSK_PIXEL_FORMAT", "NV12")];
    const P010: &[(&str, &str)] = &[("INFOKIOSK_PIXEL_FORMAT", "P010_10LE")];
    const NO_16_BIT_TEXTURES: &[(&str, &str)] = &[("WGPU_SETTINGS_PRIO", "webgpu")];
    let cases = [
        // 8 bits: I420 as software decoders make it, NV12 as VA-API does.
        ("I420", I420, "I420"),
        ("I420", NV12, "Nv12"),
        ("Y42B", &[], "Y42b"),
        ("Y444", &[], "Y444"),
        // 10 bits (16-bit textures): software HEVC Main10 and H.264 High 10
        // decoders, and P010 as VA-API makes it.
        ("I420_10LE", &[], "I42010le"),
        ("I420_10LE", P010, "P01010le"),
        ("I422_10LE", &[], "I42210le"),
        ("Y444_10LE", &[], "Y44410le"),
        // A GPU without 16-bit textures: 10 bits converted to 8 on the CPU.
        ("I420_10LE", NO_16_BIT_TEXTURES, "I420"),
    ]
    .map(|(encoded, env, layout)| Case {
        encoded,
        env,
        layout,
    });
    let kiosk = Kiosk::new("ticker:\n  enabled: false\ncaptions: []\n");
    let clip = kiosk.content().join("bars.mp4");
    for case in &cases {
        let _ = std::fs::remove_file(&clip);
        gst_launch(&format!(
            "videotestsrc num-buffers=150 pattern=smpte ! video/x-raw,format={},width=640,height=480,framerate=30/1 \
             ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink location={}",
            case.encoded,
            clip.display()
        ));
        age_folder(&kiosk.content());
        // GStreamer's reference: the first frame through videoconvert to
        // RGB, by way of its 16-bit path. Its direct 8-bit path rounds
        // coarsely: on these bars it is up to 5/255 off (green 0,250,0),
        // the 16-bit path and the shader exact to 1/255.
        let reference = kiosk
            .dir
            .path()
            .join(format!("reference-{}.png", case.encoded));
        gst_launch(&format!(
            "filesrc location={} ! decodebin ! video/x-raw,format={} ! videoconvert ! video/x-raw,format=ARGB64 ! videoconvert dither=none ! video/x-raw,format=RGB ! pngenc snapshot=true ! filesink location={}",
            clip.display(),
            case.encoded,
            reference.display()
        ));
        let shot = kiosk.dir.path().join(format!("{}.png", case.layout));
        let args = [OPEN, &["--window-size", "640x480"]].concat();
        let output = kiosk.start_with_env(2.5, &shot, &args, case.env).finish();
        let log = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        assert!(
            log.contains(&format!("bars.mp4: frames 640x480 {},", case.layout)),
            "{} reaches the shader as {}: {log}",
            case.encoded,
            case.layout
        );
        // Said once, in the run whose GPU lacks them, after `app_started`.
        let journal = kiosk.journal();
        let lacking = events(&journal, "gpu_lacks_sixteen_bit");
        let fallback = case
            .env
            .iter()
            .any(|(name, _)| *name == "WGPU_SETTINGS_PRIO");
        assert_eq!(lacking.len(), usize::from(fallback), "{journal:#?}");
        if fallback {
            let at = |line: &serde_json::Value| line["seq"].as_u64().unwrap();
            let started = events(&journal, "app_started");
            assert_eq!(at(lacking[0]), at(started[started.len() - 1]) + 1);
        }
        let worst = compare_bars(&Shot::open(&shot), &Shot::open(&reference), case.layout);
        eprintln!(
            "{}: largest difference from GStreamer's conversion {worst:.2}/255",
            case.layout
        );
    }
}

/// The largest difference between two pictures of SMPTE bars at the bars'
/// centres, out of 255; fails above 2.
fn compare_bars(ours: &Shot, theirs: &Shot, format: &str) -> f64 {
    assert_eq!(ours.0.dimensions(), theirs.0.dimensions());
    // The centres of the seven top bars, the seven strips below them, and
    // the four blocks of the bottom row.
    let mut points = Vec::new();
    for bar in 0..7 {
        let x = (bar * 2 + 1) * 640 / 14;
        points.push((x, 160));
        points.push((x, 340));
    }
    for block in 0..4 {
        points.push(((block * 2 + 1) * 480 / 8, 440));
    }
    let mut worst = 0.0f64;
    for (x, y) in points {
        let (a, b) = (ours.mean(x, y, 8), theirs.mean(x, y, 8));
        for c in 0..3 {
            worst = worst.max((a[c] - b[c]).abs());
        }
        assert!(
            (0..3).all(|c| (a[c] - b[c]).abs() <= 2.0),
            "{format} at ({x}, {y}): ours {a:?}, GStreamer {b:?}"
        );
    }
    worst
}

/// The grey levels of the HDR ramp: 10-bit limited-range codes, black to
/// nominal peak, one bar each.
const RAMP: [u16; 8] = [64, 200, 350, 500, 620, 720, 800, 940];

/// The light of an HDR grey of 10-bit code `code` in cd/m², by BT.2100:
/// for HLG the inverse OETF and the OOTF of a 1000 cd/m² display (gamma
/// 1.2), for PQ the EOTF.
fn hdr_grey_nits(code: u16, hlg: bool) -> f64 {
    let e = (f64::from(code) - 64.0) / 876.0;
    if hlg {
        let (a, b, c) = (0.17883277, 0.28466892, 0.55991073);
        let scene = if e <= 0.5 {
            e * e / 3.0
        } else {
            (((e - c) / a).exp() + b) / 12.0
        };
        return 1000.0 * scene.powf(1.2);
    }
    let (m1, m2) = (0.1593017578125, 78.84375);
    let (c1, c2, c3) = (0.8359375, 18.8515625, 18.6875);
    let p = e.powf(1.0 / m2);
    10000.0 * ((p - c1).max(0.0) / (c2 - c3 * p)).powf(1.0 / m1)
}

/// The panel's 8-bit sRGB value for an HDR grey, by the formula README and
/// the shader document: light relative to reference white (203 cd/m²),
/// itself up to 0.5 and above an extended Reinhard curve reaching the
/// panel's white at 1000 cd/m², then sRGB.
fn hdr_grey_on_the_panel(code: u16, hlg: bool) -> f64 {
    let relative = hdr_grey_nits(code, hlg) / 203.0;
    let knee = 0.5;
    let light = if relative <= knee {
        relative
    } else {
        let excess = (relative - knee) / (1.0 - knee);
        let peak = (1000.0 / 203.0 - knee) / (1.0 - knee);
        knee + (1.0 - knee) * excess * (1.0 + excess / (peak * peak)) / (1.0 + excess)
    };
    let light = light.clamp(0.0, 1.0);
    let encoded = if light <= 0.0031308 {
        light * 12.92
    } else {
        1.055 * light.powf(1.0 / 2.4) - 0.055
    };
    encoded * 255.0
}

/// Ten frames of the ramp as raw I420_10LE: vertical bars of `RAMP`, no
/// colour.
fn write_ramp(path: &Path, width: usize, height: usize) {
    let sample = |value: u16| value.to_le_bytes();
    let row: Vec<u8> = (0..width)
        .flat_map(|x| sample(RAMP[x * RAMP.len() / width]))
        .collect();
    let mut frame = row.repeat(height);
    frame.extend(sample(512).repeat(width * height / 2));
    std::fs::write(path, frame.repeat(10)).unwrap();
}

#[test]
fn hlg_and_pq_clips_are_tone_mapped_for_the_sdr_panel() {
    let kiosk = Kiosk::new("ticker:\n  enabled: false\ncaptions: []\n");
    let raw = kiosk.dir.path().join("ramp.yuv");
    write_ramp(&raw, 640, 480);
    // As phones signal them: BT.2020 primaries and matrix, HLG or PQ.
    for (name, colorimetry, hlg) in [("HLG", "bt2100-hlg", true), ("PQ", "bt2100-pq", false)] {
        let clip = kiosk.content().join("hdr.mp4");
        let _ = std::fs::remove_file(&clip);
        gst_launch(&format!(
            "filesrc location={} ! rawvideoparse format=i420-10le width=640 height=480 framerate=30/1 colorimetry={colorimetry} \
             ! x264enc pass=quant quantizer=4 ! h264parse ! mp4mux ! filesink location={}",
            raw.display(),
            clip.display()
        ));
        age_folder(&kiosk.content());
        let shot = kiosk.dir.path().join(format!("{name}.png"));
        let args = [OPEN, &["--window-size", "640x480"]].concat();
        let output = kiosk.play(2.5, &shot, &args);
        let log = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        assert!(
            log.contains(&format!(
                "hdr.mp4: frames 640x480 I42010le {name}, tone-mapped to SDR"
            )),
            "{log}"
        );
        let shot = Shot::open(&shot);
        let mut seen = Vec::new();
        for (bar, code) in RAMP.iter().enumerate() {
            let x = (bar as u32 * 2 + 1) * 640 / 16;
            let ours = shot.mean(x, 240, 8);
            let expected = hdr_grey_on_the_panel(*code, hlg);
            seen.push((code, expected.round(), ours[0].round()));
            assert!(
                ours.iter().all(|c| (c - expected).abs() <= 2.0),
                "{name} code {code}: on screen {ours:?}, by the formula {expected:.1}; all bars (code, formula, screen): {seen:?}"
            );
        }
        // Shown as if SDR, HLG's reference white (75 %) would be 75 % grey;
        // here it is near the panel's white, and the ramp keeps rising.
        eprintln!("{name} ramp (code, formula, screen): {seen:?}");
    }
}

/// A picture of the screen's size is read texel for texel (`PIXEL_EXACT`
/// in the shader) and shows its own pixels: a one-pixel checkerboard and
/// SMPTE bars, where a texel off by one or blended with its neighbour
/// would turn whole rows grey or wrong.
#[test]
fn a_picture_of_the_screens_size_is_shown_pixel_for_pixel() {
    for (pattern, size) in [("checkers-1", (320, 240)), ("smpte", (320, 240))] {
        let kiosk = Kiosk::new("ticker:\n  enabled: false\n");
        let picture = kiosk.content().join("picture.png");
        make_png(&picture, pattern, size.0, size.1);
        age_folder(&kiosk.content());
        let shot = kiosk.dir.path().join("shot.png");
        let window = format!("{}x{}", size.0, size.1);
        let args = [OPEN, &["--window-size", &window]].concat();
        kiosk.play(2.5, &shot, &args);
        let ours = image::open(&shot).unwrap().to_rgb8();
        let theirs = image::open(&picture).unwrap().to_rgb8();
        assert_eq!(ours.dimensions(), theirs.dimensions());
        let worst = ours
            .pixels()
            .zip(theirs.pixels())
            .flat_map(|(a, b)| (0..3).map(move |c| a[c].abs_diff(b[c])))
            .max()
            .unwrap();
        assert!(
            worst <= 1,
            "{pattern}: a pixel is {worst}/255 off the picture's"
        );
    }
}
