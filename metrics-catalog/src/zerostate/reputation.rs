//! Reputation metrics (the document's "Reputation Metrics", 5 families).

use std::time::Duration;

use promdecl::{Counter, Gauge, Metrics};

/// Per-agent (peer) reputation.
#[derive(Debug, Metrics)]
#[metrics(prefix = "zerostate_economic")]
pub struct Reputation {
    /// Current reputation scores (by peer_id)
    #[metric(
        gauge,
        labels = [peer_id],
        note = "name from the document's PromQL; a gauge as its Go definition says (`*prometheus.GaugeVec`), although one query feeds it to `histogram_quantile`, which needs `_bucket` series and returns nothing for it"
    )]
    pub reputation_scores: Gauge,

    /// Total tasks completed (by peer_id)
    #[metric(
        counter,
        labels = [peer_id],
        note = "name from the document's PromQL `zerostate_economic_tasks_executed_total`"
    )]
    pub tasks_executed_total: Counter,

    /// Task success rate (by peer_id)
    #[metric(
        gauge,
        labels = [peer_id],
        note = "name from the document's PromQL; a 0..1 ratio without `_ratio` suffix, kept as given"
    )]
    pub success_rate: Gauge,

    /// Avg task duration (by peer_id)
    #[metric(
        gauge,
        labels = [peer_id],
        unit = "seconds",
        note = "name not given by the document: Go field `AverageTaskDuration` + `_seconds` (the document's PromQL adds `_seconds` to its duration families)"
    )]
    pub average_task_duration_seconds: Gauge,

    /// Avg task cost (by peer_id)
    #[metric(
        gauge,
        labels = [peer_id],
        note = "name not given by the document: snake_case of the Go field `AverageTaskCost`"
    )]
    pub average_task_cost: Gauge,
}

impl Reputation {
    /// `UpdateReputationScore(peerID string, score, successRate float64, avgDuration, avgCost float64)`:
    /// sets the peer's reputation score, success rate, average task duration and average task
    /// cost.
    pub fn update_reputation_score(
        &self,
        peer_id: &str,
        score: f64,
        success_rate: f64,
        avg_duration: Duration,
        avg_cost: f64,
    ) {
        self.reputation_scores(peer_id).set(score);
        self.success_rate(peer_id).set(success_rate);
        self.average_task_duration_seconds(peer_id)
            .set(avg_duration.as_secs_f64());
        self.average_task_cost(peer_id).set(avg_cost);
    }
}
