//! The directory walk: every name under the content folder, classified, with its size and mtime.
//!
//! Reads directory entries and metadata only, never file bodies: what is inside is the scanner's
//! business, and only for files the names allow.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::naming::{
    CONTROL_FILES, MANIFEST, NameClass, SIGNATURE, URGENT_FOLDER, classify, group_key, is_silent,
    looks_like_media,
};
use super::{Kind, Language, Rejected, SidecarKind};

/// A file the names allow, before its age, size and content are judged.
#[derive(Debug)]
pub(crate) struct Found {
    pub rel: PathBuf,
    /// `rel` with `/` separators; always valid UTF-8 (other names are refused).
    pub rel_str: String,
    pub what: What,
    pub group: String,
    pub size: u64,
    pub modified: SystemTime,
    pub urgent: bool,
    /// Size, times and inode: what the digest cache is keyed by.
    pub stamp: FileStamp,
}

/// What the name says a found file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum What {
    Media {
        kind: Kind,
        language: Language,
        conflict: bool,
    },
    Sidecar {
        kind: SidecarKind,
        language: Language,
    },
}

#[derive(Debug, Default)]
pub(crate) struct Walk {
    /// Sorted by `rel_str` (byte order).
    pub files: Vec<Found>,
    pub rejected: Vec<Rejected>,
    /// Size and mtime of the top-level playlist.yaml, if there is one.
    pub manifest: Option<(u64, SystemTime)>,
    /// The same for playlist.yaml.minisig.
    pub signature: Option<(u64, SystemTime)>,
}

struct Folder {
    abs: PathBuf,
    rel: PathBuf,
    rel_str: String,
    urgent: bool,
}

/// Walks `content_dir`; `root` is its canonical form, against which symlinks are checked.
/// Only an unreadable content folder itself is an error; anything below is a rejected row.
pub(crate) fn walk(content_dir: &Path, root: &Path) -> Result<Walk, String> {
    let mut out = Walk::default();
    let mut folders = vec![Folder {
        abs: content_dir.to_path_buf(),
        rel: PathBuf::new(),
        rel_str: String::new(),
        urgent: false,
    }];
    let mut top = true;
    while let Some(folder) = folders.pop() {
        let entries = match fs::read_dir(&folder.abs) {
            Ok(entries) => entries,
            Err(err) if top => {
                return Err(format!(
                    "content folder {} cannot be read: {err}",
                    content_dir.display()
                ));
            }
            Err(err) => {
                reject(
                    &mut out,
                    folder.rel,
                    format!("folder cannot be read: {err}"),
                );
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    reject(
                        &mut out,
                        folder.rel.clone(),
                        format!("folder cannot be listed: {err}"),
                    );
                    break;
                }
            };
            visit(&mut out, &mut folders, &folder, top, &entry, root);
        }
        top = false;
    }
    out.files.sort_unstable_by(|a, b| a.rel_str.cmp(&b.rel_str));
    Ok(out)
}

fn reject(out: &mut Walk, rel: PathBuf, reason: impl Into<String>) {
    out.rejected.push(Rejected {
        rel,
        reason: reason.into(),
    });
}

fn visit(
    out: &mut Walk,
    folders: &mut Vec<Folder>,
    folder: &Folder,
    top: bool,
    entry: &fs::DirEntry,
    root: &Path,
) {
    let name_os = entry.file_name();
    let rel = folder.rel.join(&name_os);
    let Some(name) = name_os.to_str() else {
        return reject(out, rel, "file name is not valid UTF-8: rename it");
    };
    if is_silent(name) {
        return;
    }
    let file_type = match entry.file_type() {
        Ok(file_type) => file_type,
        Err(err) => return reject(out, rel, format!("cannot be read: {err}")),
    };
    let rel_str = if top {
        name.to_owned()
    } else {
        format!("{}/{name}", folder.rel_str)
    };
    if file_type.is_dir() {
        if name.starts_with('.') || name.starts_with('~') {
            return reject(
                out,
                rel,
                format!(
                    "hidden folder (name starts with '{}'): not scanned",
                    &name[..1]
                ),
            );
        }
        if looks_like_media(name) {
            return reject(
                out,
                rel,
                "is a directory named like a media file: its contents are not scanned",
            );
        }
        let urgent = folder.urgent || top && name == URGENT_FOLDER;
        folders.push(Folder {
            abs: entry.path(),
            rel,
            rel_str,
            urgent,
        });
        return;
    }
    let metadata = match metadata(entry, file_type, root) {
        Ok(metadata) => metadata,
        Err(reason) => return reject(out, rel, reason),
    };
    if !metadata.is_file() {
        return reject(out, rel, "not a regular file (device, pipe or socket)");
    }
    let Ok(modified) = metadata.modified() else {
        return reject(out, rel, "the file system gives no modification time");
    };
    if CONTROL_FILES.contains(&name) {
        if !top {
            return reject(
                out,
                rel,
                format!("{name} is only read at the top of the content folder"),
            );
        }
        match name {
            MANIFEST => out.manifest = Some((metadata.len(), modified)),
            SIGNATURE => out.signature = Some((metadata.len(), modified)),
            _ => {}
        }
        return;
    }
    let (what, stem) = match classify(name) {
        NameClass::Media {
            kind,
            language,
            name,
            conflict,
        } => (
            What::Media {
                kind,
                language,
                conflict,
            },
            name,
        ),
        NameClass::Sidecar {
            kind,
            language,
            name,
        } => (What::Sidecar { kind, language }, name),
        NameClass::Refused(reason) => return reject(out, rel, reason),
    };
    let group = group_key(&folder.rel_str, &stem);
    out.files.push(Found {
        rel,
        rel_str,
        what,
        group,
        size: metadata.len(),
        modified,
        urgent: folder.urgent,
        stamp: FileStamp::of(&metadata),
    });
}

