//! Error metrics: errors by component and type, recovered panics.

use promdecl::{Counter, Metrics};

/// Error metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus")]
pub struct Errors {
    /// Total number of errors
    #[metric(counter, labels = [component, error_type])]
    pub errors_total: Counter,

    /// Total number of panics recovered
    #[metric(counter)]
    pub panics_total: Counter,
}
