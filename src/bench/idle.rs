//! `infokiosk bench idle`: what the player costs on screens that change
//! little. The player itself (this binary, `run --windowed`) plays one
//! screen at a time on the display it is given: a still picture, a text
//! slide, a still picture under the ticker, a 25 fps clip. For each: CPU
//! seconds and frames drawn (`--frame-log`) over a steady stretch after the
//! start.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Left out of the figures: start-up (window, shaders, the first scan).
const WARM_UP: Duration = Duration::from_secs(8);

/// One screen to measure.
struct Case {
    name: &'static str,
    /// Writes the content folder.
    make: fn(&Path) -> Result<(), String>,
    ticker: bool,
}

const CASES: [Case; 4] = [
    Case {
        name: "still picture 1920x1080",
        make: still_picture,
        ticker: false,
    },
    Case {
        name: "text slide",
        make: text_slide,
        ticker: false,
    },
    Case {
        name: "still picture + ticker",
        make: still_picture_and_ticker,
        ticker: true,
    },
    Case {
        name: "25 fps clip 1280x720",
        make: clip,
        ticker: false,
    },
];

/// Measures each case for `seconds` after the warm-up.
pub fn bench_idle(seconds: u64) -> Result<String, String> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(
            "bench idle draws in a window: run it on a display, or under `xvfb-run -a -s '-screen 0 1920x1080x24' infokiosk bench idle`".into(),
        );
    }
    let measured = Duration::from_secs(seconds);
    let mut out = format!(
        "Player at rest, {seconds} s per screen after {} s of start-up (1920x1080 window)\n\
         {:<26} {:>9} {:>11} {:>8} {:>9}\n",
        WARM_UP.as_secs(),
        "screen",
        "CPU s",
        "% of a core",
        "frames",
        "frames/s"
    );
    for case in &CASES {
        let figures = run_case(case, measured)?;
        let _ = writeln!(
            out,
            "{:<26} {:>9.2} {:>11.1} {:>8} {:>9.1}",
            case.name,
            figures.cpu.as_secs_f64(),
            100.0 * figures.cpu.as_secs_f64() / seconds as f64,
            figures.frames,
            figures.frames as f64 / seconds as f64
        );
    }
    Ok(out)
}

struct Figures {
    cpu: Duration,
    frames: usize,
}

fn run_case(case: &Case, measured: Duration) -> Result<Figures, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).map_err(|e| e.to_string())?;
    (case.make)(&content)?;
    age_files(&content)?;
    let config = dir.path().join("infokiosk.yaml");
    std::fs::write(
        &config,
        format!(
            "kiosk_id: bench\ncontent_dir: {}\ndata_dir: {}\noutbox_dir: {}\nimage_seconds: 3600\nticker:\n  enabled: {}\n",
            content.display(),
            dir.path().join("data").display(),
            dir.path().join("outbox").display(),
            case.ticker
        ),
    )
    .map_err(|e| e.to_string())?;
    let frame_log = dir.path().join("frames.log");
    // This very binary, even if a build has replaced the file since.
    let exe = Path::new("/proc/self/exe");
    let total = WARM_UP + measured + Duration::from_secs(2);
    let mut child = Command::new(exe)
        .args([
            "run",
            "--windowed",
            "--window-size",
            "1920x1080",
            "--config",
        ])
        .arg(&config)
        // 08:00 in Ho Chi Minh City: open.
        .args(["--clock", "2026-11-28T01:00:00Z"])
        .args(["--exit-after", &total.as_secs_f64().to_string()])
        .arg("--frame-log")
        .arg(&frame_log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the player: {e}"))?;
    let pid = child.id();
    std::thread::sleep(WARM_UP);
    let before = cpu_of(pid);
    std::thread::sleep(measured);
    let after = cpu_of(pid);
    let status = child.wait().map_err(|e| e.to_string())?;
    let (Some(before), Some(after)) = (before, after) else {
        return Err(format!("{}: the player ended early ({status})", case.name));
    };
    let window = WARM_UP.as_millis()..(WARM_UP + measured).as_millis();
    let frames = std::fs::read_to_string(&frame_log)
        .map_err(|e| format!("{}: no frame log: {e}", frame_log.display()))?
        .lines()
        .filter_map(|line| line.split('\t').nth(1)?.parse::<u128>().ok())
        .filter(|ms| window.contains(ms))
        .count();
    Ok(Figures {
        cpu: after.saturating_sub(before),
        frames,
    })
}

/// User + system CPU time of a running process, from `/proc/PID/stat`.
fn cpu_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command's name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

fn still_picture(content: &Path) -> Result<(), String> {
    let picture = image::RgbImage::from_fn(1920, 1080, |x, y| {
        image::Rgb([(x / 8) as u8, (y / 5) as u8, ((x + y) / 12) as u8])
    });
    picture
        .save(content.join("poster.png"))
        .map_err(|e| e.to_string())
}

fn text_slide(content: &Path) -> Result<(), String> {
    std::fs::write(
        content.join("tin-tuc.vi.txt"),
        "Cửa khẩu quốc tế Tịnh Biên\n\nGiờ làm việc: 7 giờ đến 11 giờ và 14 giờ đến 18 giờ, kể cả thứ Bảy và Chủ nhật.\n",
    )
    .map_err(|e| e.to_string())
}

fn still_picture_and_ticker(content: &Path) -> Result<(), String> {
    still_picture(content)?;
    std::fs::write(
        content.join("ticker.vi.txt"),
        "Cửa khẩu mở cửa từ 7 giờ đến 18 giờ\nXin vui lòng xuất trình hộ chiếu\n",
    )
    .map_err(|e| e.to_string())
}

/// 40 s at 25 fps, H.264, encoded here with GStreamer.
fn clip(content: &Path) -> Result<(), String> {
    let path = content.join("clip.mp4");
    let status = Command::new("gst-launch-1.0")
        .arg("-q")
        .args(
            "videotestsrc num-buffers=1000 pattern=ball ! video/x-raw,format=I420,width=1280,height=720,framerate=25/1 \
             ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink"
                .split_whitespace(),
        )
        .arg(format!("location={}", path.display()))
        .status()
        .map_err(|e| format!("gst-launch-1.0: {e}"))?;
    if !status.success() {
        return Err("gst-launch-1.0 could not make the test clip".into());
    }
    Ok(())
}

/// Dates the folder's files ten minutes back: settled, so the first scan
/// takes them.
fn age_files(content: &Path) -> Result<(), String> {
    let old = std::time::SystemTime::now() - Duration::from_secs(600);
    for entry in std::fs::read_dir(content).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_modified(old))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_for_a_running_process_and_not_for_a_gone_one() {
        let me = std::process::id();
        assert!(cpu_of(me).is_some());
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert_eq!(cpu_of(pid), None, "reaped");
    }
}
