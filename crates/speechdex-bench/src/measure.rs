//! Timing helpers: summary statistics, repeated runs within a time budget, processes with their
//! peak memory.

use std::path::Path;
use std::process::{Command, ExitStatus, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;

/// A series of runs stops early (once over budget) only after this many runs.
pub const MIN_RUNS: usize = 3;

/// Summary of a series of timings, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    /// Number of samples.
    pub n: usize,
    /// Median.
    pub median_ms: f64,
    /// 99th percentile (nearest rank).
    pub p99_ms: f64,
    /// Fastest.
    pub min_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// Statistics of `samples` (milliseconds).
pub fn stats(samples: &[f64]) -> Stats {
    if samples.is_empty() {
        return Stats::default();
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 };
    let rank = ((0.99 * n as f64).ceil() as usize).clamp(1, n);
    Stats { n, median_ms: median, p99_ms: s[rank - 1], min_ms: s[0], max_ms: s[n - 1] }
}

/// Milliseconds since `t`.
pub fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Runs `f` (which returns one timing in ms) `runs` times, stopping early once `budget` is spent
/// and at least [`MIN_RUNS`] runs were made.
pub fn repeat(
    runs: usize,
    budget: Duration,
    mut f: impl FnMut() -> Result<f64>,
) -> Result<Vec<f64>> {
    let started = Instant::now();
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        out.push(f()?);
        if out.len() >= MIN_RUNS && started.elapsed() > budget {
            break;
        }
    }
    Ok(out)
}

/// Times one whole process (output read through pipes); returns the time and its output.
pub fn time_process(cmd: &mut Command) -> Result<(f64, Output)> {
    let t = Instant::now();
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    Ok((ms_since(t), out))
}

/// A process run with its peak memory.
#[derive(Debug)]
pub struct PeakRun {
    /// Wall time from spawn to exit.
    pub wall_ms: f64,
    /// Peak resident memory (VmHWM) in bytes, as last read before the exit. It counts the
    /// pages of memory-mapped files too (tantivy reads its segments through mmap).
    pub peak_rss: Option<u64>,
    /// Largest anonymous resident memory (RssAnon) seen by the 20 ms polls: heap and stacks,
    /// without file pages. A sample, so it can miss a short peak.
    pub peak_anon: Option<u64>,
    /// Exit status.
    pub status: ExitStatus,
}

/// `VmHWM` and `RssAnon` of a process, in bytes.
pub fn memory(pid: u32) -> (Option<u64>, Option<u64>) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return (None, None);
    };
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        // Zero while the process is still being set up (between fork and exec).
        (kb > 0).then_some(kb * 1024)
    };
    (field("VmHWM:"), field("RssAnon:"))
}

/// Runs `cmd` to its end while polling its peak memory every 20 ms. A waiter thread records the
/// exit time, so the wall time does not depend on the polling period.
pub fn run_with_peak(cmd: &mut Command) -> Result<PeakRun> {
    let started = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("starting {cmd:?}"))?;
    let pid = child.id();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        (status, Instant::now())
    });
    let (mut peak, mut anon) = (None, None);
    let max = |acc: Option<u64>, v: Option<u64>| match (acc, v) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    loop {
        let (hwm, rss_anon) = memory(pid);
        peak = max(peak, hwm);
        anon = max(anon, rss_anon);
        if waiter.is_finished() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, ended) = waiter.join().map_err(|_| anyhow::anyhow!("waiter thread panicked"))?;
    let status = status.context("waiting for the process")?;
    Ok(PeakRun {
        wall_ms: (ended - started).as_secs_f64() * 1000.0,
        peak_rss: peak,
        peak_anon: anon,
        status,
    })
}

/// Total size of the files under `path`.
pub fn dir_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_samples() {
        let s = stats(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!((s.n, s.median_ms, s.min_ms, s.max_ms, s.p99_ms), (5, 3.0, 1.0, 5.0, 5.0));
        let s = stats(&[1.0, 2.0]);
        assert_eq!(s.median_ms, 1.5);
        let many: Vec<f64> = (1..=200).map(f64::from).collect();
        assert_eq!(stats(&many).p99_ms, 198.0);
        assert_eq!(stats(&[]).n, 0);
    }
}
