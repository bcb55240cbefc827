//! Records: downtime found at start-up, the monthly backup and its check,
//! and the report, as a technician runs them from a shell.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::processes::assert_succeeded;
use crate::support::*;

/// Writes journal lines as the player would (one JSON object per line).
fn write_journal(kiosk: &Kiosk, month: &str, lines: &[serde_json::Value]) {
    let dir = kiosk.data().join("journal");
    std::fs::create_dir_all(&dir).unwrap();
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join(format!("{month}.jsonl")), text).unwrap();
}

fn line(seq: u64, time: DateTime<Utc>, event: serde_json::Value) -> serde_json::Value {
    let mut l = json!({"v": 1, "seq": seq, "kiosk": "test-kiosk", "time": time.to_rfc3339()});
    l.as_object_mut()
        .unwrap()
        .extend(event.as_object().unwrap().clone());
    l
}

/// A heartbeat of an open screen each minute of 07:00-11:00 after `start`
/// (07:00), numbered on from `seq`.
fn open_heartbeats(seq: u64, start: DateTime<Utc>) -> impl Iterator<Item = serde_json::Value> {
    (1..240).map(move |minute| {
        line(
            seq + minute,
            start + Duration::minutes(minute as i64),
            json!({"event": "heartbeat", "screen": "open"}),
        )
    })
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[test]
fn power_cut_during_opening_hours_is_an_incident_at_the_next_start() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a.png"), "red", 64, 48);
    // Running until 10:00 local, then nothing: no app_stopped.
    write_journal(
        &kiosk,
        "2026-11",
        &[
            line(
                1,
                at("2026-11-28T02:50:00Z"),
                json!({"event": "app_started", "version": "x"}),
            ),
            line(
                2,
                at("2026-11-28T03:00:00Z"),
                json!({"event": "heartbeat", "screen": "open"}),
            ),
        ],
    );
    // Back at 10:29:30 local. The gap is measured once the player is up, a
    // few seconds later on a busy machine: 29.5 minutes and the start-up
    // time, a started minute counting whole, are 30 (up to a 30 s start).
    kiosk.play(
        3.0,
        &artifact("after-power-cut.png"),
        &["--clock", "2026-11-28T03:29:30Z"],
    );
    let journal = kiosk.journal();
    let incidents = events(&journal, "incident");
    assert_eq!(incidents.len(), 1, "{journal:#?}");
    assert_eq!(incidents[0]["kind"], "downtime");
    assert_eq!(
        incidents[0]["from"], "2026-11-28T03:00:00Z",
        "the last heartbeat"
    );
    assert_eq!(incidents[0]["minutes_lost"], 30, "{:#}", incidents[0]);
    assert_eq!(incidents[0]["cause"], "power_loss_or_crash");
    // The sequence goes on from the old lines.
    assert_eq!(
        journal.iter().find(|l| l["event"] == "incident").unwrap()["seq"],
        3
    );
}

#[test]
fn heartbeats_come_at_the_set_interval_and_say_what_the_screen_shows() {
    let kiosk = Kiosk::new("");
    make_png(&kiosk.content().join("a.png"), "red", 64, 48);
    // Every second instead of every minute. The run's length and the
    // heartbeats are counted on the same clock, from the first frame: a busy
    // machine draws fewer frames but still writes about five heartbeats.
    let mut args = OPEN.to_vec();
    args.extend(["--heartbeat-seconds", "1"]);
    kiosk.play(6.0, &artifact("heartbeat.png"), &args);
    let journal = kiosk.journal();
    let beats = events(&journal, "heartbeat");
    assert!(beats.len() >= 3, "{journal:#?}");
    assert!(beats.iter().all(|b| b["screen"] == "open"), "{beats:#?}");
    let times: Vec<DateTime<Utc>> = beats
        .iter()
        .map(|b| b["time"].as_str().unwrap().parse().unwrap())
        .collect();
    // A second apart, give or take where in its frame each was written.
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::milliseconds(500), "{beats:#?}");
    }
    let started = journal
        .iter()
        .position(|l| l["event"] == "app_started")
        .unwrap();
    let first = journal
        .iter()
        .position(|l| l["event"] == "heartbeat")
        .unwrap();
    assert!(started < first, "no heartbeat before the start is recorded");
}

