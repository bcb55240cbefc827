//! Limits on a file read from the content folder or `/etc`, checked before
//! anything is parsed. A file is opened without following a symlink and
//! without blocking, and must be a regular file on the open descriptor: a
//! FIFO, a device or a socket named `control.yaml` would otherwise block the
//! read (and the frame) for ever. A file too large or nested too deep is
//! refused at once, with memory and time bounded (the parser takes tens of
//! seconds on 100,000 nested brackets). Alias bombs ("billion laughs") are
//! refused by the parser itself.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The deepest flow nesting (`[`, `{`) a kiosk file may have.
pub const MAX_NESTING: usize = 64;

/// Opens a regular file for reading, never blocking: a symlink in the last
/// component is refused (`O_NOFOLLOW`), a FIFO or device opens without waiting
/// (`O_NONBLOCK`) and is then refused by `fstat` on the descriptor, so nothing
/// can swap the file between the check and the read. Reads from a regular
/// file do not care about `O_NONBLOCK`.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => io::Error::other("a symbolic link: refused"),
            _ => e,
        })?;
    let file_type = file.metadata()?.file_type();
    if !file_type.is_file() {
        let what = if file_type.is_dir() {
            "a folder"
        } else {
            "a FIFO, device or socket"
        };
        return Err(io::Error::other(format!(
            "not a regular file ({what}): refused unread"
        )));
    }
    Ok(file)
}

/// [`open_regular`] on the file a symlink leads to, for files the content walk
/// has already allowed to be symlinks inside the folder (media); the target
/// itself is still opened without following and checked on its descriptor.
pub fn open_regular_target(path: &Path) -> io::Result<File> {
    open_regular(&std::fs::canonicalize(path)?)
}

/// Reads a file of at most `max_bytes` through [`open_regular`]; larger files
/// are refused without being read.
pub fn read_bytes_limited(path: &Path, max_bytes: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let too_large = || io::Error::other(format!("larger than {max_bytes} bytes: refused unread"));
    let size = file.metadata()?.len();
    if size > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Growing while read: still never more than the cap.
    file.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file of at most `max_bytes` through [`open_regular`];
/// larger files are refused without being read.
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<String, String> {
    let bytes = read_bytes_limited(path, max_bytes).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
}

/// Refuses YAML whose flow collections nest deeper than [`MAX_NESTING`].
/// Brackets inside quotes and comments are not counted.
pub fn check_nesting(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for line in text.lines() {
        let mut quote = None;
        for ch in line.chars() {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(ch),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(format!("nested deeper than {MAX_NESTING} levels"));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!("kiosk_id: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        assert!(check_nesting(&deep).unwrap_err().contains("64"));
        assert!(started.elapsed().as_secs() < 5);
        assert!(check_nesting("a: [1, [2, {b: 3}]]\n").is_ok());
        assert!(check_nesting("a: \"[[[[[[[[\" # [[[[[[\n").is_ok());
    }

    /// Runs `f` on a thread: a regression that blocks fails the test instead of hanging it.
    fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(std::time::Duration::from_secs(5))
            .expect("blocked: the open or read did not return")
    }

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[test]
    fn a_fifo_is_refused_at_once_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("control.yaml");
        mkfifo(&path);
        let read = within_seconds(move || read_limited(&path, 1000));
        assert_eq!(
            read.unwrap_err(),
            "not a regular file (a FIFO, device or socket): refused unread"
        );
    }

    #[test]
    fn symlinks_are_refused_even_to_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        std::fs::write(&real, "a: 1\n").unwrap();
        let link = dir.path().join("control.yaml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(
            read_limited(&link, 1000).unwrap_err(),
            "a symbolic link: refused"
        );
        assert_eq!(read_limited(&real, 1000).unwrap(), "a: 1\n");
    }

    #[test]
    fn a_device_behind_a_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("news.vi.srt");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let direct = within_seconds(|| read_bytes_limited(Path::new("/dev/zero"), 1000));
        assert!(
            direct
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        assert_eq!(
            read_bytes_limited(&link, 1000).unwrap_err().to_string(),
            "a symbolic link: refused"
        );
        // Resolved (media may be a symlink inside the folder): the device still is not a file.
        let resolved = within_seconds(move || open_regular_target(&link).map(|_| ()));
        assert!(
            resolved
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
    }

    #[test]
    fn a_huge_sparse_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("playlist.yaml");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
        // Read whole, 2 GiB would not fit the deadline on a slow disk, nor the test's memory.
        let read = within_seconds(move || read_bytes_limited(&path, 32 << 20));
        assert_eq!(
            read.unwrap_err().to_string(),
            "larger than 33554432 bytes: refused unread"
        );
    }

    #[test]
    fn large_files_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, vec![b'#'; 2000]).unwrap();
        assert!(
            read_limited(&path, 1000)
                .unwrap_err()
                .contains("1000 bytes")
        );
        assert_eq!(read_limited(&path, 2000).unwrap().len(), 2000);
    }
}
