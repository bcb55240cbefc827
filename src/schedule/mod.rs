//! Legal operating hours: daily windows in the schedule's time zone, date exceptions and the emergency override.
//!
//! Pure logic: no Bevy, no GStreamer, no clock. Every question takes the current
//! instant as a `DateTime<Utc>`, and every answer is computed in the schedule's own
//! IANA zone (`Asia/Ho_Chi_Minh` by default), so the machine's time zone never matters.
//!
//! - [`ScheduleConfig`] is the `schedule:` section of the kiosk YAML;
//!   [`OperatingSchedule::from_config`] validates it into an [`OperatingSchedule`].
//! - [`OperatingSchedule::state_at`] says open or closed and why;
//!   [`OperatingSchedule::next_change`] says when that flips.
//! - [`Override`] is the Border Guard's off/on switch; [`parse_control`] reads it from
//!   `control.yaml` in the synced folder.
//! - [`describe`], [`describe_json`], [`render_plan`] and [`plan_json`] are what
//!   `infokiosk schedule` prints.

mod config;
mod control;
mod describe;
mod error;
mod exception;
mod local;
mod next_change;
mod operating;
mod overrides;
mod plan;
#[cfg(feature = "player")]
pub mod plugin;
mod status;
mod window;

pub use config::{ExceptionConfig, ScheduleConfig};
pub use control::{ControlCommand, ControlState, check_issued, control_identity, parse_control};
pub use describe::{describe, describe_json};
pub use error::ScheduleError;
pub use exception::ExceptionSpan;
pub use next_change::SEARCH_HORIZON_DAYS;
pub use operating::OperatingSchedule;
pub use overrides::{Override, OverrideSource, Power};
pub use plan::{DayPlan, OpenInterval};
pub use plan::{plan_json, render_plan};
pub use status::{OperatingState, Reason, Status};
pub use window::Window;
