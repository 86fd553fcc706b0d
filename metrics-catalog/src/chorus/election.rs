//! Election system metrics: term, state, heartbeats, leadership.
//!
//! The document groups these under "Election System Metrics" although only two carry the
//! `chorus_election_` prefix; the exposed names are kept exactly, so the struct uses the bare
//! `chorus` prefix.

use std::time::{Duration, Instant};

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

use super::buckets::LATENCY;

pub use election_labels::State;

/// Election metrics: term, one-hot state, heartbeats, leadership changes and election latency.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus")]
pub struct Election {
    /// Current election term number
    #[metric(gauge)]
    pub election_term: IntGauge,

    /// Current election state (1 for active state, 0 for others)
    #[metric(
        gauge,
        labels = [state = [idle, discovering, electing, reconstructing, complete]],
        note = "one-hot: only one state has value 1 at any time; use `Election::set_state`"
    )]
    pub election_state: IntGauge,

    /// Total number of heartbeats sent by this node
    #[metric(counter)]
    pub heartbeats_sent_total: Counter,

    /// Total number of heartbeats received from leader
    #[metric(counter)]
    pub heartbeats_received_total: Counter,

    /// Total number of leadership changes
    #[metric(counter)]
    pub leadership_changes_total: Counter,

    /// Current leader's tenure duration
    #[metric(gauge, unit = "seconds")]
    pub leader_uptime_seconds: Gauge,

    /// Time taken to complete election process
    #[metric(
        histogram,
        buckets = LATENCY,
        unit = "seconds",
        note = "the document gives no buckets; uses the MetricsConfig latency default"
    )]
    pub election_latency_seconds: Histogram,
}

impl Election {
    /// Every value of the `state` label, in the document's order.
    pub const STATES: [State; 5] = [
        State::Idle,
        State::Discovering,
        State::Electing,
        State::Reconstructing,
        State::Complete,
    ];

    /// `SetElectionState(state)`: sets `state` to 1 and every other state to 0.
    pub fn set_state(&self, state: State) {
        for candidate in Self::STATES {
            self.election_state(candidate)
                .set(i64::from(candidate == state));
        }
    }

    /// `SetElectionTerm(term)`.
    pub fn set_term(&self, term: u64) {
        self.election_term()
            .set(i64::try_from(term).unwrap_or(i64::MAX));
    }

    /// Sets `chorus_leader_uptime_seconds` to the time elapsed since the current leader was elected.
    pub fn record_leader_uptime(&self, elected_at: Instant) {
        self.leader_uptime_seconds()
            .set(elected_at.elapsed().as_secs_f64());
    }

    /// Records how long an election took.
    pub fn observe_election_latency(&self, latency: Duration) {
        self.election_latency_seconds()
            .observe(latency.as_secs_f64());
    }
}
