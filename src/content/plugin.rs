//! `ContentPlugin`, the content folder followed live: a worker thread
//! (`worker.rs`) scans it, and each scan that changes the catalog is sent to
//! the player as a [`ContentChanged`] message and journaled
//! (`journaling.rs`).

mod journaling;
mod worker;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use bevy::platform::cell::SyncCell;
use bevy::prelude::*;
use bevy::render::renderer::RenderDevice;

use super::{Catalog, CatalogDiff, ScanOptions};
use crate::clock::Clock;
use crate::journal::plugin::Record;
use crate::report::ContentInForce;
use journaling::journal_diff;
pub use worker::{CatalogUpdate, CatalogWorker};

/// A new catalog and what changed since the previous one.
#[derive(Message, Debug, Clone)]
pub struct ContentChanged {
    pub catalog: Catalog,
    pub diff: CatalogDiff,
}

/// Ask the worker to scan now (the overlay's "reload content").
#[derive(Message, Debug, Clone, Copy)]
pub struct RescanNow;

/// What the watcher knows, for the overlay and status file.
#[derive(Resource, Debug, Default, Clone)]
pub struct ContentStatus {
    pub last_change: Option<SystemTime>,
    pub last_scan: Option<SystemTime>,
    pub watching: bool,
}

/// The content release in force, for `status.json`: changed only when the
/// manifest version in use changes (or at the first catalog).
#[derive(Resource, Debug, Default, Clone)]
pub struct ReleaseInForce {
    /// `trust.require_signature`: without it no version is a signed one.
    signed: bool,
    pub now: Option<ContentInForce>,
}

impl ReleaseInForce {
    /// What is in force once `catalog` is, at `now`, if that differs from
    /// what was: `since` moves only when the version does.
    fn after(
        &self,
        catalog: &Catalog,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<ContentInForce> {
        let version = catalog.manifest_version.filter(|_| self.signed);
        let same = self.now.is_some_and(|known| known.version == version);
        (!same).then_some(ContentInForce {
            version,
            since: now,
        })
    }
}

/// The worker as a Bevy resource (its receiver is not `Sync`: a `SyncCell`
/// hands it to one system at a time).
#[derive(Resource)]
struct Feed(SyncCell<CatalogWorker>);

/// Scans the content folder on the worker thread and turns each new catalog
/// into a [`ContentChanged`] message and journal lines.
pub struct ContentPlugin {
    pub content_dir: PathBuf,
    pub options: ScanOptions,
    pub cache: Option<PathBuf>,
    pub rescan: Duration,
    /// Where the refusals journaled are remembered across restarts.
    pub refused: Option<PathBuf>,
}

impl Plugin for ContentPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<ContentChanged>()
            .add_message::<RescanNow>()
            .init_resource::<ContentStatus>()
            .insert_resource(ReleaseInForce {
                signed: self.options.trust.require_signature,
                now: None,
            })
            .add_systems(PreUpdate, (request_rescan, receive_catalog).chain());
    }

    /// The worker starts once the render device is known (the render plugin
    /// finishes first), so that the first scan already refuses clips larger
    /// than the GPU's largest texture.
    fn finish(&self, app: &mut App) {
        let mut options = self.options.clone();
        if let Some(device) = app.world().get_resource::<RenderDevice>() {
            options.max_texture_side = Some(device.limits().max_texture_dimension_2d);
        }
        let worker = CatalogWorker::spawn_remembering(
            self.content_dir.clone(),
            options,
            self.cache.clone(),
            self.rescan,
            self.refused.clone(),
        );
        app.insert_resource(Feed(SyncCell::new(worker)));
    }
}

fn request_rescan(mut requests: MessageReader<RescanNow>, mut feed: ResMut<Feed>) {
    if requests.read().count() > 0 {
        feed.0.get().rescan();
    }
}

fn receive_catalog(
    mut feed: ResMut<Feed>,
    mut status: ResMut<ContentStatus>,
    mut release: ResMut<ReleaseInForce>,
    clock: Res<Clock>,
    mut changes: MessageWriter<ContentChanged>,
    mut record: Record,
) {
    let worker = feed.0.get();
    for update in worker.updates.try_iter() {
        status.last_scan = Some(update.scanned_at);
        status.watching = update.watching;
        let Some(catalog) = update.catalog else {
            continue;
        };
        status.last_change = Some(update.scanned_at);
        // Only a new version is a change: status.json is written again for it.
        if let Some(new) = release.after(&catalog, clock.now()) {
            release.now = Some(new);
        }
        journal_diff(&update.diff, &mut record);
        if let Some(error) = &catalog.manifest_error {
            warn!("{error}");
        }
        changes.write(ContentChanged {
            catalog,
            diff: update.diff,
        });
    }
}

#[cfg(test)]
mod release_tests {
    use super::*;
    use crate::test_support::hcm;

    fn catalog(version: Option<u64>) -> Catalog {
        Catalog {
            manifest_version: version,
            ..Catalog::default()
        }
    }

    #[test]
    fn a_release_comes_into_force_when_its_version_changes_and_only_signed() {
        let mut release = ReleaseInForce {
            signed: true,
            now: None,
        };
        let first = release.after(&catalog(Some(3)), hcm("2026-12-01 09:00"));
        assert_eq!(
            first,
            Some(ContentInForce {
                version: Some(3),
                since: hcm("2026-12-01 09:00")
            })
        );
        release.now = first;
        // Another scan, other files, the same release: no change, no rewrite.
        assert_eq!(
            release.after(&catalog(Some(3)), hcm("2026-12-01 10:00")),
            None
        );
        let next = release.after(&catalog(Some(4)), hcm("2026-12-01 11:00"));
        assert_eq!(next.map(|n| n.since), Some(hcm("2026-12-01 11:00")));

        // Without trust.require_signature a version is only a number in a file.
        let unsigned = ReleaseInForce {
            signed: false,
            now: None,
        };
        let first = unsigned.after(&catalog(Some(3)), hcm("2026-12-01 09:00"));
        assert_eq!(first.map(|f| f.version), Some(None));
    }
}