/// The metadata of a file, or of a symlink's target if that is a file inside the content folder.
fn metadata(
    entry: &fs::DirEntry,
    file_type: fs::FileType,
    root: &Path,
) -> Result<fs::Metadata, String> {
    if !file_type.is_symlink() {
        return entry.metadata().map_err(|e| format!("cannot be read: {e}"));
    }
    let target = fs::canonicalize(entry.path())
        .map_err(|_| "broken symlink: its target does not exist".to_owned())?;
    if !target.starts_with(root) {
        return Err("symlink points outside the content folder".into());
    }
    match fs::metadata(&target) {
        Ok(m) if m.is_dir() => Err("symlink to a folder: not followed".into()),
        Ok(m) => Ok(m),
        Err(e) => Err(format!("cannot be read: {e}")),
    }
}

/// What tells an unchanged file from a changed one without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct FileStamp {
    pub size: u64,
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
    pub inode: u64,
    pub device: u64,
}

impl FileStamp {
    pub fn of(m: &fs::Metadata) -> Self {
        FileStamp {
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
            inode: m.ino(),
            device: m.dev(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn reasons(dir: &Path) -> Vec<(String, String)> {
        let root = fs::canonicalize(dir).unwrap();
        let mut rows: Vec<_> = walk(dir, &root)
            .unwrap()
            .rejected
            .into_iter()
            .map(|r| (r.rel.to_string_lossy().into_owned(), r.reason))
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn walks_subfolders_in_name_order_and_marks_urgent() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "b.jpg",
            "a/z.vi.png",
            "a/b.en.png",
            "urgent/flood.km.jpg",
            "news/urgent/x.jpg",
        ] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"x").unwrap();
        }
        fs::write(dir.path().join("playlist.yaml"), b"items: []\n").unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let walk = walk(dir.path(), &root).unwrap();
        let rels: Vec<_> = walk
            .files
            .iter()
            .map(|f| (f.rel_str.as_str(), f.group.as_str(), f.urgent))
            .collect();
        assert_eq!(
            rels,
            [
                ("a/b.en.png", "a/b", false),
                ("a/z.vi.png", "a/z", false),
                ("b.jpg", "b", false),
                ("news/urgent/x.jpg", "news/urgent/x", false),
                ("urgent/flood.km.jpg", "urgent/flood", true),
            ]
        );
        assert_eq!(walk.manifest.map(|(size, _)| size), Some(10));
        assert!(walk.rejected.is_empty());
    }

    #[test]
    fn symlinks_inside_are_followed_broken_ones_reported() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("real.jpg"), b"x").unwrap();
        symlink(dir.path().join("real.jpg"), dir.path().join("inside.jpg")).unwrap();
        symlink(dir.path().join("gone.jpg"), dir.path().join("broken.jpg")).unwrap();
        assert_eq!(
            reasons(dir.path()),
            [(
                "broken.jpg".into(),
                "broken symlink: its target does not exist".into()
            )]
        );
    }

    #[test]
    fn hidden_folders_are_skipped_and_syncthing_markers_silently() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            ".stfolder/x",
            ".stversions/a~20261201.jpg",
            ".git/HEAD",
            "a/.cache/b.jpg",
        ] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"x").unwrap();
        }
        fs::write(dir.path().join(".stignore"), b"x").unwrap();
        let rows = reasons(dir.path());
        assert_eq!(
            rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            [".git", "a/.cache"]
        );
        assert!(rows[0].1.contains("hidden folder"));
    }

    #[test]
    fn rejects_unknown_types_and_misplaced_control_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        for rel in ["notes.docx", "sub/playlist.yaml"] {
            fs::write(dir.path().join(rel), b"x").unwrap();
        }
        let rows = reasons(dir.path());
        assert!(rows[0].1.contains("unknown file type '.docx'"));
        assert!(rows[1].1.contains("only read at the top"));
    }

    #[test]
    fn rejects_non_utf8_names() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.jpg");
        fs::write(dir.path().join(name), b"x").unwrap();
        let rows = reasons(dir.path());
        assert_eq!(rows.len(), 1);
        assert!(rows[0].1.contains("not valid UTF-8"), "{rows:?}");
    }
}
