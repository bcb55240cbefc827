//! Integration tests: one binary, since every test binary relinks Bevy.
//! Tests that need a window run the player under Xvfb (software Vulkan).

mod content_folder;
mod desktop;
mod faults;
mod hours;
mod languages;
mod layout;
mod overlay;
mod playing;
mod records;
mod support;
mod tamper;
mod transitions;
