//! Infrastructure metrics (seed: category table "Infrastructure").
//!
//! The Metrics Reference omits this category. The table counts 5 families but names only 3;
//! only those 3 are declared. Labels follow upstream (x0tta6bl4-ai/x0tta6bl4
//! `src/monitoring/metrics.py`).

use promdecl::{Gauge, Histogram, Metrics};

use super::buckets::GC_PAUSE;

/// Process and host resource metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4")]
pub struct Infrastructure {
    /// Memory usage in bytes, by component
    #[metric(
        gauge,
        labels = [component],
        unit = "bytes",
        note = "derived name: table lists `memory_usage_bytes`, not in the Metrics Reference; `x0tta6bl4_` prefix added; label as upstream"
    )]
    pub memory_usage_bytes: Gauge,

    /// CPU usage in percent, by component
    #[metric(
        gauge,
        labels = [component],
        note = "derived name: table lists `cpu_usage_percent`, not in the Metrics Reference; `x0tta6bl4_` prefix added; a percentage (0-100), not a Prometheus base-unit ratio; label as upstream"
    )]
    pub cpu_usage_percent: Gauge,

    /// Garbage-collection pause duration in seconds
    #[metric(
        histogram,
        buckets = GC_PAUSE,
        unit = "seconds",
        note = "derived name: table lists `gc_pause_duration`, not in the Metrics Reference; `_seconds` added per the reference's duration pattern"
    )]
    pub gc_pause_duration_seconds: Histogram,
}
