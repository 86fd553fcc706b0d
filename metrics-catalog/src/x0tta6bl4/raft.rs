//! Raft consensus metrics (seed: "Consensus (Raft) Metrics", collector `RaftMetricsCollector`).

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::SYNC;

/// Raft leader election, log replication and membership metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_raft")]
pub struct Raft {
    /// Total Raft leader changes
    #[metric(counter)]
    pub leader_changes_total: Counter,

    /// Raft log replication duration in seconds
    #[metric(histogram, buckets = SYNC, unit = "seconds")]
    pub log_replication_duration_seconds: Histogram,

    /// Number of active Raft followers
    #[metric(
        gauge,
        allow_reserved_suffix,
        note = "a gauge whose name ends in `_count`, as the document names it"
    )]
    pub followers_count: IntGauge,

    /// Current Raft term
    #[metric(
        gauge,
        note = "a gauge set to the current term (the collector \"tracks\" it), not a counter"
    )]
    pub term: IntGauge,
}

impl Raft {
    /// Counts a leader change.
    pub fn record_leader_change(&self) {
        self.leader_changes_total().inc();
    }

    /// Observes one log replication duration.
    pub fn record_log_replication(&self, duration_seconds: f64) {
        self.log_replication_duration_seconds()
            .observe(duration_seconds);
    }

    /// Sets the number of followers.
    pub fn update_followers_count(&self, count: i64) {
        self.followers_count().set(count);
    }

    /// Sets the current term.
    pub fn update_term(&self, term: i64) {
        self.term().set(term);
    }
}
