//! NATS metrics: the "NATS metrics" half of the document's core `Metrics` type (NATS
//! connectivity).

use std::time::Duration;

use promdecl::{Counter, Gauge, Metrics};

/// State of the NATS circuit breaker, the value of `semstreams_nats_circuit_breaker`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitBreakerState {
    /// 0
    Closed,
    /// 1
    Open,
    /// 2
    HalfOpen,
}

impl CircuitBreakerState {
    /// The gauge value (0=closed, 1=open, 2=half-open, as in semstreams' metric/core.go).
    pub const fn value(self) -> f64 {
        match self {
            Self::Closed => 0.0,
            Self::Open => 1.0,
            Self::HalfOpen => 2.0,
        }
    }
}

/// Connectivity of the platform's NATS client.
#[derive(Debug, Metrics)]
#[metrics(prefix = "semstreams")]
pub struct Nats {
    /// NATS connection status (0=disconnected, 1=connected)
    #[metric(
        gauge,
        note = "name from the document (`semstreams_nats_connection_status`), which also backs the field `NATSConnected` / helper `RecordNATSStatus(connected bool)`; semstreams' metric/core.go exposes that field as `semstreams_nats_connected`"
    )]
    pub nats_connection_status: Gauge,

    /// Total number of NATS messages by subject
    #[metric(
        counter,
        labels = [subject],
        note = "named by the document's core-metric list only, with the example `RecordNATSMessages(\"input-subject\", 50)`: label name `subject` and help chosen here"
    )]
    pub nats_messages_total: Counter,

    /// NATS round-trip time in milliseconds
    #[metric(
        gauge,
        note = "not named by the document (field `NATSRTT`, helper `RecordNATSRTT(rtt time.Duration)`): name and help from semstreams' metric/core.go, which uses milliseconds, not the base unit seconds"
    )]
    pub nats_rtt_milliseconds: Gauge,

    /// Total number of NATS reconnections
    #[metric(
        counter,
        note = "not named by the document (field `NATSReconnects`): name and help from semstreams' metric/core.go"
    )]
    pub nats_reconnects_total: Counter,

    /// NATS circuit breaker status (0=closed, 1=open, 2=half-open)
    #[metric(
        gauge,
        note = "not named by the document (field `NATSCircuitBreaker`, helper `RecordCircuitBreakerState(state int)`): name, help and state values from semstreams' metric/core.go"
    )]
    pub nats_circuit_breaker: Gauge,
}

impl Nats {
    /// `RecordNATSStatus(connected bool)`: sets the connection gauge to 1 when connected,
    /// 0 otherwise.
    pub fn record_nats_status(&self, connected: bool) {
        self.nats_connection_status()
            .set(if connected { 1.0 } else { 0.0 });
    }

    /// `RecordNATSHealth(health float64)` (document example, "1.0 = healthy"): sets the
    /// connection gauge to `health`.
    pub fn record_nats_health(&self, health: f64) {
        self.nats_connection_status().set(health);
    }

    /// `RecordNATSMessages(subject string, count)` (document example): adds `count` messages
    /// on `subject`.
    pub fn record_nats_messages(&self, subject: &str, count: u64) {
        self.nats_messages_total(subject).inc_by(count);
    }

    /// `RecordNATSRTT(rtt time.Duration)`: sets the round-trip time, in (fractional)
    /// milliseconds.
    pub fn record_nats_rtt(&self, rtt: Duration) {
        self.nats_rtt_milliseconds().set(rtt.as_secs_f64() * 1000.0);
    }

    /// `RecordNATSReconnect()`: increments the reconnection counter.
    pub fn record_nats_reconnect(&self) {
        self.nats_reconnects_total().inc();
    }

    /// `RecordCircuitBreakerState(state int)`: sets the circuit breaker gauge.
    pub fn record_circuit_breaker_state(&self, state: CircuitBreakerState) {
        self.nats_circuit_breaker().set(state.value());
    }
}
