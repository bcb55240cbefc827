//! Writes a person's PIN hash into the config text, line by line, so the
//! rest of the file (its comments, order and spacing) stays as the person
//! wrote it. Only the `overlay:` section's `pins:` list is touched; an entry
//! is the same person when its role and name are. `write_pin` puts the edit
//! on disk (what `infokiosk pin` does once it has the PIN), keeping the
//! file's mode, owner and group.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::{ConfigError, KioskConfig, PinEntry};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EditError {
    #[error("`{0}` is inline (flow style): put it on its own lines, or edit by hand")]
    FlowStyle(&'static str),
    #[error("`overlay:` appears more than once")]
    Twice,
    #[error("the new hash did not land in `overlay: pins:` (odd indentation?); edit by hand")]
    NotPlaced,
}

/// Why a PIN's hash was not written into the config file.
#[derive(Debug, Error)]
pub enum PinFileError {
    #[error("{0}; fix the file first, then run `infokiosk pin` again")]
    Config(#[from] ConfigError),
    #[error("{path}: {source}")]
    Edit { path: PathBuf, source: EditError },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The config file's text, once it is known to load (empty when there is
/// no file yet), so that a broken config fails before anyone types a PIN.
pub fn read_config(path: &Path) -> Result<String, PinFileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            KioskConfig::parse(&text, path)?;
            Ok(text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(ConfigError::Read {
            path: path.to_owned(),
            source,
        }
        .into()),
    }
}

/// Puts `entry` into the config at `path` (whose text was `old`) and writes
/// it back atomically (temp file, then rename) with the file's mode, owner
/// and group (the config is root's, readable by the player's group).
pub fn write_pin(path: &Path, old: &str, entry: &PinEntry) -> Result<(), PinFileError> {
    let new = set_pin_hash(old, entry).map_err(|source| PinFileError::Edit {
        path: path.to_owned(),
        source,
    })?;
    // The edit must give a valid config holding exactly this entry.
    let parsed = KioskConfig::parse(&new, path)?;
    let placed = parsed.overlay.pins.iter().any(|p| p == entry);
    if !placed {
        return Err(PinFileError::Edit {
            path: path.to_owned(),
            source: EditError::NotPlaced,
        });
    }
    let write_err = |source| PinFileError::Write {
        path: path.to_owned(),
        source,
    };
    let temp = path.with_extension("yaml.pin-tmp");
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(new.as_bytes())?;
        if let Ok(meta) = std::fs::metadata(path) {
            // Owner first: a chown may clear set-id bits the mode then restores.
            std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()))?;
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(write_err)
}

/// The config text with `entry`'s hash and `min_length` set (in place if
/// the same role and name are listed, as a new item otherwise).
pub fn set_pin_hash(text: &str, entry: &PinEntry) -> Result<String, EditError> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let tops: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            indent(&lines[i]) == 0 && key_value(&lines[i]).is_some_and(|(k, _)| k == "overlay")
        })
        .collect();
    let overlay = match tops[..] {
        [] => {
            append_section(&mut lines, entry);
            return Ok(join(lines));
        }
        [one] => one,
        _ => return Err(EditError::Twice),
    };
    match key_value(&lines[overlay]).map(|(_, v)| v) {
        Some("") => {}
        Some("{}") => lines[overlay] = "overlay:".into(),
        _ => return Err(EditError::FlowStyle("overlay")),
    }
    let end = (overlay + 1..lines.len())
        .find(|&i| is_content(&lines[i]) && indent(&lines[i]) == 0)
        .unwrap_or(lines.len());
    let child = (overlay + 1..end)
        .find(|&i| is_content(&lines[i]))
        .map_or(2, |i| indent(&lines[i]));
    let pins = (overlay + 1..end).find(|&i| {
        indent(&lines[i]) == child && key_value(&lines[i]).is_some_and(|(k, _)| k == "pins")
    });
    let Some(pins) = pins else {
        let at = last_content(&lines, overlay, end);
        let mut block = vec![format!("{}pins:", spaces(child))];
        block.extend(new_item(child + 2, entry));
        lines.splice(at + 1..at + 1, block);
        return Ok(join(lines));
    };
    match key_value(&lines[pins]).map(|(_, v)| v) {
        Some("") => {}
        Some("[]") => lines[pins] = format!("{}pins:", spaces(child)),
        _ => return Err(EditError::FlowStyle("pins")),
    }
    let first_item = (pins + 1..end)
        .find(|&i| is_content(&lines[i]))
        .filter(|&i| indent(&lines[i]) >= child && is_item(&lines[i]));
    let Some(first_item) = first_item else {
        lines.splice(pins + 1..pins + 1, new_item(child + 2, entry));
        return Ok(join(lines));
    };
    let item_indent = indent(&lines[first_item]);
    let block_end = (first_item..end)
        .find(|&i| {
            is_content(&lines[i])
                && (indent(&lines[i]) < item_indent
                    || (indent(&lines[i]) == item_indent && !is_item(&lines[i])))
        })
        .unwrap_or(end);
    let starts: Vec<usize> = (first_item..block_end)
        .filter(|&i| indent(&lines[i]) == item_indent && is_item(&lines[i]))
        .collect();
    for (n, &start) in starts.iter().enumerate() {
        let stop = starts.get(n + 1).copied().unwrap_or(block_end);
        if item_identity(&lines[start..stop], item_indent) != Some(identity(entry)) {
            continue;
        }
        let stop = set_item_key(
            &mut lines,
            start,
            stop,
            item_indent,
            "hash",
            &quote(&entry.hash),
        );
        if let Some(min) = entry.min_length {
            set_item_key(
                &mut lines,
                start,
                stop,
                item_indent,
                "min_length",
                &min.to_string(),
            );
        }
        return Ok(join(lines));
    }
    let at = last_content(&lines, pins, block_end);
    lines.splice(at + 1..at + 1, new_item(item_indent, entry));
    Ok(join(lines))
}

