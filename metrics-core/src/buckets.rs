//! Bucket presets. Any `&'static [f64]` const works as `buckets = PATH`; these are the common ones.

/// The Prometheus client default, 5 ms to 10 s: what a histogram in seconds gets when it
/// declares no `buckets` (any other histogram must name its buckets).
pub const DEFAULT: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Request latencies in seconds, 1 ms to 10 s (12 buckets).
pub const LATENCY: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Payload sizes in bytes, 64 B to 16 MiB (powers of four).
pub const SIZE: &[f64] = &[
    64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0,
];

/// Whether `b` is usable as bucket bounds: non-empty, finite and strictly increasing.
///
/// Evaluated at compile time for `buckets = PATH` declarations, so a bad preset fails the build.
pub const fn is_valid(b: &[f64]) -> bool {
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_finite() || (i > 0 && b[i] <= b[i - 1]) {
            return false;
        }
        i += 1;
    }
    true
}
