//! What the machine says about a process and itself: CPU time and memory from `/proc`, the load
//! average, the commit being measured.

use std::process::Command;

/// A process's resource use so far.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// User + system CPU time, in seconds.
    pub cpu_s: f64,
    /// Resident memory now, in KiB.
    pub rss_kib: u64,
    /// Peak resident memory, in KiB.
    pub peak_rss_kib: u64,
}

/// Reads `/proc/<pid>/stat` (CPU ticks) and `/proc/<pid>/status` (memory).
pub fn usage(pid: u32) -> anyhow::Result<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let after_name = &stat[stat.rfind(')').unwrap_or(0) + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(Usage {
        cpu_s: ticks as f64 / rustix::param::clock_ticks_per_second() as f64,
        rss_kib: kib("VmRSS:"),
        peak_rss_kib: kib("VmHWM:"),
    })
}

/// The one-minute load average: how busy the machine was around a run.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The commit measured, `-dirty` when the work tree has changes.
pub fn git_commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".to_owned();
    };
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(changes) if !changes.is_empty() => format!("{commit}-dirty"),
        _ => commit,
    }
}
