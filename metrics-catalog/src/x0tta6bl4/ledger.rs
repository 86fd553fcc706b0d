//! Distributed ledger metrics (seed: "Ledger Metrics", collector `LedgerMetricsCollector`).

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::SLOW_OPERATION;

/// Distributed ledger metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_ledger")]
pub struct Ledger {
    /// Total entries written to the distributed ledger, by entry type
    #[metric(counter, labels = [entry_type])]
    pub entries_total: Counter,

    /// Current ledger chain length
    #[metric(gauge)]
    pub chain_length: IntGauge,

    /// Ledger sync duration in seconds
    #[metric(histogram, buckets = SLOW_OPERATION, unit = "seconds")]
    pub sync_duration_seconds: Histogram,

    /// Total ledger consistency failures, by failure type
    #[metric(counter, labels = [failure_type])]
    pub consistency_failures_total: Counter,
}

impl Ledger {
    /// Counts one new ledger entry.
    pub fn record_ledger_entry(&self, entry_type: &str) {
        self.entries_total(entry_type).inc();
    }

    /// Sets the chain length.
    pub fn update_chain_length(&self, length: i64) {
        self.chain_length().set(length);
    }

    /// Observes one sync duration.
    pub fn record_sync(&self, duration_seconds: f64) {
        self.sync_duration_seconds().observe(duration_seconds);
    }

    /// Counts one consistency failure.
    pub fn record_consistency_failure(&self, failure_type: &str) {
        self.consistency_failures_total(failure_type).inc();
    }
}
