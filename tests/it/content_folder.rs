//! The synced content folder: every refused file explained, files joining
//! and leaving the loop while it plays, half-copied files never opened, and
//! urgent items cutting in.

use std::path::Path;
use std::time::Duration;

use crate::support::*;

/// A PNG header that claims 20000x20000 pixels (400 megapixels).
fn png_bomb(path: &Path) {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&20_000u32.to_be_bytes());
    bytes.extend_from_slice(&20_000u32.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn catalog_command_lists_play_order_and_explains_every_refusal() {
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("a-good.vi.png"), "red", 64, 48);
    make_png(&c.join("a-good.en.png"), "red", 64, 48);
    make_mp4(&c.join("b-clip.mp4"), "green", 160, 120, 1);
    make_mp4(&c.join("cut.mp4"), "green", 160, 120, 2);
    truncate(&c.join("cut.mp4"), 0.3);
    std::fs::write(c.join("noise.jpg"), [0x42u8; 3000]).unwrap();
    png_bomb(&c.join("bomb.png"));
    std::fs::write(c.join("empty.png"), b"").unwrap();
    std::fs::write(c.join(".syncthing.arriving.mp4.tmp"), b"partial").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", c.join("a.jpg")).unwrap();
    std::fs::create_dir(c.join("x.mp4")).unwrap();
    std::fs::write(c.join("notes.docx"), b"PK").unwrap();
    for entry in std::fs::read_dir(&c).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.is_symlink() {
            age(&path);
        }
    }
    let out = cli(
        &[
            "catalog",
            "--config",
            kiosk.config().to_str().unwrap(),
            "--json",
        ],
        "UTC",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let playable: Vec<&str> = json["playable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(playable, ["a-good.en.png", "a-good.vi.png", "b-clip.mp4"]);
    assert_eq!(json["playable"][0]["group"], "a-good");
    assert_eq!(json["playable"][0]["language"], "en");
    assert_eq!(json["playable"][2]["kind"], "video");
    let reason = |name: &str| -> String {
        json["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == name)
            .unwrap_or_else(|| panic!("{name} is listed as refused: {json:#}"))["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // Word for word: a loose match would let one refusal pass for another.
    // cut.mp4 is GStreamer's own answer (its index, at the end, is cut off).
    assert_eq!(
        reason("cut.mp4"),
        "not a playable video: This file contains no playable streams."
    );
    assert_eq!(
        reason("noise.jpg"),
        "not a valid image: the content is not a JPEG, PNG or WebP image"
    );
    assert_eq!(
        reason("bomb.png"),
        "image is 20000x20000 = 400.0 megapixels, over the limit of 40.0 (refused before decoding)"
    );
    assert_eq!(reason("empty.png"), "empty file (0 bytes)");
    assert_eq!(
        reason(".syncthing.arriving.mp4.tmp"),
        "temporary file still being written (Syncthing)"
    );
    assert_eq!(reason("a.jpg"), "symlink points outside the content folder");
    assert_eq!(
        reason("x.mp4"),
        "is a directory named like a media file: its contents are not scanned"
    );
    assert!(
        reason("notes.docx").starts_with("unknown file type '.docx' (shown: jpg jpeg png"),
        "{}",
        reason("notes.docx")
    );
    // The same as a person reads it.
    let text = cli(
        &["catalog", "--config", kiosk.config().to_str().unwrap()],
        "UTC",
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("1. a-good.en.png") && text.contains("bomb.png:"),
        "{text}"
    );
}

#[test]
fn manifest_with_escaping_paths_is_refused_entry_by_entry() {
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("one.png"), "red", 64, 48);
    make_png(&c.join("two.png"), "red", 64, 48);
    std::fs::write(
        c.join("playlist.yaml"),
        "items:\n  - file: two.png\n    duration: 4\n  - file: ../../etc/passwd\n  - file: /etc/hosts\n",
    )
    .unwrap();
    for name in ["one.png", "two.png", "playlist.yaml"] {
        age(&c.join(name));
    }
    let out = cli(
        &[
            "catalog",
            "--config",
            kiosk.config().to_str().unwrap(),
            "--json",
        ],
        "UTC",
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["playable"][0]["path"], "two.png",
        "manifest order first: {json:#}"
    );
    assert_eq!(json["playable"][0]["duration_ms"], 4000);
    assert_eq!(json["playable"][1]["path"], "one.png");
    assert_eq!(json["playable"].as_array().unwrap().len(), 2, "{json:#}");
    // Each escaping entry refused for what it is (not, say, as a missing
    // file), under the name it was written with.
    let rejected: Vec<(&str, &str)> = json["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        [
            (
                "../../etc/passwd",
                "playlist.yaml item 2: '..' is refused: paths stay inside the content folder"
            ),
            (
                "/etc/hosts",
                "playlist.yaml item 3: absolute paths are refused: give the path relative to the content folder"
            ),
        ]
    );
}

#[test]
fn files_join_and_leave_the_loop_while_it_plays() {
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("a.png"), "red", 640, 480);
    let running = kiosk.start(9.0, &artifact("live-changes.png"), OPEN);
    std::thread::sleep(Duration::from_secs(3));
    // Syncthing: a temp name, then renamed into place.
    let temp = c.join(".syncthing.b.png.tmp");
    make_png(&temp, "blue", 640, 480);
    age(&temp);
    std::fs::rename(&temp, c.join("b.png")).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    std::fs::remove_file(c.join("a.png")).unwrap();
    running.finish();
    let journal = kiosk.journal();
    let added: Vec<_> = events(&journal, "content_added")
        .iter()
        .map(|r| r["item"].as_str().unwrap().to_owned())
        .collect();
    assert!(added.contains(&"b.png".to_owned()), "{added:?}");
    assert!(
        events(&journal, "content_removed")
            .iter()
            .any(|r| r["item"] == "a.png")
    );
    assert!(
        events(&journal, "play_started")
            .iter()
            .any(|r| r["item"] == "b.png")
    );
    // The temp name never counted as a failure.
    assert!(
        events(&journal, "item_failed").is_empty(),
        "{:?}",
        events(&journal, "item_failed")
    );
    // a.png left the loop: nothing plays it after its removal.
    let removed_at = journal
        .iter()
        .position(|r| r["event"] == "content_removed")
        .unwrap();
    assert!(
        !journal[removed_at..]
            .iter()
            .any(|r| r["event"] == "play_started" && r["item"] == "a.png")
    );
}

#[test]
fn half_copied_files_are_never_opened() {
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("a.png"), "red", 640, 480);
    let source = kiosk.dir.path().join("source.mp4");
    make_mp4(&source, "green", 320, 240, 2);
    let bytes = std::fs::read(&source).unwrap();
    let running = kiosk.start(14.0, &artifact("half-copied.png"), OPEN);
    std::thread::sleep(Duration::from_secs(2));
    // 1. Slowly under a Syncthing temp name, then renamed into place.
    use std::io::Write;
    let temp = c.join(".syncthing.synced.mp4.tmp");
    let mut file = std::fs::File::create(&temp).unwrap();
    for chunk in bytes.chunks(bytes.len() / 8 + 1) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(file);
    std::fs::rename(&temp, c.join("synced.mp4")).unwrap();
    // 2. In place, in chunks (rsync --inplace, cp): played once its size is stable.
    let mut file = std::fs::File::create(c.join("inplace.mp4")).unwrap();
    for chunk in bytes.chunks(bytes.len() / 8 + 1) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(file);
    running.finish();
    let journal = kiosk.journal();
    assert!(
        events(&journal, "item_failed").is_empty(),
        "no half file was tried: {:?}",
        events(&journal, "item_failed")
    );
    let started: Vec<&str> = events(&journal, "play_started")
        .iter()
        .map(|r| r["item"].as_str().unwrap())
        .collect();
    assert!(started.contains(&"synced.mp4"), "{started:?}");
    assert!(started.contains(&"inplace.mp4"), "{started:?}");
    for name in ["synced.mp4", "inplace.mp4"] {
        let ended = events(&journal, "play_ended")
            .into_iter()
            .find(|r| r["item"] == name);
        if let Some(ended) = ended {
            assert_ne!(ended["ended"], "error", "{ended}");
        }
    }
}

