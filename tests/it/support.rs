//! Shared test tools: generated media, a player under Xvfb, the journal and
//! screenshots read back.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

/// Window tests run one at a time: two software-rendered windows on two
/// cores starve each other, and `xvfb-run -a` can race for a display.
pub static WINDOW: Mutex<()> = Mutex::new(());

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_infokiosk")
}

/// Where tests keep their screenshots for people to look at.
pub fn artifact(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs a `gst-launch-1.0` pipeline description; panics with its output on failure.
pub fn gst_launch(description: &str) {
    let out = Command::new("gst-launch-1.0")
        .arg("-q")
        .args(description.split_whitespace())
        .output()
        .expect("gst-launch-1.0 runs (gstreamer1.0-tools)");
    assert!(
        out.status.success(),
        "gst-launch-1.0 {description}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A solid-colour PNG (`pattern` is a videotestsrc pattern: red, green, blue, white…).
pub fn make_png(path: &Path, pattern: &str, width: u32, height: u32) {
    gst_launch(&format!(
        "videotestsrc num-buffers=1 pattern={pattern} ! video/x-raw,width={width},height={height} ! pngenc ! filesink location={}",
        path.display()
    ));
}

/// An H.264 + AAC MP4 clip of `seconds` at 30 fps.
pub fn make_mp4(path: &Path, pattern: &str, width: u32, height: u32, seconds: u32) {
    make_clip(path, pattern, (width, height), seconds * 30, 30, "");
}

/// An H.264 + AAC MP4 clip of `frames` at `fps`, with `mux_options` for
/// mp4mux (e.g. `faststart=true`: the index before the data).
pub fn make_clip(
    path: &Path,
    pattern: &str,
    (width, height): (u32, u32),
    frames: u32,
    fps: u32,
    mux_options: &str,
) {
    let audio_buffers = frames * 44100 / fps / 1024 + 1;
    // 4:2:0 8-bit as cameras make it; x264 can only do odd sizes in 4:4:4.
    let format = if width % 2 == 0 && height % 2 == 0 {
        ",format=I420"
    } else {
        ""
    };
    gst_launch(&format!(
        "videotestsrc num-buffers={frames} pattern={pattern} ! video/x-raw{format},width={width},height={height},framerate={fps}/1 \
         ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux name=mux {mux_options} ! filesink location={} \
         audiotestsrc num-buffers={audio_buffers} ! audioconvert ! avenc_aac ! mux.",
        path.display()
    ));
}

/// Keeps the first `keep` of a file's bytes: a copy cut off mid-transfer.
pub fn truncate(path: &Path, keep: f64) {
    let bytes = std::fs::read(path).unwrap();
    let len = (bytes.len() as f64 * keep) as usize;
    std::fs::write(path, &bytes[..len]).unwrap();
}

/// A kiosk: a config file, a content folder and a data folder in a temp dir.
pub struct Kiosk {
    pub dir: tempfile::TempDir,
}

impl Kiosk {
    pub fn new(extra_config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(
            root.join("infokiosk.yaml"),
            format!(
                "kiosk_id: test-kiosk\ncontent_dir: {}\ndata_dir: {}\noutbox_dir: {}\n{}{extra_config}",
                root.join("content").display(),
                root.join("data").display(),
                // Not the machine's /srv/infokiosk/outbox: status files and
                // journal seals stay with the test.
                root.join("outbox").display(),
                // One-second pictures unless the test says otherwise.
                if extra_config.contains("image_seconds") {
                    ""
                } else {
                    "image_seconds: 1\n"
                },
            ),
        )
        .unwrap();
        Self { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("infokiosk.yaml")
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs the player in a 1280x720 window under Xvfb for `seconds`, then
    /// saves a screenshot to `screenshot` (removed first, so that it is this
    /// run's or missing).
    pub fn play(&self, seconds: f64, screenshot: &Path, extra_args: &[&str]) -> Output {
        self.start(seconds, screenshot, extra_args).finish()
    }

    /// Starts the player like [`play`](Self::play) without waiting for it.
    pub fn start(&self, seconds: f64, screenshot: &Path, extra_args: &[&str]) -> Running {
        self.start_with_env(seconds, screenshot, extra_args, &[])
    }

    /// [`start`](Self::start) with environment variables set for the player.
    pub fn start_with_env(
        &self,
        seconds: f64,
        screenshot: &Path,
        extra_args: &[&str],
        env: &[(&str, &str)],
    ) -> Running {
        let window = WINDOW.lock().unwrap_or_else(|e| e.into_inner());
        // A picture left by an earlier run must not pass for this run's: the
        // player exits with an error when a screenshot was not written.
        let timed = extra_args
            .windows(2)
            .filter(|pair| pair[0] == "--screenshot-at")
            .filter_map(|pair| pair[1].split_once(':'))
            .map(|(_, path)| Path::new(path));
        for path in timed.chain([screenshot]) {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    panic!("cannot remove the old screenshot {}: {e}", path.display())
                }
                _ => {}
            }
        }
        // The screen is as large as the window the test asks for.
        let size = extra_args
            .iter()
            .position(|a| *a == "--window-size")
            .map_or("1280x720", |i| extra_args[i + 1]);
        let screen = format!("-screen 0 {size}x24");
        let child = Command::new("xvfb-run")
            .args(["-a", "-s", &screen, bin(), "run", "--windowed"])
            .arg("--config")
            .arg(self.config())
            .args(["--exit-after", &seconds.to_string()])
            .arg("--screenshot")
            .arg(screenshot)
            .args(extra_args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xvfb-run runs (package xvfb)");
        Running {
            child,
            _window: window,
        }
    }

    /// Every readable journal line, oldest first.
    pub fn journal(&self) -> Vec<Value> {
        let dir = self.data().join("journal");
        infokiosk::journal::month_files(&dir)
            .iter()
            .flat_map(|f| infokiosk::journal::read_file(f).records)
            .collect()
    }
}

/// A player running under Xvfb; holds the window lock until it is finished.
pub struct Running {
    child: Child,
    _window: MutexGuard<'static, ()>,
}

impl Running {
    /// Waits for the player to exit by itself; panics if it failed.
    pub fn finish(self) -> Output {
        let out = self.wait();
        assert!(
            out.status.success(),
            "player failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Waits for the player to exit by itself, however it exits.
    pub fn wait(self) -> Output {
        self.child.wait_with_output().unwrap()
    }
}

/// The journal lines of one event type.
pub fn events<'a>(journal: &'a [Value], event: &str) -> Vec<&'a Value> {
    journal.iter().filter(|r| r["event"] == event).collect()
}

/// A screenshot, as RGB pixels.
pub struct Shot(pub image::RgbImage);

impl Shot {
    pub fn open(path: &Path) -> Self {
        Self(image::open(path).expect("screenshot saved").to_rgb8())
    }

    /// Average colour of a square of `size` pixels centred on (x, y).
    pub fn mean(&self, x: u32, y: u32, size: u32) -> [f64; 3] {
        let mut sum = [0.0; 3];
        let mut n = 0.0;
        for py in y - size / 2..y + size / 2 {
            for px in x - size / 2..x + size / 2 {
                let p = self.0.get_pixel(px, py);
                for c in 0..3 {
                    sum[c] += p[c] as f64;
                }
                n += 1.0;
            }
        }
        sum.map(|s| s / n)
    }

    /// Whether a region is close to a colour (per channel, out of 255).
    pub fn is_near(&self, x: u32, y: u32, colour: [f64; 3], tolerance: f64) -> bool {
        let m = self.mean(x, y, 16);
        (0..3).all(|c| (m[c] - colour[c]).abs() <= tolerance)
    }
}

/// `--clock` at 08:00 in Asia/Ho_Chi_Minh: inside operating hours, whatever
/// the time the test runs at.
pub const OPEN: &[&str] = &["--clock", "2026-11-28T01:00:00Z"];

pub const BLACK: [f64; 3] = [0.0, 0.0, 0.0];
pub const RED: [f64; 3] = [255.0, 0.0, 0.0];
pub const GREEN: [f64; 3] = [0.0, 255.0, 0.0];

/// A stand-in for a display power program: appends its arguments, one call
/// a line, to `calls`; as `xset` on a server with DPMS, it keeps the
/// monitor's state and says it when asked (`q`). Returns the script's path.
pub fn recording_stub(dir: &Path, calls: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("display-stub.sh");
    let state = dir.join("monitor-state");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{calls}'\n\
             case \"$*\" in\n\
             *'force off'*) echo Off > '{state}' ;;\n\
             *'force on'*) echo On > '{state}' ;;\n\
             q) echo 'DPMS (Energy Star):'; echo '  DPMS is Enabled'; \
             echo \"  Monitor is $(cat '{state}' 2>/dev/null || echo On)\" ;;\n\
             esac\n",
            calls = calls.display(),
            state = state.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Runs `infokiosk` with `args` and the environment variable `TZ`.
pub fn cli(args: &[&str], tz: &str) -> Output {
    Command::new(bin())
        .args(args)
        .env("TZ", tz)
        .output()
        .unwrap()
}

/// Sets a file's modification time an hour back: a file that settled long
/// ago, not one still being written.
pub fn age(path: &Path) {
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
}

/// [`age`] for every file in a folder.
pub fn age_folder(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        age(&entry.unwrap().path());
    }
}
