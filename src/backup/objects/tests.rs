//! The shown-content store on real files: hashed once, linked or copied, never blocked by a FIFO.

use super::*;

fn sha_of(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[test]
fn a_file_is_stored_under_its_sha256_and_hashed_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.jpg");
    std::fs::write(&file, b"picture one").unwrap();
    let store = ObjectStore::new(dir.path().join("objects"));
    let mut shown = ShownObjects::new(store.clone());
    let sha = shown.archive(&file).unwrap();
    assert_eq!(sha, sha_of(b"picture one"));
    let object = store.path_of(&sha).unwrap();
    assert_eq!(std::fs::read(&object).unwrap(), b"picture one");
    // Unchanged: answered from the cache, not hashed again.
    assert_eq!(shown.archive(&file).unwrap(), sha);
    assert_eq!(shown.hashed(), 1);
    // Its object gone from the store: stored again.
    std::fs::remove_file(&object).unwrap();
    assert_eq!(shown.archive(&file).unwrap(), sha);
    assert_eq!(shown.hashed(), 2);
    assert!(object.is_file());
}

#[test]
fn same_file_system_is_a_hard_link_and_a_second_put_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    std::fs::write(&file, b"clip bytes").unwrap();
    let store = ObjectStore::new(dir.path().join("objects"));
    let (sha, how) = store.put(&file).unwrap();
    assert_eq!(how, Stored::Linked);
    let object = std::fs::metadata(store.path_of(&sha).unwrap()).unwrap();
    assert_eq!(object.ino(), std::fs::metadata(&file).unwrap().ino());
    assert_eq!(store.put(&file).unwrap(), (sha, Stored::Present));
}

#[test]
fn another_file_system_is_a_copy() {
    // /dev/shm is a tmpfs on Linux; the temporary folder is on disk here.
    let Ok(shm) = tempfile::tempdir_in("/dev/shm") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    if std::fs::metadata(shm.path()).unwrap().dev() == std::fs::metadata(dir.path()).unwrap().dev()
    {
        return;
    }
    let file = shm.path().join("a.png");
    std::fs::write(&file, b"png bytes").unwrap();
    let store = ObjectStore::new(dir.path().join("objects"));
    let (sha, how) = store.put(&file).unwrap();
    assert_eq!(how, Stored::Copied);
    let object = store.path_of(&sha).unwrap();
    assert_eq!(std::fs::read(&object).unwrap(), b"png bytes");
    assert_ne!(
        std::fs::metadata(&object).unwrap().ino(),
        std::fs::metadata(&file).unwrap().ino()
    );
    let leftovers: Vec<_> = std::fs::read_dir(store.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".incoming"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left");
}

#[test]
fn a_replaced_file_is_a_new_object_and_the_old_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("news.vi.txt");
    std::fs::write(&file, "Tin tức, bản một").unwrap();
    let mut shown = ShownObjects::new(ObjectStore::new(dir.path().join("objects")));
    let first = shown.archive(&file).unwrap();
    // Replaced the way a sync engine does it: a new file renamed over.
    let new = dir.path().join(".news.tmp");
    std::fs::write(&new, "Tin tức, bản hai").unwrap();
    std::fs::rename(&new, &file).unwrap();
    let second = shown.archive(&file).unwrap();
    assert_ne!(first, second);
    let store = ObjectStore::new(dir.path().join("objects"));
    let read = |sha: &str| std::fs::read_to_string(store.path_of(sha).unwrap()).unwrap();
    assert_eq!(read(&first), "Tin tức, bản một");
    assert_eq!(read(&second), "Tin tức, bản hai");
}

#[test]
fn bytes_in_memory_are_stored_once_under_their_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let store = ObjectStore::new(dir.path().join("objects"));
    let sha = store.put_bytes("Tin thứ nhất\n".as_bytes()).unwrap();
    assert_eq!(sha, sha_of("Tin thứ nhất\n".as_bytes()));
    let object = store.path_of(&sha).unwrap();
    assert_eq!(std::fs::read(&object).unwrap(), "Tin thứ nhất\n".as_bytes());
    let stored = std::fs::metadata(&object).unwrap().ino();
    assert_eq!(store.put_bytes("Tin thứ nhất\n".as_bytes()).unwrap(), sha);
    assert_eq!(
        std::fs::metadata(&object).unwrap().ino(),
        stored,
        "not written again"
    );
    let names: Vec<_> = std::fs::read_dir(store.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [&sha[..2]], "no temporary file left");
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("trap.mp4");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    let mut shown = ShownObjects::new(ObjectStore::new(dir.path().join("objects")));
    let error = shown.archive(&fifo).unwrap_err().to_string();
    assert!(
        error.contains("trap.mp4") && error.contains("not a regular file"),
        "{error}"
    );
}

#[test]
fn only_a_lowercase_sha256_names_an_object() {
    let store = ObjectStore::new("/x");
    assert!(store.path_of("../../etc/passwd").is_none());
    assert!(store.path_of(&"A".repeat(64)).is_none());
    assert_eq!(
        store.path_of(&"ab".repeat(32)).unwrap(),
        Path::new("/x/ab").join("ab".repeat(32))
    );
}
