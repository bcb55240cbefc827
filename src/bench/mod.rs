//! `infokiosk bench …` (catalog, video, idle, journal-verify): speed figures anyone can rerun. Benchmarks report;
//! they never pass or fail (these machines are shared and noisy).

mod catalog;
mod idle;
mod journal;
mod video;

#[cfg(test)]
pub(crate) use catalog::TINY_PNG;
pub use catalog::bench_catalog;
pub use idle::bench_idle;
pub use journal::bench_journal_verify;
pub use video::bench_video;

use std::time::Duration;

/// Median and worst of a set of durations.
pub fn median_and_worst(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let median = samples.get(samples.len() / 2).copied().unwrap_or_default();
    let worst = samples.last().copied().unwrap_or_default();
    (median, worst)
}

/// Peak resident memory of this process (VmHWM), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Current resident memory (VmRSS), in KiB.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_worst_of_samples() {
        let ms = Duration::from_millis;
        assert_eq!(median_and_worst(vec![ms(5), ms(1), ms(9)]), (ms(5), ms(9)));
        assert_eq!(median_and_worst(vec![]), (Duration::ZERO, Duration::ZERO));
    }

    #[test]
    fn memory_figures_are_read_from_proc() {
        assert!(peak_rss_kib().unwrap() >= rss_kib().unwrap() / 2);
    }
}