#[test]
fn a_night_off_after_a_clean_stop_is_no_incident() {
    let kiosk = Kiosk::new("");
    write_journal(
        &kiosk,
        "2026-11",
        &[line(
            1,
            at("2026-11-27T12:00:00Z"),
            json!({"event": "app_stopped", "reason": "shutdown"}),
        )],
    );
    // 19:00 the day before -> 06:00 + a little: all outside the windows.
    kiosk.play(
        2.0,
        &artifact("after-night.png"),
        &["--clock", "2026-11-27T23:10:00Z"],
    );
    assert!(events(&kiosk.journal(), "incident").is_empty());
}

/// A month of journal: on 15 October the screen was open 07:00-11:00 with
/// a heartbeat every minute, and one picture played 100 times 10 s.
fn october(kiosk: &Kiosk) {
    let start = at("2026-10-15T00:00:00Z"); // 07:00 local
    let mut lines = vec![
        line(
            1,
            start - Duration::minutes(1),
            json!({"event": "app_started", "version": "x"}),
        ),
        line(
            2,
            start,
            json!({"event": "opened", "reason": "inside window 07:00-11:00"}),
        ),
    ];
    lines.extend(open_heartbeats(2, start));
    for n in 0..100 {
        lines.push(line(300 + n, start + Duration::seconds(10 * n as i64 + 10), json!({
            "event": "play_ended", "item": "a.png", "kind": "image", "language": "vi", "shown_ms": 10000, "ended": "completed"
        })));
    }
    lines.sort_by_key(|l| l["time"].as_str().unwrap().to_owned());
    lines.push(line(
        500,
        at("2026-10-15T04:00:00Z"),
        json!({"event": "closed", "reason": "outside operating hours"}),
    ));
    lines.push(line(
        501,
        at("2026-10-15T04:01:00Z"),
        json!({"event": "app_stopped", "reason": "exit"}),
    ));
    write_journal(kiosk, "2026-10", &lines);
    make_png(&kiosk.content().join("a.png"), "red", 64, 48);
}

