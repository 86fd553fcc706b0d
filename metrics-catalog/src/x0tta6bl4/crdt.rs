//! CRDT sync metrics (seed: category table "CRDT Sync", collector `CRDTMetricsCollector`).
//!
//! The Metrics Reference omits this category. The names below are derived from the table's
//! examples with the reference's own pattern (`x0tta6bl4_` prefix, counters end in `_total`,
//! durations in `_seconds`, sizes in `_bytes`); labels follow upstream
//! (x0tta6bl4-ai/x0tta6bl4 `src/monitoring/metrics.py`).

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::SYNC;

/// CRDT state synchronisation metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_crdt")]
pub struct Crdt {
    /// Total CRDT sync operations, by operation type and status
    #[metric(
        counter,
        labels = [operation_type, status],
        note = "derived name: table lists `crdt_sync_operations`, not in the Metrics Reference; `_total` added per the reference's counter pattern; labels as upstream"
    )]
    pub sync_operations_total: Counter,

    /// CRDT sync duration in seconds
    #[metric(
        histogram,
        buckets = SYNC,
        unit = "seconds",
        note = "derived name: table lists `crdt_sync_duration`, not in the Metrics Reference; `_seconds` added per the reference's duration pattern"
    )]
    pub sync_duration_seconds: Histogram,

    /// CRDT state size in bytes
    #[metric(
        gauge,
        unit = "bytes",
        note = "derived name: table lists `crdt_state_size`, not in the Metrics Reference; `_bytes` added per the reference's size pattern (`mapek_metrics_cache_size_bytes`)"
    )]
    pub state_size_bytes: IntGauge,
}

impl Crdt {
    /// Counts one CRDT operation; observes its duration when one was measured.
    pub fn record_crdt_operation(
        &self,
        operation_type: &str,
        status: &str,
        duration_seconds: Option<f64>,
    ) {
        self.sync_operations_total(operation_type, status).inc();
        if let Some(seconds) = duration_seconds {
            self.sync_duration_seconds().observe(seconds);
        }
    }

    /// Sets the CRDT state size in bytes.
    pub fn update_state_size(&self, bytes: i64) {
        self.state_size_bytes().set(bytes);
    }
}
