//! Federated learning metrics (seed: "Federated Learning Metrics", collector
//! `FederatedLearningMetricsCollector`).

use std::fmt;
use std::time::Instant;

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

use super::buckets::TRAINING;

/// Federated learning round, model and communication metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4_fl")]
pub struct Fl {
    /// Federated learning round duration in seconds
    #[metric(histogram, buckets = TRAINING, unit = "seconds")]
    pub round_duration_seconds: Histogram,

    /// Loss of the global federated learning model
    #[metric(gauge)]
    pub global_model_loss: Gauge,

    /// Total local model updates, by node
    #[metric(counter, labels = [node_id])]
    pub local_updates_total: Counter,

    /// Total federated learning communication in bytes, by direction
    #[metric(
        counter,
        labels = [direction],
        note = "`direction` is free-form: the document gives no values (upstream writes `upload`/`download`)"
    )]
    pub communication_bytes_total: Counter,

    /// Number of active federated learning participants
    #[metric(
        gauge,
        allow_reserved_suffix,
        note = "a gauge whose name ends in `_count`, as the document names it"
    )]
    pub participant_count: IntGauge,
}

impl Fl {
    /// Starts timing a federated learning round; finish it with [`FlRound::complete`].
    pub fn start_round(&self) -> FlRound<'_> {
        FlRound {
            fl: self,
            started: Instant::now(),
        }
    }

    /// Records a finished round timed elsewhere: observes its duration and sets the global
    /// model loss.
    pub fn record_fl_round(&self, duration_seconds: f64, global_loss: f64) {
        self.round_duration_seconds().observe(duration_seconds);
        self.global_model_loss().set(global_loss);
    }

    /// Counts one local update from `node_id`.
    pub fn record_local_update(&self, node_id: &str) {
        self.local_updates_total(node_id).inc();
    }

    /// Adds communicated bytes in `direction`.
    pub fn record_fl_communication(&self, bytes: u64, direction: &str) {
        self.communication_bytes_total(direction).inc_by(bytes);
    }

    /// Sets the number of participants.
    pub fn update_participant_count(&self, count: i64) {
        self.participant_count().set(count);
    }
}

/// A federated learning round being timed, from [`Fl::start_round`]. Dropping it without
/// calling [`FlRound::complete`] records nothing.
#[must_use = "finish the round with `complete(global_loss)`"]
pub struct FlRound<'a> {
    fl: &'a Fl,
    started: Instant,
}

impl FlRound<'_> {
    /// Ends the round: observes its duration and sets the global model loss. Returns the
    /// duration in seconds.
    pub fn complete(self, global_loss: f64) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        self.fl.record_fl_round(seconds, global_loss);
        seconds
    }
}

impl fmt::Debug for FlRound<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlRound")
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}
