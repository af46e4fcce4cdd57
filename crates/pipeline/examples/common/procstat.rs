//! CPU time and load average from `/proc` (Linux), shared by the pipeline benches.
#![allow(dead_code)]

/// CPU seconds (user + system) from a `/proc/.../stat` file (clock ticks assumed 100 Hz);
/// NaN where the file cannot be read.
pub fn cpu_secs(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return f64::NAN;
    };
    let Some(rest) = stat.rfind(')').and_then(|p| stat.get(p + 2..)) else {
        return f64::NAN;
    };
    let mut f = rest.split(' ').skip(11);
    let u: f64 = f.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let s: f64 = f.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    (u + s) / 100.0
}

/// The 1-minute load average (`/proc/loadavg`), for reading noisy figures.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split(' ').next().map(str::to_string))
        .unwrap_or_default()
}
