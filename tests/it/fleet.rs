//! `infokiosk fleet` through the binary, as a cron job at the office runs it:
//! the JSON it prints, the page it writes and exit status 2 while an alert stands.

use std::path::Path;

use serde_json::Value;

use crate::processes::player_pids;
use crate::support::*;

/// An outbox as a kiosk leaves it: `status.json` and the month's journal copy
/// with a heartbeat each minute from 07:00 (local) to `last` (minutes after 07:00).
fn outbox(dir: &Path, kiosk: &str, last: u32) {
    let folder = dir.join(kiosk);
    std::fs::create_dir_all(folder.join("journal")).unwrap();
    let at = |minute: u32| {
        format!(
            "2026-11-28T{:02}:{:02}:00+07:00",
            7 + minute / 60,
            minute % 60
        )
    };
    let status = serde_json::json!({
        "v": 1, "kiosk": kiosk, "version": "0.1.0", "time": at(last),
        "screen": "open", "screen_reason": "inside window 07:00-11:00",
        "now_showing": null, "last_heartbeat": at(last),
        "disk_free_bytes": 40_000_000_000u64, "last_errors": [],
    });
    std::fs::write(folder.join("status.json"), status.to_string()).unwrap();
    let mut journal = String::new();
    let backup = r#""event":"backup_written","month":"2026-10","archive":"a.tar.zst","files":1,"bytes":1,"missing":0"#;
    journal.push_str(&format!(
        "{{\"v\":1,\"seq\":1,\"time\":\"2026-11-01T18:00:00+07:00\",{backup}}}\n"
    ));
    for minute in 0..=last {
        journal.push_str(&format!(
            "{{\"v\":1,\"seq\":{},\"time\":\"{}\",\"event\":\"heartbeat\",\"screen\":\"open\"}}\n",
            minute + 2,
            at(minute)
        ));
    }
    std::fs::write(folder.join("journal/2026-11.jsonl"), journal).unwrap();
}

fn fleet(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(bin())
        .arg("fleet")
        .arg("--outboxes")
        .arg(dir)
        .args(["--now", "2026-11-28T09:00:00+07:00"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn fleet_json_names_the_silent_kiosk_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let outboxes = dir.path().join("outboxes");
    outbox(&outboxes, "tb-1", 119);
    let (code, _) = fleet(&outboxes, &["--json"]);
    assert_eq!(code, Some(0), "one healthy kiosk: no alert");

    outbox(&outboxes, "tb-2", 5);
    std::fs::create_dir_all(outboxes.join("tb-3")).unwrap();
    std::fs::write(outboxes.join("tb-3/status.json"), "{\"v\":1,").unwrap();
    let page = dir.path().join("fleet.html");
    let (code, stdout) = fleet(&outboxes, &["--json", "--html", page.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stdout}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<_> = json["kiosks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kiosk_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["tb-1", "tb-2", "tb-3"]);
    assert!(json["kiosks"][0]["month"]["compliance_percent"].is_number());
    let alerts: Vec<_> = json["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kiosk_id"].as_str().unwrap(),
                a["kind"].as_str().unwrap(),
                a["since"].clone(),
            )
        })
        .collect();
    assert_eq!(
        alerts,
        [
            ("tb-2", "silent", Value::from("2026-11-28T00:05:00Z")),
            ("tb-3", "status_unreadable", Value::Null),
        ]
    );
    let html = std::fs::read_to_string(&page).unwrap();
    for kiosk in ["tb-1", "tb-2", "tb-3"] {
        assert!(
            html.contains(&format!("id=\"kiosk-{kiosk}\"")),
            "{kiosk} has a row"
        );
    }
    assert!(html.contains("status.json: corrupt"));
}

/// One kiosk of the office below: the real player with its outbox in
/// `outboxes/ID/` and a copy of the office's signed content, as Syncthing
/// would bring it.
fn office_kiosk(id: &str, outboxes: &Path, office: &Path, trust: &str) -> Kiosk {
    let kiosk = Kiosk::new(trust);
    let config = std::fs::read_to_string(kiosk.config()).unwrap();
    let outbox = kiosk.dir.path().join("outbox");
    let config = config
        .replace("kiosk_id: test-kiosk", &format!("kiosk_id: {id}"))
        .replace(
            &format!("outbox_dir: {}", outbox.display()),
            &format!("outbox_dir: {}", outboxes.join(id).display()),
        );
    std::fs::write(kiosk.config(), config).unwrap();
    for entry in std::fs::read_dir(office).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), kiosk.content().join(entry.file_name())).unwrap();
    }
    age_folder(&kiosk.content());
    kiosk
}

