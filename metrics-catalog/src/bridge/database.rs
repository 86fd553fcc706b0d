//! Database metrics (seed: "Database Metrics").

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::PROMETHEUS_CLIENT_DEFAULT;

/// Database connection pool, query latency and errors.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge_database")]
pub struct Database {
    /// Number of active database connections
    #[metric(gauge)]
    pub connections_active: IntGauge,

    /// Number of idle database connections
    #[metric(gauge)]
    pub connections_idle: IntGauge,

    /// Database query duration in seconds
    #[metric(histogram, labels = [operation, table], buckets = PROMETHEUS_CLIENT_DEFAULT, unit = "seconds")]
    pub query_duration_seconds: Histogram,

    /// Total number of database errors
    #[metric(counter, labels = [error_type, operation])]
    pub errors_total: Counter,
}