#[test]
fn urgent_item_cuts_in_at_once() {
    let kiosk = Kiosk::new("image_seconds: 60\n");
    let c = kiosk.content();
    make_png(&c.join("regular.png"), "red", 640, 480);
    let running = kiosk.start(7.0, &artifact("urgent.png"), OPEN);
    std::thread::sleep(Duration::from_secs(3));
    std::fs::create_dir(c.join("urgent")).unwrap();
    let temp = c.join("urgent/.syncthing.alert.png.tmp");
    make_png(&temp, "blue", 640, 480);
    age(&temp);
    std::fs::rename(&temp, c.join("urgent/alert.png")).unwrap();
    running.finish();
    let journal = kiosk.journal();
    let preempted = events(&journal, "preempted");
    assert_eq!(preempted.len(), 1, "{journal:#?}");
    assert_eq!(preempted[0]["item"], "urgent/alert.png");
    assert_eq!(preempted[0]["interrupted"], "regular.png");
    let regular_end = events(&journal, "play_ended")
        .into_iter()
        .find(|r| r["item"] == "regular.png")
        .unwrap();
    assert_eq!(regular_end["ended"], "skipped");
    let shot = Shot::open(&artifact("urgent.png"));
    assert!(
        shot.is_near(640, 360, [0.0, 0.0, 255.0], 40.0),
        "the urgent picture is on screen: {:?}",
        shot.mean(640, 360, 16)
    );
}

