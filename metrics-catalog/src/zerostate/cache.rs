//! Cache metrics shown in the document's `/metrics` sample ("Cache Metrics"). These families
//! are exposed without the `zerostate` namespace, exactly as the sample shows them.

use promdecl::{Counter, Gauge, IntGauge, Metrics};

/// Content cache size, evictions and efficiency.
#[derive(Debug, Metrics)]
pub struct Cache {
    /// Number of cached entries
    #[metric(gauge)]
    pub cache_entries: IntGauge,

    /// Total number of cache evictions
    #[metric(
        counter,
        note = "labels and help not given by the document (only the name); unlabeled like the sampled `cache_entries`"
    )]
    pub cache_evictions_total: Counter,

    /// Cache hit ratio (0..1)
    #[metric(
        gauge,
        unit = "ratio",
        note = "type, labels and help not given by the document (only the name)"
    )]
    pub cache_hit_ratio: Gauge,

    /// Memory used by cached entries in bytes
    #[metric(
        gauge,
        unit = "bytes",
        note = "type, labels and help not given by the document (only the name)"
    )]
    pub cache_memory_bytes: IntGauge,
}
