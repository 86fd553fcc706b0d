//! Storage/KV metrics (seed: category table "Storage/KV").
//!
//! The Metrics Reference omits this category and the document describes no collector for it.
//! Names follow the table's examples and the reference's pattern; labels follow upstream
//! (x0tta6bl4-ai/x0tta6bl4 `src/monitoring/metrics.py`).

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::STORAGE;

/// Storage and key-value store metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_storage")]
pub struct Storage {
    /// Total storage operations, by operation and status
    #[metric(
        counter,
        labels = [operation, status],
        note = "derived name: table lists `storage_operations`, not in the Metrics Reference; `_total` added per the reference's counter pattern; labels as upstream"
    )]
    pub operations_total: Counter,

    /// Storage operation duration in seconds
    #[metric(
        histogram,
        labels = [operation],
        buckets = STORAGE,
        unit = "seconds",
        note = "derived name: table lists `storage_operation_duration`, not in the Metrics Reference; `_seconds` added per the reference's duration pattern"
    )]
    pub operation_duration_seconds: Histogram,

    /// Storage size in bytes, by store type
    #[metric(
        gauge,
        labels = [store_type],
        unit = "bytes",
        note = "derived name: table lists `storage_size_bytes`, not in the Metrics Reference; label as upstream"
    )]
    pub size_bytes: IntGauge,
}
