//! UCXI (protocol resolution) metrics (`chorus_ucxi_*`).

use std::time::Duration;

use promdecl::{Counter, Histogram, Metrics};

use super::buckets::{LATENCY, SIZE};
use super::labels::Status;

/// UCXI metrics: requests, resolution latency, cache effectiveness and content size.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus_ucxi")]
pub struct Ucxi {
    /// Total number of UCXI protocol requests
    #[metric(counter, labels = [method, status = Status])]
    pub requests_total: Counter,

    /// UCXI address resolution latency
    #[metric(
        histogram,
        buckets = LATENCY,
        unit = "seconds",
        note = "the document gives no buckets; uses the MetricsConfig latency default"
    )]
    pub resolution_latency_seconds: Histogram,

    /// UCXI cache hit count
    #[metric(counter)]
    pub cache_hits_total: Counter,

    /// UCXI cache miss count
    #[metric(counter)]
    pub cache_misses_total: Counter,

    /// Size of resolved UCXI content
    #[metric(
        histogram,
        buckets = SIZE,
        unit = "bytes",
        note = "the document gives no buckets; uses the MetricsConfig size default"
    )]
    pub content_size_bytes: Histogram,
}

impl Ucxi {
    /// Records one address resolution and how long it took.
    pub fn observe_resolution_latency(&self, latency: Duration) {
        self.resolution_latency_seconds()
            .observe(latency.as_secs_f64());
    }

    /// A cache lookup: a hit or a miss.
    pub fn record_cache_lookup(&self, hit: bool) {
        if hit {
            self.cache_hits_total().inc();
        } else {
            self.cache_misses_total().inc();
        }
    }

    /// Records the size of one resolved piece of content.
    pub fn observe_content_size(&self, size_bytes: usize) {
        // Sizes are far below 2^53, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let size = size_bytes as f64;
        self.content_size_bytes().observe(size);
    }
}
