//! Resource utilization metrics: CPU, memory, disk, network, concurrency.

use promdecl::{Counter, Gauge, IntGauge, Metrics};

/// Resource metrics, refreshed by the background collector (`ResourceMetricsInterval`, default 15s).
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus")]
pub struct Resources {
    /// CPU usage ratio
    #[metric(gauge, unit = "ratio", note = "0.0 (idle) to 1.0 (fully utilized)")]
    pub cpu_usage_ratio: Gauge,

    /// Memory usage in bytes
    #[metric(gauge, unit = "bytes")]
    pub memory_usage_bytes: Gauge,

    /// Disk usage ratio
    #[metric(gauge, labels = [mount_point], unit = "ratio", note = "0.0 (empty) to 1.0 (full)")]
    pub disk_usage_ratio: Gauge,

    /// Total bytes received from network
    #[metric(counter)]
    pub network_bytes_in_total: Counter,

    /// Total bytes sent to network
    #[metric(counter)]
    pub network_bytes_out_total: Counter,

    /// Number of active goroutines
    #[metric(
        gauge,
        note = "name and help kept from the Go original for dashboard compatibility; a Rust service reports its live async tasks (or threads) here"
    )]
    pub goroutines: IntGauge,
}

impl Resources {
    /// `SetMemoryUsage(bytes)`.
    pub fn set_memory_usage(&self, bytes: u64) {
        // Memory sizes are far below 2^53, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let bytes = bytes as f64;
        self.memory_usage_bytes().set(bytes);
    }

    /// `SetGoroutines(n)`: the number of live tasks.
    pub fn set_goroutines(&self, n: usize) {
        self.goroutines().set(i64::try_from(n).unwrap_or(i64::MAX));
    }
}
