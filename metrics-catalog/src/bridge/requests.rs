//! Federation event metrics (seed: "Application Metrics", `# Request metrics`).

use promdecl::{Counter, Metrics};

/// Federation events received, processed and failed.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge")]
pub struct Requests {
    /// Total number of federation events received
    #[metric(counter)]
    pub events_received_total: Counter,

    /// Total number of federation events processed
    #[metric(counter, labels = [message_type, status])]
    pub events_processed_total: Counter,

    /// Total number of failed federation events
    #[metric(counter, labels = [error_type, stage_instance])]
    pub events_failed_total: Counter,
}
