//! Health monitoring metrics: health checks and health scores.

use std::time::Duration;

use promdecl::{Counter, Gauge, Histogram, Metrics};

use super::buckets::LATENCY;

/// Health metrics: check outcomes and durations, system and per-component scores.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus")]
pub struct Health {
    /// Total number of health checks passed
    #[metric(counter, labels = [check_name])]
    pub health_checks_passed_total: Counter,

    /// Total number of health checks failed
    #[metric(counter, labels = [check_name, reason])]
    pub health_checks_failed_total: Counter,

    /// Health check execution duration
    #[metric(
        histogram,
        labels = [check_name],
        buckets = LATENCY,
        unit = "seconds",
        note = "the document gives no buckets; uses the MetricsConfig latency default"
    )]
    pub health_check_duration_seconds: Histogram,

    /// Overall system health score
    #[metric(gauge, note = "0.0 (unhealthy) to 1.0 (healthy)")]
    pub system_health_score: Gauge,

    /// Component-specific health score
    #[metric(gauge, labels = [component], note = "0.0 (unhealthy) to 1.0 (healthy)")]
    pub component_health_score: Gauge,
}

impl Health {
    /// One executed check: `IncrementHealthCheckPassed(name)` on `Ok`,
    /// `IncrementHealthCheckFailed(name, reason)` on `Err(reason)`, plus its duration.
    pub fn record_check(&self, check_name: &str, outcome: Result<(), &str>, duration: Duration) {
        match outcome {
            Ok(()) => self.health_checks_passed_total(check_name).inc(),
            Err(reason) => self.health_checks_failed_total(check_name, reason).inc(),
        }
        self.health_check_duration_seconds(check_name)
            .observe(duration.as_secs_f64());
    }
}
