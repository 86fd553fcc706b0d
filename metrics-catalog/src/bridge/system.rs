//! System metrics (seed: "Application Metrics", `# System metrics`).

use promdecl::{Gauge, Metrics};

/// Process resource usage.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge")]
pub struct System {
    /// Memory usage in bytes
    #[metric(gauge, unit = "bytes")]
    pub memory_usage_bytes: Gauge,

    /// CPU usage percentage
    #[metric(
        gauge,
        note = "a percentage (0-100), as the document names it, not a Prometheus base-unit ratio"
    )]
    pub cpu_usage_percent: Gauge,
}
