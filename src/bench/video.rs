//! The video path against GStreamer itself: CPU per frame of decoding up to
//! the frame's YUV planes mapped and checked, ready for the GPU to take (the
//! player writes them into its textures with no copy of its own), beside
//! `gst-launch-1.0 … decodebin ! fakesink` on the same file; the switch gap between clips, cold and prerolled; and
//! memory over many switches.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{median_and_worst, rss_kib};
use crate::media::{Pace, VideoEvent, VideoPipeline};

/// CPU time (user + system) of this process, or of its waited-for children.
fn cpu(who: i32) -> Duration {
    // SAFETY: rusage is plain data, filled in by getrusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage for the call to fill in.
    unsafe { libc::getrusage(who, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Plays a clip through our path as fast as it decodes; returns frames and
/// the pixel formats the decoder made and the frames arrived in.
fn run_flat(file: &Path) -> Result<(u64, Option<(String, String)>), String> {
    let mut pipeline = VideoPipeline::open_with(file, Pace::Flat).map_err(|e| e.to_string())?;
    pipeline.play();
    let started = Instant::now();
    let mut formats = None;
    loop {
        match pipeline.poll().into_iter().next() {
            Some(VideoEvent::Eos) => return Ok((pipeline.frames_delivered(), formats)),
            Some(VideoEvent::Error(e)) => return Err(e),
            None => {}
        }
        if pipeline.take_frame().is_some() && formats.is_none() {
            formats = pipeline.formats();
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err("no end after 10 minutes".into());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// CPU of `gst-launch-1.0 filesrc ! decodebin ! fakesink sync=false`.
fn decode_only_cpu(file: &Path) -> Result<Duration, String> {
    let before = cpu(libc::RUSAGE_CHILDREN);
    let status = std::process::Command::new("gst-launch-1.0")
        .arg("-q")
        .arg("filesrc")
        .arg(format!("location={}", file.display()))
        .args(["!", "decodebin", "!", "fakesink", "sync=false"])
        .status()
        .map_err(|e| format!("gst-launch-1.0: {e}"))?;
    if !status.success() {
        return Err(format!("gst-launch-1.0 failed on {}", file.display()));
    }
    Ok(cpu(libc::RUSAGE_CHILDREN) - before)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Time from a clip's end to the next clip's first frame, `prerolled`
/// (opened before the end, as the player can) or cold (opened at the end).
fn switch_gaps(
    a: &Path,
    b: &Path,
    rounds: usize,
    prerolled: bool,
) -> Result<Vec<Duration>, String> {
    let mut gaps = Vec::new();
    for _ in 0..rounds {
        let mut first = VideoPipeline::open_with(a, Pace::Flat).map_err(|e| e.to_string())?;
        let mut next = if prerolled {
            Some(VideoPipeline::open_with(b, Pace::Flat).map_err(|e| e.to_string())?)
        } else {
            None
        };
        first.play();
        while !first.poll().contains(&VideoEvent::Eos) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let ended = Instant::now();
        let next = match next.take() {
            Some(p) => p,
            None => VideoPipeline::open_with(b, Pace::Flat).map_err(|e| e.to_string())?,
        };
        while next.take_frame().is_none() {
            if ended.elapsed() > Duration::from_secs(10) {
                return Err(format!("{}: no first frame", b.display()));
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        gaps.push(ended.elapsed());
    }
    Ok(gaps)
}

/// Runs the video benchmark over `files` and returns its report.
pub fn bench_video(files: &[&Path], switches: usize) -> Result<String, String> {
    let mut report = Vec::new();
    for file in files {
        let before = cpu(libc::RUSAGE_SELF);
        let (frames, formats) = run_flat(file)?;
        let frames = frames.max(1);
        let ours = cpu(libc::RUSAGE_SELF) - before;
        let theirs = decode_only_cpu(file)?;
        let formats = match formats {
            Some((decoded, delivered)) if decoded == delivered => {
                format!("{decoded} to the GPU as decoded")
            }
            Some((decoded, delivered)) => {
                format!("decoded {decoded}, converted to {delivered} on the CPU")
            }
            None => "pixel format unknown".into(),
        };
        report.push(format!(
            "{}: {frames} frames, {formats}; video path {:.2} ms CPU/frame, decode only (gst-launch) {:.2} ms/frame, ratio {:.2}",
            file.display(),
            ms(ours) / frames as f64,
            ms(theirs) / frames as f64,
            ours.as_secs_f64() / theirs.as_secs_f64().max(1e-9),
        ));
    }
    let (a, b) = (files[0], files[files.len() - 1]);
    for prerolled in [false, true] {
        let (median, worst) = median_and_worst(switch_gaps(a, b, 20, prerolled)?);
        report.push(format!(
            "switch gap {} over 20: median {:.1} ms, worst {:.1} ms",
            if prerolled { "prerolled" } else { "cold     " },
            ms(median),
            ms(worst)
        ));
    }
    let mut after_ten = 0;
    for n in 1..=switches {
        let mut pipeline = VideoPipeline::open_with(a, Pace::Flat).map_err(|e| e.to_string())?;
        pipeline.play();
        while pipeline.take_frame().is_none() {
            if !pipeline.poll().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        drop(pipeline);
        if n == 10 {
            after_ten = rss_kib().unwrap_or(0);
        }
    }
    let after_all = rss_kib().unwrap_or(0);
    report.push(format!(
        "RSS after 10 switches {} MiB, after {switches}: {} MiB ({:+} MiB); peak {} MiB",
        after_ten / 1024,
        after_all / 1024,
        (after_all as i64 - after_ten as i64) / 1024,
        super::peak_rss_kib().unwrap_or(0) / 1024
    ));
    Ok(report.join("\n"))
}
