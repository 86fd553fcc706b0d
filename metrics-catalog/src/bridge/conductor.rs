//! Conductor client metrics (seed: "Application Metrics", `# Conductor metrics`,
//! `# Circuit breaker metrics`, `# Connection pool metrics`).

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::PROMETHEUS_CLIENT_DEFAULT;

/// Requests to the Conductor, its cache, circuit breaker and connection pool.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge_conductor")]
pub struct Conductor {
    /// Total number of requests to conductor
    #[metric(
        counter,
        labels = [method, status, endpoint],
        note = "`status` is free-form; the document's alert rule matches `status=\"error\"` but gives no closed set"
    )]
    pub requests_total: Counter,

    /// Latency of conductor requests
    #[metric(histogram, labels = [method, endpoint], buckets = PROMETHEUS_CLIENT_DEFAULT, unit = "seconds")]
    pub latency_seconds: Histogram,

    /// Total number of cache hits for conductor requests
    #[metric(counter, labels = [cache_type, operation])]
    pub cache_hits_total: Counter,

    /// Circuit breaker state (0=CLOSED, 1=OPEN, 2=HALF_OPEN)
    #[metric(gauge, labels = [client_type, endpoint])]
    pub circuit_breaker_state: IntGauge,

    /// Number of connections in the conductor pool
    #[metric(gauge, labels = [pool_type, state])]
    pub connection_pool_size: IntGauge,
}

/// Circuit breaker states, with the values the document assigns in
/// `bridge_conductor_circuit_breaker_state` (0=CLOSED, 1=OPEN, 2=HALF_OPEN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitBreakerState {
    /// `0`: requests flow normally.
    Closed = 0,
    /// `1`: requests are short-circuited (alert `CircuitBreakerOpen` fires on this value).
    Open = 1,
    /// `2`: trial requests are let through.
    HalfOpen = 2,
}

impl CircuitBreakerState {
    /// The gauge value the document assigns to this state.
    pub const fn value(self) -> i64 {
        self as i64
    }
}

impl Conductor {
    /// Sets the circuit breaker state of one client/endpoint pair.
    pub fn set_circuit_breaker_state(
        &self,
        client_type: &str,
        endpoint: &str,
        state: CircuitBreakerState,
    ) {
        self.circuit_breaker_state(client_type, endpoint)
            .set(state.value());
    }

    /// Records one conductor request: counts it and observes its latency.
    pub fn record_request(&self, method: &str, status: &str, endpoint: &str, latency_seconds: f64) {
        self.requests_total(method, status, endpoint).inc();
        self.latency_seconds(method, endpoint)
            .observe(latency_seconds);
    }
}