/// Sets `key: value` in the list item at `start..stop`: in place if the
/// item has the key, as a new last line otherwise. The item's new end.
fn set_item_key(
    lines: &mut Vec<String>,
    start: usize,
    stop: usize,
    item_indent: usize,
    key: &str,
    value: &str,
) -> usize {
    let found = (start..stop)
        .find(|&i| key_value(&item_line(&lines[i], i == start)).is_some_and(|(k, _)| k == key));
    match found {
        Some(i) => {
            let at = lines[i].find(&format!("{key}:")).expect("found above") + key.len() + 1;
            lines[i] = format!("{} {value}", &lines[i][..at]);
            stop
        }
        None => {
            let line = format!("{}{key}: {value}", spaces(item_indent + 2));
            lines.insert(last_content(lines, start, stop) + 1, line);
            stop + 1
        }
    }
}

fn append_section(lines: &mut Vec<String>, entry: &PinEntry) {
    if lines.last().is_some_and(|l| !l.trim().is_empty()) {
        lines.push(String::new());
    }
    lines.push("# The admin overlay (Ctrl+Alt+A): PIN hashes written by `infokiosk pin`.".into());
    lines.push("overlay:".into());
    lines.push("  pins:".into());
    lines.extend(new_item(4, entry));
}

fn new_item(indent: usize, entry: &PinEntry) -> Vec<String> {
    let mut item = vec![format!("{}- role: {}", spaces(indent), quote(&entry.role))];
    if let Some(name) = &entry.name {
        item.push(format!("{}  name: {}", spaces(indent), quote(name)));
    }
    item.push(format!("{}  hash: {}", spaces(indent), quote(&entry.hash)));
    if let Some(min) = entry.min_length {
        item.push(format!("{}  min_length: {min}", spaces(indent)));
    }
    item
}

/// What makes two entries the same person: role and name.
fn identity(entry: &PinEntry) -> (String, Option<String>) {
    (entry.role.clone(), entry.name.clone())
}

/// The role and name of one list item, read by the YAML parser (quotes, comments).
fn item_identity(lines: &[String], item_indent: usize) -> Option<(String, Option<String>)> {
    #[derive(serde::Deserialize)]
    struct Entry {
        role: String,
        #[serde(default)]
        name: Option<String>,
    }
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let l = item_line(l, n == 0);
            format!("{}\n", l.get(item_indent.min(indent(&l))..).unwrap_or(""))
        })
        .collect();
    serde_yaml::from_str::<Entry>(&text)
        .ok()
        .map(|e| (e.role, e.name))
}

/// A list item's first line with its `- ` turned into spaces.
fn item_line(line: &str, first: bool) -> String {
    let at = indent(line);
    if first && is_item(line) {
        format!(
            "{}  {}",
            &line[..at],
            line[at + 1..].trim_start_matches(' ')
        )
    } else {
        line.to_owned()
    }
}

/// `key: value` on a line (the value without a trailing comment).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = line.trim().split_once(':')?;
    let simple = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !simple || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let value = rest.split(" #").next().unwrap_or("").trim();
    Some((key, value))
}