/// The kiosk's clock runs at 30x (a minute every 2 s) with a heartbeat each
/// kiosk minute, from `clock` (UTC).
fn clock(at: &str) -> [&str; 6] {
    [
        "--clock",
        at,
        "--clock-speed",
        "30",
        "--heartbeat-seconds",
        "2",
    ]
}

/// The journal lines of an outbox's copy for December 2026.
fn copied_journal(outbox: &Path) -> Vec<Value> {
    infokiosk::journal::read_file(&outbox.join("journal/2026-12.jsonl")).records
}

fn time_of(line: &Value) -> chrono::DateTime<chrono::Utc> {
    line["time"].as_str().unwrap().parse().unwrap()
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Kills the player started for `kiosk` (not its xvfb-run) at once, as a
/// power cut or a crash would: no exit, no last copy of the journal.
fn kill_player(kiosk: &Kiosk) {
    let players = player_pids(kiosk);
    assert_eq!(players.len(), 1, "one player runs: {players:?}");
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &players[0]])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// Three kiosks made by the real player under a fast clock on Tuesday
/// 1 December 2026 (the 1st: last month's backup is not due yet): one
/// healthy from 09:20, one killed a few minutes after 09:00, one whose copy
/// of the signed content was tampered with. The office judges them a minute
/// after the healthy ones' last heartbeat.
#[test]
fn three_kiosks_run_by_the_real_player_are_judged_as_expected() {
    use crate::tamper::{keys, sign};
    let dir = tempfile::tempdir().unwrap();
    let keydir = tempfile::tempdir().unwrap();
    let public = keys(keydir.path());
    let office = dir.path().join("content");
    std::fs::create_dir_all(&office).unwrap();
    make_png(&office.join("a.png"), "red", 640, 480);
    make_png(&office.join("b.png"), "green", 640, 480);
    sign(keydir.path(), &office);
    let outboxes = dir.path().join("outboxes");
    let trust = format!("trust:\n  public_keys: [\"{public}\"]\n  require_signature: true\n");

    let healthy = office_kiosk("tb-1", &outboxes, &office, &trust);
    healthy.play(
        10.0,
        &artifact("fleet-tb-1.png"),
        &clock("2026-12-01T02:20:00Z"),
    );

    // Killed once its status says the signed release is in force and it
    // sent a screenshot.
    let killed = office_kiosk("tb-2", &outboxes, &office, &trust);
    let running = killed.start(
        60.0,
        &artifact("fleet-tb-2.png"),
        &clock("2026-12-01T02:00:00Z"),
    );
    let status = outboxes.join("tb-2/status.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let in_force = loop {
        let written = std::fs::read(&status).ok();
        let json = written.and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        let shown = outboxes.join("tb-2/screen-latest.jpg").exists();
        if let Some(json) = json.filter(|j| j["content"]["version"] == 1 && shown) {
            break json;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no status.json with the release in force, or no screenshot"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(in_force["content"]["since"].is_string(), "{in_force}");
    kill_player(&killed);
    let _ = running.wait();

    // One byte of b.png flipped after signing: a security event; a.png plays.
    let tampered = office_kiosk("tb-3", &outboxes, &office, &trust);
    let b = tampered.content().join("b.png");
    let mut bytes = std::fs::read(&b).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 0x01;
    std::fs::write(&b, bytes).unwrap();
    age(&b);
    tampered.play(
        10.0,
        &artifact("fleet-tb-3.png"),
        &clock("2026-12-01T02:20:00Z"),
    );

    // The kiosks' own times, from their outboxes.
    let journals: Vec<Vec<Value>> = ["tb-1", "tb-2", "tb-3"]
        .iter()
        .map(|id| copied_journal(&outboxes.join(id)))
        .collect();
    let statuses: Vec<Value> = ["tb-1", "tb-2", "tb-3"]
        .iter()
        .map(|id| {
            let text = std::fs::read(outboxes.join(id).join("status.json")).unwrap();
            serde_json::from_slice(&text).unwrap()
        })
        .collect();
    let last_heartbeat = |i: usize| {
        let status = statuses[i]["last_heartbeat"]
            .as_str()
            .map(|t| t.parse().unwrap());
        let journal = events(&journals[i], "heartbeat").last().map(|l| time_of(l));
        status.max(journal).unwrap()
    };
    let now = last_heartbeat(0).max(last_heartbeat(2)) + chrono::Duration::seconds(30);
    let killed_last = last_heartbeat(1);
    assert!(
        ("2026-12-01 09:00".."2026-12-01 09:10").contains(&local(killed_last).as_str()),
        "tb-2 was killed mid-morning: {}",
        local(killed_last)
    );
    assert!(
        now - killed_last > chrono::Duration::minutes(3),
        "judged after the silence threshold"
    );

    let page = artifact("fleet.html");
    let out = std::process::Command::new(bin())
        .arg("fleet")
        .arg("--outboxes")
        .arg(&outboxes)
        .arg("--config")
        .arg(healthy.config())
        .arg("--content")
        .arg(&office)
        .args(["--now", &now.to_rfc3339(), "--json", "--html"])
        .arg(&page)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fleet: Value = serde_json::from_str(&stdout).unwrap();

    assert_eq!(fleet["release"]["version"], 1);
    assert_eq!(fleet["release"]["verified"], true, "{}", fleet["release"]);
    for (i, row) in fleet["kiosks"].as_array().unwrap().iter().enumerate() {
        let id = ["tb-1", "tb-2", "tb-3"][i];
        assert_eq!(row["kiosk_id"], id);
        assert_eq!(row["problems"], serde_json::json!([]), "{id}");
        assert_eq!(row["screen"], "open", "{id}");
        assert_eq!(row["content_in_force"]["version"], 1, "{id}");
        let note = row["content_note"].as_str().unwrap();
        assert!(
            note == "the newest"
                && row["content_in_force"]["since"]
                    .as_str()
                    .unwrap()
                    .starts_with("2026-12-01T02:"),
            "{id}: {note}"
        );
        assert!(row["month"]["compliance_percent"].is_number(), "{id}");
        assert_eq!(
            row["security_today"].as_array().unwrap().is_empty(),
            id != "tb-3",
            "{id}"
        );
    }

    // Exactly these alerts: tb-2's silence since its last heartbeat, tb-3's
    // tampered file; a disk under 10 % would add its own.
    let integrity = events(&journals[2], "integrity");
    assert!(!integrity.is_empty(), "tb-3 journaled the tampered file");
    let more = match integrity.len() {
        1 => String::new(),
        n => format!(" (and {} more today)", n - 1),
    };
    let alert = |id: &str, kind: &str, reason: String, since: chrono::DateTime<chrono::Utc>| {
        (id.to_owned(), kind.to_owned(), reason, Some(since))
    };
    let mut expected = Vec::new();
    for (i, id) in ["tb-1", "tb-2", "tb-3"].into_iter().enumerate() {
        if id == "tb-2" {
            let reason = format!(
                "no heartbeat for {} min during operating hours (last {})",
                (now - killed_last).num_minutes(),
                local(killed_last)
            );
            expected.push(alert(id, "silent", reason, killed_last));
        }
        if id == "tb-3" {
            let reason = format!(
                "content integrity: {}{more}",
                integrity[0]["detail"].as_str().unwrap()
            );
            expected.push(alert(id, "security_event", reason, time_of(integrity[0])));
        }
        let (free, total) = (
            &statuses[i]["disk_free_bytes"],
            &statuses[i]["disk_total_bytes"],
        );
        if free.as_u64().unwrap() * 10 < total.as_u64().unwrap() {
            eprintln!("the test machine's disk is under 10 % free: low_disk expected");
            let reason = format!(
                "{} MiB free, under 10 % of the disk",
                free.as_u64().unwrap() / (1024 * 1024)
            );
            expected.push(alert(
                id,
                "low_disk",
                reason,
                statuses[i]["time"].as_str().unwrap().parse().unwrap(),
            ));
        }
    }
    let alerts: Vec<_> = fleet["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kiosk_id"].as_str().unwrap().to_owned(),
                a["kind"].as_str().unwrap().to_owned(),
                a["reason"].as_str().unwrap().to_owned(),
                a["since"].as_str().map(|t| t.parse().unwrap()),
            )
        })
        .collect();
    assert_eq!(alerts, expected);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        html.matches("<img alt=").count(),
        3,
        "each kiosk's screenshot"
    );
}

