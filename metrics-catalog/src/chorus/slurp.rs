//! SLURP (context generation) metrics (`chorus_slurp_*`).

use std::time::Duration;

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::SLURP_GENERATION;
use super::labels::Status;

/// SLURP metrics: generated contexts, generation time, queue and active jobs.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus_slurp")]
pub struct Slurp {
    /// Total number of SLURP contexts generated
    #[metric(counter, labels = [role, status = Status])]
    pub contexts_generated_total: Counter,

    /// Time taken to generate SLURP contexts
    #[metric(histogram, buckets = SLURP_GENERATION, unit = "seconds")]
    pub generation_time_seconds: Histogram,

    /// Length of SLURP generation queue
    #[metric(gauge)]
    pub queue_length: IntGauge,

    /// Number of active SLURP generation jobs
    #[metric(gauge)]
    pub active_jobs: IntGauge,

    /// SLURP-related leadership events
    #[metric(counter)]
    pub leadership_events_total: Counter,
}

impl Slurp {
    /// One generated context: `IncrementSLURPGenerated(role, status)` + `ObserveSLURPGenerationTime(duration)`.
    pub fn record_generation(&self, role: &str, status: Status, duration: Duration) {
        self.contexts_generated_total(role, status).inc();
        self.generation_time_seconds()
            .observe(duration.as_secs_f64());
    }
}
