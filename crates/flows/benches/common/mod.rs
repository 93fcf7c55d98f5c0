//! What every `make bench` harness prints beside its figures: the machine's state, CPU time,
//! and the Markdown section it adds to the results file (`target/bench/`, gathered by
//! `benches/results.py` into `target/bench/results.md`).

#![allow(dead_code)] // each harness uses its own part

use std::path::PathBuf;
use std::time::Duration;

/// "2026-12-07 18:40 UTC, 2 cores (AMD EPYC …), load 1.52 0.98 0.77": when and on what.
pub fn machine() -> String {
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{date}, {cores} cores ({model}), load {}", load())
}

/// The 1, 5 and 15 minute load averages.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// CPU time (user + system) this process has used so far, all threads (`/proc/self/stat`,
/// in clock ticks of 10 ms).
pub fn cpu_time() -> Duration {
    let ticks_per_second: f64 = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th
    // field of the line, stime the 15th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / ticks_per_second)
}

/// Writes this harness's section of the results file: `target/bench/{name}.md`.
pub fn write_section(name: &str, markdown: &str) {
    let dir = std::env::var_os("ADO_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench"));
    if let Err(e) = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{name}.md")), markdown))
    {
        eprintln!(
            "could not write the bench results to {}: {e}",
            dir.display()
        );
    }
}