#[test]
fn fleet_report_for_the_year_as_csv_starts_with_a_bom_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    outbox(dir.path(), "tb-1", 119);
    outbox(dir.path(), "tb-2", 5);
    std::fs::create_dir_all(dir.path().join("tb-3/journal")).unwrap();
    std::fs::write(
        dir.path().join("tb-3/journal/.syncthing.2026-11.jsonl.tmp"),
        "{",
    )
    .unwrap();
    let out = std::process::Command::new(bin())
        .args(["fleet", "report", "--outboxes"])
        .arg(dir.path())
        .args(["--year", "2026", "--format", "csv"])
        .args(["--now", "2026-11-28T09:00:00+07:00"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with('\u{feff}'), "UTF-8 with a BOM");
    // Three kiosks with a journal folder, each required the legal 8 h on 331
    // whole days and 2 h today; shown 07:00-08:59 and 07:00-07:05.
    assert!(csv.contains("\r\nTOTAL,,7950.00,2.07,0.0,"), "{csv}");
    assert!(csv.contains(
        "\r\ntb-3,journal/2026-11.jsonl still arriving (half-synced: .syncthing.2026-11.jsonl.tmp): not counted\r\n"
    ));
    // Only November was synced: said on the command's error output too.
    assert!(
        stderr.contains("tb-1: journal has gaps: no journal for 2026-01 to 2026-10"),
        "{stderr}"
    );
}

