//! DHT (Distributed Hash Table) metrics (`chorus_dht_*`).

use std::time::Duration;

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

use super::buckets::LATENCY;
use super::labels::Status;

pub use dht_labels::Operation;

/// DHT metrics: put/get operations, latency, stored records and cache effectiveness.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus_dht")]
pub struct Dht {
    /// Total number of DHT put operations
    #[metric(counter, labels = [status = Status])]
    pub put_operations_total: Counter,

    /// Total number of DHT get operations
    #[metric(counter, labels = [status = Status])]
    pub get_operations_total: Counter,

    /// DHT operation latency distribution
    #[metric(
        histogram,
        labels = [operation = [put, get], status = Status],
        buckets = LATENCY,
        unit = "seconds",
        note = "the document gives no buckets; uses the MetricsConfig latency default"
    )]
    pub operation_latency_seconds: Histogram,

    /// Number of provider records stored in DHT
    #[metric(gauge)]
    pub provider_records: IntGauge,

    /// Number of content keys stored in DHT
    #[metric(gauge)]
    pub content_keys: IntGauge,

    /// Replication factor for DHT keys
    #[metric(
        gauge,
        labels = [key_hash],
        max_series = 10_000,
        note = "one series per key hash: budget raised to 10000"
    )]
    pub replication_factor: Gauge,

    /// DHT cache hit count
    #[metric(counter, labels = [cache_type])]
    pub cache_hits_total: Counter,

    /// DHT cache miss count
    #[metric(counter, labels = [cache_type])]
    pub cache_misses_total: Counter,
}

impl Dht {
    /// A completed put: `IncrementDHTPutOperations(status)` + `ObserveDHTOperationLatency("put", status, latency)`.
    pub fn record_put(&self, status: Status, latency: Duration) {
        self.put_operations_total(status).inc();
        self.operation_latency_seconds(Operation::Put, status)
            .observe(latency.as_secs_f64());
    }

    /// A completed get: `chorus_dht_get_operations_total` + the `operation="get"` latency.
    pub fn record_get(&self, status: Status, latency: Duration) {
        self.get_operations_total(status).inc();
        self.operation_latency_seconds(Operation::Get, status)
            .observe(latency.as_secs_f64());
    }

    /// A cache lookup in `cache_type`: a hit or a miss.
    pub fn record_cache_lookup(&self, cache_type: &str, hit: bool) {
        if hit {
            self.cache_hits_total(cache_type).inc();
        } else {
            self.cache_misses_total(cache_type).inc();
        }
    }
}
