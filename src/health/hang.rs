//! `--debug-hang-after SECONDS` (debug builds only): the main loop stops for
//! good, as a deadlocked render loop would, so that a test can watch the
//! systemd watchdog restart the player. Never in a kiosk build.

use std::time::Duration;

use bevy::prelude::*;

pub(super) struct DebugHangPlugin {
    pub after: Duration,
}

#[derive(Resource)]
struct HangAfter(Duration);

impl Plugin for DebugHangPlugin {
    fn build(&self, app: &mut App) {
        warn!(
            "--debug-hang-after: the main loop will hang after {:?}",
            self.after
        );
        app.insert_resource(HangAfter(self.after))
            .add_systems(Update, hang_when_due);
    }
}

fn hang_when_due(hang: Res<HangAfter>, time: Res<Time<Real>>) {
    if time.elapsed() < hang.0 {
        return;
    }
    error!("--debug-hang-after: the main loop hangs now");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
