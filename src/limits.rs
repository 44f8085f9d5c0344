//! Limits that protect the user: before a run, estimate how many pods it will hold at once and
//! how large its trace files will grow, and refuse (naming the flag that overrides) when that
//! would exceed a sane bound or the free disk.

use crate::scenario::Scenario;
use crate::TraceLevel;
use std::path::Path;

/// Bounds checked before a run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest trace output allowed, in bytes (`--max-output`).
    pub max_output_bytes: u64,
    /// Most pods alive at once (`--max-pods`).
    pub max_live_pods: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_output_bytes: 8 << 30, max_live_pods: 5_000_000 }
    }
}

/// What a run is expected to produce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Pods alive at once, at most.
    pub live_pods: u64,
    /// Pods created, about.
    pub pods: f64,
    /// Bytes of events.csv + pods.csv, about.
    pub bytes: f64,
}

/// Bytes per pod in events.csv (about six rows) and pods.csv (one row).
const BYTES_PER_POD: f64 = 6.0 * 60.0 + 110.0;

/// Estimates a run's size from its Jobs' specs and failure rates.
pub fn estimate(s: &Scenario) -> Estimate {
    let mut live: u64 = 0;
    let mut pods = 0.0;
    for j in &s.jobs {
        let p = j.spec.parallelism as u64;
        let width = j.spec.completions.map_or(p, |c| p.min(c as u64));
        live = live.saturating_add(width);
        let needed = j.spec.completions.map_or(p as f64, |c| c as f64);
        let fail = j.workload.failure_probability;
        let tries = if fail >= 1.0 { (j.spec.backoff_limit as f64 + 1.0).min(1e12) } else { 1.0 / (1.0 - fail) };
        pods += needed * tries;
    }
    Estimate { live_pods: live, pods, bytes: pods * BYTES_PER_POD }
}

/// Free bytes on the file system holding `dir` (or its nearest existing parent).
pub fn free_disk(dir: &Path) -> Option<u64> {
    let mut p = dir;
    while !p.exists() {
        p = p.parent()?;
    }
    let p = if p.as_os_str().is_empty() { Path::new(".") } else { p };
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a valid out-pointer.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

fn human_bytes(b: f64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut v = b;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    format!("{v:.1} {}", units[i])
}

/// Refuses a run that would hold too many pods or write more than allowed or than the disk holds.
pub fn check(s: &Scenario, trace: TraceLevel, limits: &Limits, out: &Path) -> Result<Estimate, String> {
    let e = estimate(s);
    if e.live_pods > limits.max_live_pods {
        return Err(format!(
            "this scenario would keep up to {} pods alive at once (the sum of min(parallelism, completions) over its Jobs), more than --max-pods {} allows; lower parallelism, or raise --max-pods if this machine has the memory (about 200 bytes per pod)",
            e.live_pods, limits.max_live_pods
        ));
    }
    if trace == TraceLevel::Full {
        if e.bytes > limits.max_output_bytes as f64 {
            return Err(format!(
                "this run would write about {} of events.csv and pods.csv (about {:.0} pods), more than --max-output {} allows; use --trace summary, or raise --max-output",
                human_bytes(e.bytes),
                e.pods,
                human_bytes(limits.max_output_bytes as f64)
            ));
        }
        if let Some(free) = free_disk(out) {
            if e.bytes > free as f64 {
                return Err(format!(
                    "this run would write about {} but only {} is free on the disk of {}; use --trace summary, or free some space",
                    human_bytes(e.bytes),
                    human_bytes(free as f64),
                    out.display()
                ));
            }
        }
    }
    Ok(e)
}

/// Parses `--max-output` values: `500MB`, `8GB`, `2GiB`, or bytes.
pub fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("{s:?} is not a size such as 500MB or 8GB"))?;
    let f: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1048576.0,
        "gib" => 1073741824.0,
        "tib" => 1099511627776.0,
        _ => return Err(format!("{s:?}: unknown unit (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)")),
    };
    Ok((n * f) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_bytes("500MB"), Ok(500_000_000));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1024"), Ok(1024));
        assert!(parse_bytes("lots").is_err());
    }

    #[test]
    fn free_disk_is_known_for_tmp() {
        assert!(free_disk(Path::new("/tmp/does/not/exist")).is_some());
    }
}