/// The half-year review's form: `--from/--to` instead of `--year`. Only the
/// days asked for count (here November to the day of the report: no
/// missing months, unlike the year), and a period without its end, or with
/// a year as well, is refused before anything is read.
#[test]
fn fleet_report_from_to_counts_only_those_days() {
    let dir = tempfile::tempdir().unwrap();
    outbox(dir.path(), "tb-1", 119);
    outbox(dir.path(), "tb-2", 5);
    let report = |period: &[&str]| {
        std::process::Command::new(bin())
            .args(["fleet", "report", "--outboxes"])
            .arg(dir.path())
            .args(period)
            .args(["--format", "json", "--now", "2026-11-28T09:00:00+07:00"])
            .output()
            .unwrap()
    };
    let out = report(&["--from", "2026-11-01", "--to", "2026-11-30"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["complete"], false,
        "the period has not ended: {json:#}"
    );
    // Each kiosk: 27 whole days of 8 h and 2 h of today, so far; shown from
    // the first heartbeat to the last, 07:00-08:59 and 07:00-07:05.
    let total = &json["total"];
    assert_eq!(total["kiosks"], 2);
    assert_eq!(
        total["required_seconds"],
        2 * (27 * 8 + 2) * 3600,
        "{total:#}"
    );
    assert_eq!(total["shown_seconds"], (119 + 5) * 60, "{total:#}");
    assert_eq!(total["kiosks_with_problems"], 0, "{json:#}");
    for kiosk in json["kiosks"].as_array().unwrap() {
        assert_eq!(kiosk["missing_months"], serde_json::json!([]), "{kiosk:#}");
    }
    assert!(!stderr.contains("gaps"), "{stderr}");

    for (period, refused) in [
        (&["--from", "2026-07-01"][..], "--to"),
        (
            &[
                "--year",
                "2026",
                "--from",
                "2026-07-01",
                "--to",
                "2026-12-31",
            ][..],
            "--year",
        ),
    ] {
        let out = report(period);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{period:?}: {stderr}");
        assert!(stderr.contains(refused), "{period:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{period:?}");
    }
}
