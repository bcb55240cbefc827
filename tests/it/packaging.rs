//! The kiosk's X session (packaging/): the scripts parse, and the X server
//! wrapper starts X with a fresh cookie, so a client without it is refused.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn packaging(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packaging")
        .join(name)
}

/// `xset q` on `display` with this cookie file (or none), `home` as HOME so
/// that no ~/.Xauthority is found.
fn xset_query(display: &str, auth: Option<&Path>, home: &Path) -> bool {
    let mut command = Command::new("xset");
    command
        .args(["-display", display, "q"])
        .env_remove("XAUTHORITY")
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(auth) = auth {
        command.env("XAUTHORITY", auth);
    }
    command
        .status()
        .expect("xset runs (x11-xserver-utils)")
        .success()
}

/// A display number no X server uses now, away from xvfb-run's (99 up).
fn free_display() -> u32 {
    (460..560)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display number")
}

#[test]
fn the_session_scripts_parse() {
    for script in ["session", "xserver", "systemd/postrm"] {
        let out = Command::new("sh")
            .arg("-n")
            .arg(packaging(script))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "packaging/{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn man_pages_completions_and_version_come_from_the_command_line() {
    let run = |args: &[&str]| {
        let out = Command::new(crate::support::bin())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "infokiosk {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // The version names the commit the binary was built from.
    let version = run(&["--version"]);
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let commit = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    let expected = if head.status.success() {
        commit.as_str()
    } else {
        "unknown"
    };
    assert_eq!(
        version.trim(),
        format!("infokiosk {} ({expected})", env!("CARGO_PKG_VERSION"))
    );
    // One page for the command, one for each subcommand, in roff.
    let page = run(&["man"]);
    assert!(page.contains(".TH infokiosk 1"), "{page}");
    for sub in ["check", "fleet", "journal", "schedule"] {
        assert!(page.contains(sub), "the page lists `{sub}`");
    }
    let dir = tempfile::tempdir().unwrap();
    run(&["man", "--out", dir.path().to_str().unwrap()]);
    let check = std::fs::read_to_string(dir.path().join("infokiosk-check.1")).unwrap();
    assert!(check.contains(".TH infokiosk-check 1"), "{check}");
    assert!(
        check.contains("\\-\\-json"),
        "the options are on it: {check}"
    );
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("_infokiosk()") && bash.contains("fleet"),
        "{bash}"
    );
}

#[test]
fn x_refuses_a_client_without_the_kiosk_cookie() {
    // The wrapper as installed, with Xvfb in place of Xorg (no GPU, no tty).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(packaging("xserver")).unwrap();
    assert!(text.contains("/usr/bin/Xorg"), "{text}");
    let wrapper = dir.path().join("xserver");
    std::fs::write(&wrapper, text.replace("/usr/bin/Xorg", "/usr/bin/Xvfb")).unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    let auth = runtime.join("Xauthority");
    let display = format!(":{}", free_display());
    let mut server = Command::new("sh")
        .arg(&wrapper)
        .args([display.as_str(), "-nolisten", "tcp"])
        .env("XAUTHORITY", &auth)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");

    let deadline = Instant::now() + Duration::from_secs(15);
    let mut started = false;
    while Instant::now() < deadline {
        if let Some(status) = server.try_wait().unwrap() {
            let out = server.wait_with_output().unwrap();
            panic!(
                "the X server wrapper exited ({status}): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if xset_query(&display, Some(&auth), dir.path()) {
            started = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let refused = !xset_query(&display, None, dir.path());
    let mode = std::fs::metadata(&auth).map(|m| m.permissions().mode() & 0o777);
    server.kill().unwrap();
    server.wait().unwrap();

    assert!(started, "X accepts the client holding the cookie");
    assert!(refused, "X accepted a client without the cookie");
    assert_eq!(mode.unwrap(), 0o600, "the cookie is the kiosk user's alone");
}

/// What lintian cannot see from one package: the changelog's top entry is for
/// the version being packaged (cargo-deb's revision 1), and every tag
/// `make deb` lets through is explained where the builder reads.
#[test]
fn the_changelog_and_the_lintian_overrides_match_the_package() {
    let changelog = std::fs::read_to_string(packaging("changelog")).unwrap();
    let top = changelog.lines().next().unwrap_or_default();
    let expected = format!("infokiosk ({}-1) ", env!("CARGO_PKG_VERSION"));
    assert!(
        top.starts_with(&expected),
        "packaging/changelog starts with `{top}`, not an entry for `{expected}`: add one"
    );

    let overrides = std::fs::read_to_string(packaging("lintian-overrides")).unwrap();
    let readme = std::fs::read_to_string(packaging("README.md")).unwrap();
    let tags: Vec<&str> = overrides
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let line = line.strip_prefix("infokiosk: ").unwrap_or(line);
            line.split_whitespace().next().unwrap()
        })
        .collect();
    assert!(!tags.is_empty(), "{overrides}");
    for tag in tags {
        assert!(
            readme.contains(&format!("`{tag}")),
            "lintian tag {tag} is overridden but not explained in packaging/README.md"
        );
    }
}