#[test]
fn hostile_names_and_captions_are_refused_or_cleaned_never_a_crash() {
    use std::os::unix::ffi::OsStrExt;
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("good.png"), "red", 64, 48);
    // A name that is not UTF-8, a name with a newline, a caption with control characters.
    std::fs::write(
        c.join(std::ffi::OsStr::from_bytes(b"bad-\xff-name.png")),
        b"x",
    )
    .unwrap();
    std::fs::copy(c.join("good.png"), c.join("two\nlines.png")).unwrap();
    make_mp4(&c.join("clip.mp4"), "green", 160, 120, 1);
    std::fs::write(
        c.join("clip.km.srt"),
        "1\n00:00:00,000 --> 00:00:01,000\nok\u{7}\u{1b}[31m text\n",
    )
    .unwrap();
    std::fs::write(
        c.join("playlist.yaml"),
        format!("items: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
    )
    .unwrap();
    age_folder(&c);
    let out = cli(
        &[
            "catalog",
            "--config",
            kiosk.config().to_str().unwrap(),
            "--json",
        ],
        "UTC",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = json.to_string();
    assert!(
        text.contains("UTF-8"),
        "the non-UTF-8 name is refused with a reason: {json:#}"
    );
    assert!(
        json["manifest_error"]
            .as_str()
            .unwrap()
            .contains("nested deeper"),
        "{json:#}"
    );
    let captions = infokiosk::captions::parse_file(&c.join("clip.km.srt")).unwrap();
    assert!(
        !captions.cues[0]
            .text
            .chars()
            .any(|ch| ch.is_control() && ch != '\n'),
        "{:?}",
        captions.cues[0].text
    );
}

/// The player process started for `kiosk` (a child of xvfb-run), found by
/// its config path, which is this test's own.
fn player_pid(kiosk: &Kiosk) -> Option<i32> {
    player_pid_for(&kiosk.config())
}

/// [`player_pid`] by the config path alone, for a thread that does not hold the `Kiosk`.
fn player_pid_for(config: &Path) -> Option<i32> {
    let config = config.display().to_string();
    std::fs::read_dir("/proc").ok()?.find_map(|entry| {
        let entry = entry.ok()?;
        let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let ours = args.first()?.ends_with(b"infokiosk") && args.contains(&config.as_bytes());
        ours.then_some(pid)
    })
}

#[test]
fn thousands_of_junk_files_make_one_journal_line_and_none_at_the_next_start() {
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("a.png"), "red", 640, 480);
    age(&c.join("a.png"));
    for i in 0..20_000 {
        std::fs::File::create(c.join(format!("junk-{i}.docx"))).unwrap();
    }
    // Lines a run writes besides what it plays and its heartbeats.
    let other = |lines: &[serde_json::Value]| -> Vec<String> {
        lines
            .iter()
            .map(|r| r["event"].as_str().unwrap_or_default().to_owned())
            .filter(|e| !e.starts_with("play_") && e != "heartbeat")
            .collect()
    };

    // First run: stopped by --exit-after.
    kiosk.play(6.0, &artifact("junk-files-1.png"), OPEN);
    let first = kiosk.journal();
    assert!(
        events(&first, "play_started")
            .iter()
            .any(|r| r["item"] == "a.png"),
        "the picture plays"
    );
    let refused = events(&first, "content_refused");
    assert_eq!(refused.len(), 1, "{:?}", other(&first));
    assert_eq!(refused[0]["count"], 20_000);
    assert!(events(&first, "item_failed").is_empty());
    assert!(other(&first).len() < 50, "{:?}", other(&first));
    assert_eq!(
        first.last().unwrap()["event"],
        "app_stopped",
        "drained at exit"
    );

    // Second run: stopped by SIGTERM, as systemd stops it, once it plays.
    let running = kiosk.start(60.0, &artifact("junk-files-2.png"), OPEN);
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    let plays = |lines: &[serde_json::Value]| events(lines, "play_started").len();
    while plays(&kiosk.journal()) <= plays(&first) {
        assert!(
            std::time::Instant::now() < deadline,
            "the picture plays again"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let pid = player_pid(&kiosk).expect("the player runs");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = running.wait();
    let journal = kiosk.journal();
    let second = &journal[first.len()..];
    assert!(
        events(second, "play_started")
            .iter()
            .any(|r| r["item"] == "a.png")
    );
    assert!(
        events(second, "content_refused").is_empty() && events(second, "item_failed").is_empty(),
        "the same junk is not journaled again: {:?}",
        other(second)
    );
    assert!(other(second).len() < 50, "{:?}", other(second));
    assert_eq!(
        journal.last().unwrap()["event"],
        "app_stopped",
        "drained on SIGTERM: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seqs: Vec<u64> = journal.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=journal.len() as u64).collect::<Vec<_>>());
}

#[test]
fn fifos_and_a_clip_wider_than_the_gpu_never_stall_or_end_the_player() {
    let kiosk = Kiosk::new("");
    let c = kiosk.content();
    make_png(&c.join("a.png"), "red", 640, 480);
    age(&c.join("a.png"));
    // Wider than llvmpipe's (and most GPUs') largest texture, 16384: before the
    // fix wgpu rejected the texture at preroll and Bevy ended the app.
    gst_launch(&format!(
        "videotestsrc num-buffers=20 ! video/x-raw,width=16416,height=64,framerate=10/1 \
         ! jpegenc ! matroskamux ! filesink location={}",
        c.join("strip.mkv").display()
    ));
    age(&c.join("strip.mkv"));
    for name in ["control.yaml", "news.vi.srt"] {
        let made = std::process::Command::new("mkfifo")
            .arg(c.join(name))
            .status()
            .unwrap();
        assert!(made.success());
    }
    let running = kiosk.start(8.0, &artifact("fifo-control.png"), OPEN);
    // Before the fix the first frame blocked on the FIFO for ever: end such a run
    // instead of hanging the suite (it then fails on its exit status).
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let config = kiosk.config();
    let stopper = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60)).is_err()
            && let Some(pid) = player_pid_for(&config)
        {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    });
    let out = running.wait();
    let _ = done.send(());
    stopper.join().unwrap();
    assert!(
        out.status.success(),
        "the player exits by itself at --exit-after: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let journal = kiosk.journal();
    assert!(
        events(&journal, "play_started")
            .iter()
            .any(|r| r["item"] == "a.png"),
        "the picture plays"
    );
    let rejected = events(&journal, "control_rejected");
    assert_eq!(rejected.len(), 1, "journaled once, not at every poll");
    assert!(
        rejected[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("control.yaml")
    );
    assert_eq!(
        rejected[0]["reason"],
        "not a regular file (a FIFO, device or socket): refused unread"
    );
    let strip = events(&journal, "item_failed")
        .into_iter()
        .find(|r| r["item"] == "strip.mkv")
        .expect("the oversized clip is refused and journaled");
    let reason = strip["reason"].as_str().unwrap();
    assert_eq!(strip["stage"], "catalog", "{strip}");
    assert!(
        reason.starts_with("video is 16416x64, larger than this GPU's largest texture ("),
        "{reason}"
    );
}
