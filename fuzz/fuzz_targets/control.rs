//! `control.yaml` as the player reads it: `parse_control`, then the override
//! it sets applied to the legal hours and saved as JSON.
#![no_main]

use infokiosk::schedule::{ControlCommand, parse_control};
use infokiosk_fuzz::{legal_hours, now};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The player reads the file as UTF-8 text; anything else is refused before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let schedule = legal_hours();
    let command = match parse_control(text, schedule.timezone(), now()) {
        Ok(command) => command,
        Err(error) => {
            // Journaled as `control_rejected`.
            let _ = error.to_string();
            return;
        }
    };
    let ControlCommand::Set(set) = command else {
        return;
    };
    assert!(
        set.until.is_none_or(|until| until > now()),
        "an accepted override ends at {:?}, not after now",
        set.until
    );
    let status = schedule.state_at(now(), Some(&set));
    assert_eq!(
        status.state,
        set.screen(),
        "an active override decides the screen"
    );
    if let Some(next) = status.next_change {
        assert!(next > now(), "next change {next} is not after now");
    }
    // data_dir/state/override.json
    let json = serde_json::to_string(&set).expect("an override serializes");
    let back: infokiosk::schedule::Override =
        serde_json::from_str(&json).expect("override.json reads back");
    assert_eq!(back, set);
});
