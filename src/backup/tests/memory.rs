//! A month with a 200 MB video backs up with bounded memory.

use super::super::*;
use super::{Fixture, flip_byte, write_noise};

/// Runs [`big_month_child`] in a process of its own, so that its peak RSS
/// (VmHWM) is the backup's and not that of other tests running alongside.
#[test]
fn a_200_mb_month_backs_up_with_bounded_memory() {
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, rest)| rest);
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            &format!("{module}::big_month_child"),
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("peak RSS"))
        .expect("child reports");
    println!("{line}");
    let kib: u64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(
        kib < 100 * 1024,
        "a 200 MB file must not be held in memory: {line}"
    );
}

#[test]
#[ignore = "run by a_200_mb_month_backs_up_with_bounded_memory in its own process"]
fn big_month_child() {
    let fx = Fixture::new();
    fx.month_with_plays("2026-11", &["clip.vi.mp4"]);
    write_noise(&fx.content_dir().join("clip.vi.mp4"), 200 << 20);
    let before = vm_hwm_kib();
    let started = std::time::Instant::now();
    let outcome = fx.backup("2026-11", false).unwrap();
    let summary = outcome.summary();
    assert!(verify(&summary.archive).unwrap().is_intact());
    println!(
        "peak RSS {} KiB (VmHWM; {before} KiB before the backup), 200 MiB backed up and verified in {:.1} s, archive {} bytes",
        vm_hwm_kib(),
        started.elapsed().as_secs_f64(),
        summary.bytes
    );
    flip_byte(&summary.archive, summary.bytes / 2);
    assert!(!verify(&summary.archive).unwrap().is_intact());
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
