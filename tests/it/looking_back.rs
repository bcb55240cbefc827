//! `infokiosk at`: what was on screen at an instant, from a journal file,
//! as a technician answering a complaint runs it.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::support::*;

const SHA: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

fn line(seq: usize, time: DateTime<Utc>, event: Value) -> Value {
    let mut l = json!({"v": 1, "seq": seq, "kiosk": "test-kiosk",
        "time": time.to_rfc3339(),
        "local_time": time.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).to_rfc3339()});
    l.as_object_mut()
        .unwrap()
        .extend(event.as_object().unwrap().clone());
    l
}

#[test]
fn at_answers_what_was_on_screen_with_the_archived_copy() {
    let kiosk = Kiosk::new("");
    // 28 Nov 2026, Ho Chi Minh City: open at 07:00 (00:00 UTC), a heartbeat
    // every minute, a Khmer picture from 09:14, the next item at 09:16.
    let open = "2026-11-28T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let mut events = vec![(
        open,
        json!({"event": "opened", "reason": "inside window 07:00-11:00"}),
    )];
    for minute in 1..=150 {
        events.push((
            open + Duration::minutes(minute),
            json!({"event": "heartbeat", "screen": "open"}),
        ));
    }
    let started = |item: &str, sha: &str| json!({"event": "play_started", "item": item, "kind": "image", "language": "km", "sha256": sha});
    let at_0914 = open + Duration::minutes(134);
    events.push((at_0914, started("tin-tuc.km.png", SHA)));
    events.push((
        at_0914 + Duration::minutes(2),
        json!({"event": "play_ended",
        "item": "tin-tuc.km.png", "kind": "image", "language": "km", "shown_ms": 120_000,
        "ended": "completed"}),
    ));
    events.push((
        at_0914 + Duration::minutes(2),
        started("clip.vi.png", &"0".repeat(64)),
    ));
    events.sort_by_key(|(t, _)| *t);
    let text: String = events
        .into_iter()
        .enumerate()
        .map(|(i, (t, e))| format!("{}\n", line(i + 1, t, e)))
        .collect();
    let journal = kiosk.data().join("journal");
    std::fs::create_dir_all(&journal).unwrap();
    std::fs::write(journal.join("2026-11.jsonl"), text).unwrap();
    let object = kiosk.data().join("objects/5e").join(SHA);
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    std::fs::write(&object, b"the picture shown").unwrap();

    let config = kiosk.config();
    let config = config.to_str().unwrap();
    // Local time in the kiosk's zone, whatever the machine's (TZ=UTC here).
    let out = cli(
        &["at", "2026-11-28 09:15", "--config", config, "--json"],
        "UTC",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["answer"], "showing", "{answer}");
    assert_eq!(answer["item"]["item"], "tin-tuc.km.png");
    assert_eq!(answer["item"]["language"], "km");
    assert_eq!(answer["item"]["sha256"], SHA);
    assert_eq!(answer["item"]["archived"], object.to_str().unwrap());
    assert_eq!(answer["screen"]["reason"], "inside window 07:00-11:00");

    // RFC 3339 too; the next item's copy is not archived, and says so.
    let out = cli(&["at", "2026-11-28T02:20:00Z", "--config", config], "UTC");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("clip.vi.png") && text.contains("not archived"),
        "{text}"
    );

    // After the journal's end: the player was not running.
    let out = cli(&["at", "2026-11-28 10:00", "--config", config], "UTC");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NOT running"), "{text}");
    // The future.
    let out = cli(&["at", "2999-01-01 09:00", "--config", config], "UTC");
    assert!(String::from_utf8_lossy(&out.stdout).contains("future"));
}
