//! The kiosk config as the player loads it: `KioskConfig::load` (size and
//! nesting guards, YAML, validation), then the operating schedule it makes,
//! asked what the player asks every frame.
#![no_main]

use infokiosk::config::KioskConfig;
use infokiosk_fuzz::{now, scratch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = scratch().join("infokiosk.yaml");
    std::fs::write(&path, data).expect("scratch file written");
    let Ok(config) = KioskConfig::load(&path) else {
        return;
    };
    // Validated at load: this must not fail.
    let schedule = config.operating_schedule();
    let status = schedule.state_at(now(), None);
    if let Some(next) = status.next_change {
        assert!(next > now(), "next change {next} is not after now");
    }
    let _ = (config.playlist_policy(), config.scan_options());
});
