//! `bench journal-verify`: how long `journal verify` takes on a month of
//! journal (300,000 lines is a busy month: a line per picture and a minute's
//! heartbeat, 8 hours a day).

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::journal::chain::{ANCHOR, line_hash, verify_month};

use super::median_and_worst;

/// Writes `lines` chained lines shaped like the player's (plays and
/// heartbeats) into `dir/2026-11.jsonl`; returns the file's size.
fn write_month(dir: &Path, lines: usize) -> std::io::Result<u64> {
    let path = dir.join("2026-11.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut prev = ANCHOR.to_owned();
    for seq in 1..=lines {
        let (minute, second) = (seq / 60 % 60, seq % 60);
        let time = format!("2026-11-10T02:{minute:02}:{second:02}.000Z");
        let local = format!("2026-11-10T09:{minute:02}:{second:02}.000+07:00");
        let event = match seq % 3 {
            0 => r#""event":"heartbeat","screen":"open""#.to_owned(),
            1 => format!(
                r#""event":"play_started","item":"campaign-{:03}/item-{seq}.vi.png","kind":"image","language":"vi""#,
                seq % 100
            ),
            _ => format!(
                r#""event":"play_ended","item":"campaign-{:03}/item-{seq}.vi.png","kind":"image","language":"vi","shown_ms":10000,"ended":"completed""#,
                seq % 100
            ),
        };
        let line = format!(
            r#"{{"v":1,"seq":{seq},"prev":"{prev}","kiosk":"tinh-bien-1","time":"{time}","local_time":"{local}",{event}}}"#
        );
        prev = line_hash(line.as_bytes());
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(std::fs::metadata(&path)?.len())
}

/// Verifies a month of `lines` lines five times; the figures as text.
pub fn bench_journal_verify(lines: usize) -> std::io::Result<String> {
    let dir = tempfile::tempdir()?;
    let bytes = write_month(dir.path(), lines)?;
    let mut samples = Vec::new();
    let mut intact = true;
    for _ in 0..5 {
        let start = Instant::now();
        let check = verify_month(dir.path(), "2026-11", None)?;
        samples.push(start.elapsed());
        intact &= check.is_intact() && check.lines == lines;
    }
    let (median, worst) = median_and_worst(samples);
    let rate = lines as f64 / median.max(Duration::from_micros(1)).as_secs_f64();
    Ok(format!(
        "journal verify, {lines} lines ({:.1} MB): median {:.0} ms, worst {:.0} ms ({:.0} lines/s){}",
        bytes as f64 / 1e6,
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        rate,
        if intact {
            ""
        } else {
            "; NOT INTACT (bench bug)"
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_month_verifies() {
        let figures = bench_journal_verify(500).unwrap();
        assert!(
            figures.contains("500 lines") && !figures.contains("NOT INTACT"),
            "{figures}"
        );
    }
}
