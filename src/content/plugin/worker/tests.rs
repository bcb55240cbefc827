//! The catalog worker on a real folder: its own scans are not changes, real
//! changes are seen at once.

use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::bench::TINY_PNG;

/// Writes `name` as Syncthing does: a temporary file with the sender's
/// (old) modification time, renamed into place.
fn arrive(dir: &Path, name: &str) {
    let temp = dir.join(format!(".syncthing.{name}.tmp"));
    std::fs::write(&temp, TINY_PNG).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    let file = std::fs::File::options().write(true).open(&temp).unwrap();
    file.set_modified(old).unwrap();
    drop(file);
    std::fs::rename(&temp, dir.join(name)).unwrap();
}

/// A worker on a folder of a few settled pictures, past its first scan,
/// with a periodic rescan too far off to happen during a test.
fn settled_worker() -> (tempfile::TempDir, CatalogWorker) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..5 {
        arrive(dir.path(), &format!("picture-{i}.png"));
    }
    let worker = CatalogWorker::spawn(
        dir.path().to_owned(),
        ScanOptions::default(),
        None,
        Duration::from_secs(3600),
    );
    let first = worker.updates.recv_timeout(Duration::from_secs(20));
    let first = first.expect("a first scan").catalog.expect("a catalog");
    assert_eq!(first.items.len(), 5);
    (dir, worker)
}

/// The scans during `span`.
fn scans_during(worker: &CatalogWorker, span: Duration) -> Vec<CatalogUpdate> {
    let until = Instant::now() + span;
    let mut scans = Vec::new();
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if let Ok(update) = worker.updates.recv_timeout(left) {
            scans.push(update);
        }
    }
    scans
}

/// Waits (10 s at most) for a scan whose catalog `done` accepts.
fn wait_for(worker: &CatalogWorker, done: impl Fn(&Catalog) -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(10);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if let Ok(update) = worker.updates.recv_timeout(left)
            && update.catalog.as_ref().is_some_and(&done)
        {
            return true;
        }
    }
    false
}

fn has(catalog: &Catalog, name: &str) -> bool {
    catalog.items.iter().any(|i| i.rel == Path::new(name))
}

#[test]
fn a_scan_does_not_start_the_next_one() {
    let (_dir, worker) = settled_worker();
    // A scan opens every file; those opens must not count as changes.
    let scans = scans_during(&worker, Duration::from_secs(3));
    assert_eq!(scans.len(), 0, "an idle folder was scanned again");
}

#[test]
fn the_watch_does_not_follow_a_symlink_out_of_the_folder() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    arrive(dir.path(), "picture.png");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("elsewhere")).unwrap();
    let worker = CatalogWorker::spawn(
        dir.path().to_owned(),
        ScanOptions::default(),
        None,
        Duration::from_secs(3600),
    );
    assert!(worker.updates.recv_timeout(Duration::from_secs(20)).is_ok());
    // Writes in a folder the link points to are no change of this folder.
    for i in 0..3 {
        std::fs::write(outside.path().join(format!("log-{i}.txt")), "x").unwrap();
    }
    let scans = scans_during(&worker, Duration::from_secs(2));
    assert_eq!(scans.len(), 0, "the watch followed the symlink");
}

#[test]
fn changes_are_still_noticed_at_once() {
    let (dir, worker) = settled_worker();
    let dir = dir.path();
    arrive(dir, "arrived.png");
    assert!(
        wait_for(&worker, |c| has(c, "arrived.png")),
        "rename into place"
    );
    std::fs::remove_file(dir.join("picture-0.png")).unwrap();
    assert!(wait_for(&worker, |c| !has(c, "picture-0.png")), "delete");
    std::fs::create_dir(dir.join("campaign")).unwrap();
    arrive(&dir.join("campaign"), "inside.png");
    let inside = |c: &Catalog| has(c, "campaign/inside.png");
    assert!(wait_for(&worker, inside), "a new folder");
    // A permission change is looked at: a scan comes.
    let mode = std::fs::Permissions::from_mode(0o600);
    std::fs::set_permissions(dir.join("picture-1.png"), mode).unwrap();
    assert!(
        !scans_during(&worker, Duration::from_secs(2)).is_empty(),
        "chmod"
    );
}
