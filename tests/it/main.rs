//! Integration tests: one binary, since every test binary relinks Bevy.
//! Tests that need a window run the player under Xvfb (software Vulkan).

mod colours;
mod content_folder;
mod control_signing;
mod desktop;
mod faults;
mod fleet;
mod hours;
mod inspection;
mod languages;
mod layout;
mod looking_back;
mod office_sync;
mod outbox;
mod overlay;
mod pacing;
mod packaging;
mod playing;
mod processes;
mod records;
mod support;
mod tamper;
mod transitions;