fn is_item(line: &str) -> bool {
    let t = line.trim_start();
    t == "-" || t.starts_with("- ")
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The last line with content in `from..to`, or `from`.
fn last_content(lines: &[String], from: usize, to: usize) -> usize {
    (from..to)
        .rev()
        .find(|&i| is_content(&lines[i]))
        .unwrap_or(from)
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn join(lines: Vec<String>) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::pin::{Secret, hash_pin, role_for_pin};

    const H1: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0VbXl1s4qlpzfPjyyL1m6WNXBfa8qM3aTvsYWSLKSj8";
    const H2: &str = "$argon2id$v=19$m=19456,t=2,p=1$cGVwcGVycGVwcGVy$8a5uYmEMlQ9fHbVhH7yHLSXcgbXu4pLu0e9uq6XC0xE";

    /// The pins the edited text gives, as (role, hash).
    fn pins(text: &str) -> Vec<(String, String)> {
        let config = KioskConfig::parse(text, Path::new("k.yaml")).unwrap();
        let pins = config.overlay.pins.into_iter();
        pins.map(|p| (p.role, p.hash)).collect()
    }

    fn e(role: &str, hash: &str) -> PinEntry {
        PinEntry {
            role: role.into(),
            name: None,
            hash: hash.into(),
            min_length: None,
        }
    }

    fn pair(role: &str, hash: &str) -> (String, String) {
        (role.into(), hash.into())
    }

    const BASE: &str = "# Kiosk at gate 1\nkiosk_id: gate-1   # the name\n\n# display power\ndisplay:\n  backend: none\n";

    #[test]
    fn adds_a_section_and_keeps_everything_else() {
        let out = set_pin_hash(BASE, &e("admin", H1)).unwrap();
        assert!(out.starts_with(BASE), "{out}");
        assert_eq!(pins(&out), [pair("admin", H1)]);
        let empty = set_pin_hash("", &e("admin", H1)).unwrap();
        assert_eq!(pins(&empty), [pair("admin", H1)]);
    }

    #[test]
    fn replaces_the_role_hash_in_place() {
        let text = format!(
            "overlay:\n  # keys\n  hotkey: Ctrl+Alt+K\n  pins:\n    - role: admin   # technicians\n      hash: \"{H1}\"\n    - hash: '{H1}'\n      role: \"border guard\"\n  language: en\nkiosk_id: x # end\n"
        );
        let out = set_pin_hash(&text, &e("border guard", H2)).unwrap();
        assert_eq!(pins(&out), [pair("admin", H1), pair("border guard", H2)]);
        let out = set_pin_hash(&out, &e("admin", H2)).unwrap();
        assert_eq!(pins(&out), [pair("admin", H2), pair("border guard", H2)]);
        // Only the two hash lines changed.
        let changed = text.lines().zip(out.lines()).filter(|(a, b)| a != b);
        assert_eq!(changed.count(), 2, "{out}");
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(out.contains("  # keys\n") && out.contains("admin   # technicians"));
        assert!(out.ends_with("language: en\nkiosk_id: x # end\n"));
    }

    #[test]
    fn adds_a_role_at_the_end_of_the_list() {
        let text = format!(
            "overlay:\n  pins:\n  - role: admin\n    hash: \"{H1}\"\n\n  # language of the labels\n  language: vi\n"
        );
        let out = set_pin_hash(&text, &e("guard", H2)).unwrap();
        assert_eq!(pins(&out), [pair("admin", H1), pair("guard", H2)]);
        assert!(
            out.contains("  # language of the labels\n  language: vi\n"),
            "{out}"
        );
    }

    #[test]
    fn fills_a_section_without_pins() {
        for text in [
            "overlay:\n  idle_seconds: 60\n\n# next\nkiosk_id: a\n",
            "overlay:\n  idle_seconds: 60\n  pins: []\nkiosk_id: a\n",
            "overlay:\n  idle_seconds: 60\n  pins:\nkiosk_id: a\n",
            "overlay: {}\nkiosk_id: a\n",
            "overlay:\nkiosk_id: a\n",
            "kiosk_id: a\noverlay:   # admin\n    idle_seconds: 60\n",
        ] {
            let out = set_pin_hash(text, &e("admin", H1)).unwrap();
            assert_eq!(pins(&out), [pair("admin", H1)], "{text}\n---\n{out}");
            assert!(out.contains("kiosk_id: a\n"), "{out}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_edit_line_by_line() {
        assert_eq!(
            set_pin_hash("overlay: {pins: []}\n", &e("a", H1)),
            Err(EditError::FlowStyle("overlay"))
        );
        assert_eq!(
            set_pin_hash("overlay:\n  pins: [{role: a, hash: x}]\n", &e("a", H1)),
            Err(EditError::FlowStyle("pins"))
        );
        assert_eq!(
            set_pin_hash("overlay:\noverlay:\n", &e("a", H1)),
            Err(EditError::Twice)
        );
    }

    #[test]
    fn writes_the_hash_in_place_and_the_pin_then_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infokiosk.yaml");
        let text = "# gate 1\nkiosk_id: gate-1\noverlay:\n  language: en  # labels\n";
        std::fs::write(&path, text).unwrap();
        let hash = hash_pin("246810").unwrap();
        write_pin(&path, &read_config(&path).unwrap(), &e("admin", &hash)).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.starts_with(text), "{written}");
        let config = KioskConfig::load(&path).unwrap();
        let pins = &config.overlay.pins;
        assert_eq!(role_for_pin(&Secret("246810".into()), pins), Some("admin"));
        assert!(!dir.path().join("infokiosk.yaml.pin-tmp").exists());
    }

    #[test]
    fn each_person_has_their_own_entry_and_the_rule_it_was_set_under() {
        let guard = |name: &str, hash: &str| PinEntry {
            name: Some(name.into()),
            min_length: Some(6),
            ..e("border-guard", hash)
        };
        let text = format!(
            "overlay:\n  pins:\n    - role: border-guard   # old, no name\n      hash: \"{H1}\"\n"
        );
        let out = set_pin_hash(&text, &guard("Nguyễn Văn An", H1)).unwrap();
        let out = set_pin_hash(&out, &guard("Lê Thị Hoa", H2)).unwrap();
        let config = KioskConfig::parse(&out, Path::new("k.yaml")).unwrap();
        assert_eq!(
            config.overlay.pins,
            [
                e("border-guard", H1),
                guard("Nguyễn Văn An", H1),
                guard("Lê Thị Hoa", H2)
            ],
            "{out}"
        );
        // The same person again: the hash is replaced, nothing added.
        let again = set_pin_hash(&out, &guard("Nguyễn Văn An", H2)).unwrap();
        let config = KioskConfig::parse(&again, Path::new("k.yaml")).unwrap();
        assert_eq!(config.overlay.pins[1], guard("Nguyễn Văn An", H2));
        assert_eq!(again.lines().count(), out.lines().count(), "{again}");
        // The old entry, set again, gets its min_length line.
        let renewed = set_pin_hash(
            &again,
            &PinEntry {
                min_length: Some(6),
                ..e("border-guard", H2)
            },
        );
        let config = KioskConfig::parse(&renewed.unwrap(), Path::new("k.yaml")).unwrap();
        assert_eq!(config.overlay.pins[0].min_length, Some(6));
        assert_eq!(config.overlay.pins.len(), 3);
    }

    #[test]
    fn the_rewritten_config_keeps_its_mode_owner_and_group() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infokiosk.yaml");
        std::fs::write(&path, "kiosk_id: gate-1\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        // As root (the tests run as root, as `sudo infokiosk pin` does), the
        // file can belong to someone else: the player's group, say.
        let root = is_root();
        if root {
            std::os::unix::fs::chown(&path, Some(4242), Some(4343)).unwrap();
        }
        let before = std::fs::metadata(&path).unwrap();
        write_pin(&path, &read_config(&path).unwrap(), &e("admin", H1)).unwrap();
        let after = std::fs::metadata(&path).unwrap();
        assert_ne!(before.ino(), after.ino(), "a new file was renamed in");
        assert_eq!(after.permissions().mode() & 0o7777, 0o640);
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        if root {
            assert_eq!((after.uid(), after.gid()), (4242, 4343));
        }
    }

    fn is_root() -> bool {
        // SAFETY: geteuid has no preconditions.
        unsafe { libc::geteuid() == 0 }
    }

    #[test]
    fn a_broken_config_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infokiosk.yaml");
        std::fs::write(&path, "volume: 7\n").unwrap();
        let err = read_config(&path).unwrap_err().to_string();
        assert!(
            err.contains("volume") && err.contains("fix the file"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "volume: 7\n");
        assert_eq!(read_config(&dir.path().join("new.yaml")).unwrap(), "");
    }
}