#[test]
fn report_gives_figures_a_person_can_check() {
    let kiosk = Kiosk::new("");
    october(&kiosk);
    let config = kiosk.config();
    let out = cli(
        &[
            "report",
            "--config",
            config.to_str().unwrap(),
            "--month",
            "2026-10",
            "--format",
            "json",
        ],
        "UTC",
    );
    assert_succeeded(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 31 days x 8 h required; 4 h shown on the 15th, 50 % of that day.
    let total = &report["total"];
    assert_eq!(total["required_seconds"], 31 * 8 * 3600, "{report:#}");
    assert_eq!(total["shown_seconds"], 4 * 3600);
    assert_eq!(total["plays"], 100);
    let day = report["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == "2026-10-15")
        .unwrap();
    assert_eq!(day["compliance_percent"], 50.0);
    let html_path = kiosk.dir.path().join("report.html");
    let out = cli(
        &[
            "report",
            "--config",
            config.to_str().unwrap(),
            "--month",
            "2026-10",
            "--out",
            html_path.to_str().unwrap(),
        ],
        "UTC",
    );
    assert!(out.status.success());
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains("Báo cáo") && html.contains("<svg"),
        "self-contained HTML with the chart"
    );
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url(http"),
        "no network"
    );
    let csv = cli(
        &[
            "report",
            "--config",
            config.to_str().unwrap(),
            "--year",
            "2026",
            "--format",
            "csv",
        ],
        "UTC",
    )
    .stdout;
    assert!(
        csv.starts_with("\u{feff}".as_bytes()),
        "CSV starts with a BOM for Excel"
    );
}

#[test]
fn report_over_dates_reads_both_months_against_the_law() {
    let kiosk = Kiosk::new("");
    october(&kiosk);
    // 2 November: open 07:00-11:00, the "no content" slide from 10:00, and a
    // config refused at 08:30.
    let start = at("2026-11-02T00:00:00Z");
    let mut lines = vec![line(
        1,
        start,
        json!({"event": "opened", "reason": "inside window"}),
    )];
    lines.extend(open_heartbeats(1, start));
    lines.push(line(
        300,
        at("2026-11-02T03:00:00Z"),
        json!({"event": "fallback_shown"}),
    ));
    lines.push(line(
        301,
        at("2026-11-02T01:30:00Z"),
        json!({"event": "config_rejected", "file": "infokiosk.yaml", "reason": "unknown field `windws`"}),
    ));
    lines.sort_by_key(|l| l["time"].as_str().unwrap().to_owned());
    lines.push(line(
        302,
        at("2026-11-02T04:00:00Z"),
        json!({"event": "closed", "reason": "outside operating hours"}),
    ));
    write_journal(&kiosk, "2026-11", &lines);
    let config = kiosk.config();
    let args = [
        "report",
        "--config",
        config.to_str().unwrap(),
        "--from",
        "2026-10-15",
        "--to",
    ];
    let out = cli(
        &[&args[..], &["2026-11-02", "--format", "json"]].concat(),
        "UTC",
    );
    assert_succeeded(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["period"], "2026-10-15..2026-11-02");
    assert_eq!(report["days"].as_array().unwrap().len(), 19);
    let total = &report["total"];
    assert_eq!(
        total["required_seconds"],
        19 * 8 * 3600,
        "8 h on every date"
    );
    assert_eq!(total["shown_seconds"], (4 + 3) * 3600, "{total:#}");
    assert_eq!(total["fallback_seconds"], 3600);
    assert_eq!(report["security"]["count"], 1);
    assert_eq!(report["security"]["events"][0]["kind"], "config_rejected");
    let bad = cli(&[&args[..], &["2026-10-01"]].concat(), "UTC");
    assert!(!bad.status.success(), "--to before --from is refused");
}

#[test]
fn backup_archives_a_month_verifies_and_detects_damage() {
    let kiosk = Kiosk::new(&format!("backup_dir: {}\n", "BACKUPS"));
    let backups = kiosk.dir.path().join("BACKUPS");
    october(&kiosk);
    let config = kiosk.config();
    let config = config.to_str().unwrap();
    // Relative backup_dir: run from the kiosk's folder.
    let run = |args: &[&str]| {
        std::process::Command::new(bin())
            .args(args)
            .current_dir(kiosk.dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["backup", "--config", config, "--month", "2026-10"]);
    assert_succeeded(&out);
    let archive = backups.join("infokiosk-test-kiosk-2026-10.tar.zst");
    assert!(archive.exists(), "{}", String::from_utf8_lossy(&out.stdout));
    let out = run(&["backup", "verify", archive.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Twice: harmless, left alone.
    let out = run(&["backup", "--config", config, "--month", "2026-10"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("left alone"));
    // One byte flipped in the middle of the archive.
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&archive, bytes).unwrap();
    let out = run(&["backup", "verify", archive.to_str().unwrap()]);
    assert!(!out.status.success(), "damage is detected");
    assert!(String::from_utf8_lossy(&out.stdout).contains("DAMAGED"));
}

/// `infokiosk journal verify` as the office or a technician runs it: an
/// intact month matches its seal; an edited line is named, exit status 1.
#[test]
fn journal_verify_names_an_edited_line_and_fails() {
    use infokiosk::journal::{Event, Journal};
    let kiosk = Kiosk::new("");
    let outbox = kiosk.dir.path().join("outbox");
    let dir = kiosk.data().join("journal");
    let mut journal = Journal::open(&dir, "test-kiosk", chrono_tz::Asia::Ho_Chi_Minh)
        .unwrap()
        .sealing_into(&outbox);
    for (n, time) in [
        "2026-11-28T03:00:00Z",
        "2026-11-28T03:01:00Z",
        "2026-11-28T03:02:00Z",
    ]
    .into_iter()
    .chain(["2026-11-28T03:03:00Z", "2026-12-01T03:00:00Z"])
    .enumerate()
    {
        let screen = format!("open {n}");
        journal
            .append(at(time), &Event::Heartbeat { screen })
            .unwrap();
    }
    let config = kiosk.config();
    let verify = || {
        let args = [
            "journal",
            "verify",
            "--config",
            config.to_str().unwrap(),
            "--month",
            "2026-11",
        ];
        cli(&args, "UTC")
    };
    let out = verify();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("chain intact, 4 lines"), "{text}");
    assert!(text.contains("matches the seal"), "{text}");

    let file = dir.join("2026-11.jsonl");
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("open 2", "open 9");
    std::fs::write(&file, edited).unwrap();
    let out = verify();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("2026-11.jsonl line 3 (seq 3)"), "{text}");
    assert!(text.contains("was edited"), "{text}");
}

/// The SHA-256 (hex) of a file's bytes.
fn sha256_of(path: &std::path::Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `sha256` of every `play_started` line for `item`, in order.
fn shown_versions(kiosk: &Kiosk, item: &str) -> Vec<String> {
    events(&kiosk.journal(), "play_started")
        .iter()
        .filter(|l| l["item"] == item)
        .map(|l| l["sha256"].as_str().unwrap_or("(none)").to_owned())
        .collect()
}

/// The SHA-256s a file was put in force with (`content_in_force`: a ticker).
fn in_force_versions(kiosk: &Kiosk, file: &str) -> Vec<String> {
    events(&kiosk.journal(), "content_in_force")
        .iter()
        .filter(|l| l["file"] == file)
        .map(|l| l["sha256"].as_str().unwrap_or("(none)").to_owned())
        .collect()
}

/// A month on a fast clock: a picture is replaced while the player runs and
/// another removed, and the ticker file rewritten; the month's backup holds
/// every version shown, under the SHA-256 its `play_started` and
/// `content_in_force` lines carry, and leaves the kiosk by the outbox.
#[test]
fn the_month_backup_holds_every_version_shown_whatever_the_folder_holds_now() {
    let kiosk = Kiosk::new("backup_dir: BACKUPS\n");
    let (a, b) = (kiosk.content().join("a.png"), kiosk.content().join("b.png"));
    make_png(&a, "red", 64, 48);
    make_png(&b, "green", 64, 48);
    let ticker = kiosk.content().join("ticker.vi.txt");
    std::fs::write(&ticker, "Tin thứ nhất\n").unwrap();
    age_folder(&kiosk.content());
    let (red, green, news_one) = (sha256_of(&a), sha256_of(&b), sha256_of(&ticker));
    // 08:00 on 2 November, a minute a second.
    let running = kiosk.start(
        14.0,
        &artifact("backup-versions.png"),
        &["--clock", "2026-11-02T01:00:00Z", "--clock-speed", "60"],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // Both shown once (b's turn is a second after a's; removed before it
    // was opened it would never be shown at all).
    while !shown_versions(&kiosk, "a.png").contains(&red)
        || !shown_versions(&kiosk, "b.png").contains(&green)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "a.png or b.png never shown"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Replaced as a sync engine does it (a new file renamed over); b removed.
    let incoming = kiosk.content().join(".a.png.tmp");
    make_png(&incoming, "blue", 64, 48);
    age(&incoming);
    let blue = sha256_of(&incoming);
    std::fs::rename(&incoming, &a).unwrap();
    std::fs::remove_file(&b).unwrap();
    let incoming = kiosk.content().join(".ticker.vi.txt.tmp");
    std::fs::write(&incoming, "Tin thứ hai, sửa lại\n").unwrap();
    age(&incoming);
    let news_two = sha256_of(&incoming);
    std::fs::rename(&incoming, &ticker).unwrap();
    while !in_force_versions(&kiosk, "ticker.vi.txt").contains(&news_two) {
        assert!(
            std::time::Instant::now() < deadline,
            "the new ticker.vi.txt never in force"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The folder moves on after the run: never in force, never archived.
    running.finish();
    std::fs::write(&ticker, "Tin thứ ba\n").unwrap();
    assert_eq!(
        in_force_versions(&kiosk, "ticker.vi.txt"),
        [news_one.clone(), news_two.clone()],
        "each version of the ticker once"
    );

    let versions = shown_versions(&kiosk, "a.png");
    assert!(
        versions.contains(&blue),
        "the new a.png was shown: {versions:?}"
    );
    assert!(shown_versions(&kiosk, "b.png").contains(&green));
    let every: Vec<String> = events(&kiosk.journal(), "play_started")
        .iter()
        .map(|l| {
            l["sha256"]
                .as_str()
                .expect("every play_started has its sha256")
                .to_owned()
        })
        .collect();

    let out = std::process::Command::new(bin())
        .args(["backup", "--month", "2026-11", "--config"])
        .arg(kiosk.config())
        .current_dir(kiosk.dir.path())
        .output()
        .unwrap();
    assert_succeeded(&out);
    let name = "infokiosk-test-kiosk-2026-11.tar.zst";
    let archive = kiosk.dir.path().join("BACKUPS").join(name);
    let report = infokiosk::backup::verify(&archive).unwrap();
    assert!(report.is_intact(), "{report}");
    for sha in [&red, &green, &blue, &news_one, &news_two]
        .into_iter()
        .chain(&every)
    {
        assert_eq!(
            report.manifest.get(&format!("objects/{sha}")),
            Some(sha),
            "{report:#?}"
        );
    }
    assert!(
        report.missing_items.is_empty(),
        "{:?}",
        report.missing_items
    );
    // Exported: the same archive and checksum in the outbox.
    let outbox = kiosk.dir.path().join("outbox");
    assert_eq!(
        std::fs::read(outbox.join(name)).unwrap(),
        std::fs::read(&archive).unwrap()
    );
    assert!(outbox.join(format!("{name}.sha256")).is_file());
}
