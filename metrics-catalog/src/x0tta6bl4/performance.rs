//! Performance metrics (seed: category table "Performance").
//!
//! The Metrics Reference omits this category and the document describes no collector for it.
//! Names follow the table's examples and the reference's pattern; labels follow upstream
//! (x0tta6bl4-ai/x0tta6bl4 `src/monitoring/metrics.py`).

use promdecl::{Counter, Gauge, Metrics};

/// Throughput, tail latency and error-rate metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4")]
pub struct Performance {
    /// Total operations processed, by operation type
    #[metric(
        counter,
        labels = [operation_type],
        note = "derived name: table lists `operation_throughput`, not in the Metrics Reference; a counter (throughput = its rate()), `_total` added per the reference's counter pattern; label as upstream"
    )]
    pub operation_throughput_total: Counter,

    /// P99 latency in seconds, by operation
    #[metric(
        gauge,
        labels = [operation],
        unit = "seconds",
        note = "derived name: table lists `p99_latency_seconds`, not in the Metrics Reference; a gauge holding a precomputed quantile; label as upstream"
    )]
    pub p99_latency_seconds: Gauge,

    /// Error rate as a ratio of failed to total operations
    #[metric(
        gauge,
        unit = "ratio",
        note = "derived name: table lists `error_rate`, not in the Metrics Reference; `_ratio` added per the reference's ratio pattern (`mesh_packet_loss_ratio`)"
    )]
    pub error_rate_ratio: Gauge,
}
