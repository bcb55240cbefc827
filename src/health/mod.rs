//! Health of a kiosk: systemd readiness and watchdog from the running
//! player, and the self-test `infokiosk check` for technicians.

pub mod check;
mod disk;
#[cfg(debug_assertions)]
mod hang;
pub mod inspection;
pub mod notify;
mod plugin;

pub use check::{Check, CheckReport, CheckSettings, Verdict, run_checks};
pub use disk::{DiskSpace, disk_space};
pub use inspection::{HandedOver, Inspection, InspectionPlugin, hand_over};
pub use notify::{Notice, Notifier, watchdog_interval};
pub use plugin::{HealthPlugin, READY_GRACE};
