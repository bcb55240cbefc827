//! `infokiosk fleet` through the binary, as a cron job at the office runs it:
//! the JSON it prints, the page it writes and exit status 2 while an alert stands.

use std::path::Path;

use serde_json::Value;

use crate::support::bin;

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
