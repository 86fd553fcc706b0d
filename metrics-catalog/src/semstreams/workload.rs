//! How semstreams runs, as the demo drives it (see [`crate::workload`]).
//!
//! # The model
//!
//! One semstreams (StreamKit) process: five services, each consuming messages from a NATS
//! subject, processing them and publishing the results, through the process's one NATS
//! connection. The services are the ones the document's examples name.
//!
//! | service | consumes | publishes | messages a second | message types |
//! |---|---|---|---|---|
//! | `processor` | `input-subject` | `data.output` | 200 | `robotics.heartbeat.v1`, `robotics.telemetry.v1` |
//! | `api-service` | `api.requests` | `graph.query.entity` | 40 | `api.request.v1` |
//! | `database-service` | `graph.query.entity` | `graph.query.result` | what `api-service` publishes | `graph.query.v1` |
//! | `websocket-service` | `federated.data` | `federated.control` | 120 | `federated.data.v1`, `federated.control.v1` |
//! | `cache-service` | `cache.requests` | `cache.responses` | 300 | `cache.get.v1`, `cache.set.v1` |
//!
//! - **Messages.** Every message a running service receives is counted by type
//!   (`RecordMessageReceived`); 0.4% fail, the others are published on the service's output
//!   subject (`RecordMessagePublished`). The `processor` works in batches, one a tick, as the
//!   document's example does: `RecordMessagesProcessed("processor", n)` for the batch's
//!   successes and `ObserveProcessingDuration("processor", seconds)` for the batch (about
//!   150 ms for 200 messages, the example's figure). The other services account message by
//!   message: `RecordMessageProcessed(service, type, "success" | "error")` and
//!   `RecordProcessingDuration(service, operation, duration)` with a log-normal time around
//!   the operation's median (`handle` 12 ms, `query` 6 ms, `forward` 2 ms, `control` 1 ms,
//!   `get` 0.4 ms, `set` 0.9 ms).
//! - **Failures.** A failed message is counted in `semstreams_messages_failed_total`, and as
//!   either an error by type (`validation`, `decode`, `timeout`; `RecordError`) or, for about
//!   one failure in 17 (a handler bug on a malformed payload, about 0.15 a second), a recovered
//!   panic (`RecordPanic`): failed = errors + panics, service by service.
//! - **Lifecycle** (`semstreams_service_status`, 0=stopped, 1=starting, 2=running,
//!   3=stopping): every service starts with the process (`starting` for about 3 s, then
//!   `running`); about once every 30 minutes a service restarts: `stopping` (about 1.5 s),
//!   `stopped` (about 2 s), `starting`, `running`. Only a running service takes messages.
//! - **Health** (`semstreams_health_status`): 1 while the service runs and NATS is connected,
//!   0 otherwise.
//! - **NATS** (`semstreams_nats_*`): the connection is up (`connection_status` 1) and its
//!   round-trip time drifts around 1.2 ms (`rtt_milliseconds`, in milliseconds as semstreams
//!   exposes it). About once every 20 minutes the server goes away for a few seconds; and it
//!   restarts 25 s into the demo for 9 s. While it is away nothing is received or published
//!   and the client tries to reconnect once a second; after 5 failures its circuit breaker
//!   opens (`circuit_breaker` 1) for a backoff of 5 s (doubling, up to a minute), then is
//!   half-open (2) for one attempt. A successful attempt closes it (0), marks the connection
//!   up and counts a reconnect (`reconnects_total`). `semstreams_nats_messages_total{subject}`
//!   counts every message received or published on a subject.
//!
//! # Populations
//!
//! The services, their subjects, message types, operations and error types are the
//! process's configuration: a closed set that does not change while it runs. Every series is
//! created at start (zero), so the series count is flat from the first tick.

use std::time::Duration;

use super::nats::CircuitBreakerState;
use super::service::ServiceStatus;
use super::Semstreams;
use crate::workload::{ewma, Breaker, BreakerState, Drive, Outages, Rng, Tick};

/// A service of the process.
#[derive(Debug)]
struct Spec {
    name: &'static str,
    /// The subject it consumes.
    input: &'static str,
    /// The subject it publishes its results on.
    output: &'static str,
    /// Messages a second arriving on `input` from outside the process; `None` when another
    /// service publishes them.
    per_second: Option<f64>,
    /// The message types it receives.
    kinds: &'static [Kind],
    /// Processes one batch a tick, recorded with the document's two-argument helpers.
    batched: bool,
}

/// A message type, its share of a service's messages, and the operation that handles it.
#[derive(Debug)]
struct Kind {
    name: &'static str,
    share: f64,
    operation: &'static str,
    /// Median processing time in seconds.
    median: f64,
}

const fn kind(name: &'static str, share: f64, operation: &'static str, median: f64) -> Kind {
    Kind {
        name,
        share,
        operation,
        median,
    }
}

/// The services, producers before their consumers.
const SERVICES: &[Spec] = &[
    Spec {
        name: "processor",
        input: "input-subject",
        output: "data.output",
        per_second: Some(200.0),
        kinds: &[
            kind("robotics.heartbeat.v1", 0.7, "", 0.0),
            kind("robotics.telemetry.v1", 0.3, "", 0.0),
        ],
        batched: true,
    },
    Spec {
        name: "api-service",
        input: "api.requests",
        output: "graph.query.entity",
        per_second: Some(40.0),
        kinds: &[kind("api.request.v1", 1.0, "handle", 0.012)],
        batched: false,
    },
    Spec {
        name: "database-service",
        input: "graph.query.entity",
        output: "graph.query.result",
        per_second: None,
        kinds: &[kind("graph.query.v1", 1.0, "query", 0.006)],
        batched: false,
    },
    Spec {
        name: "websocket-service",
        input: "federated.data",
        output: "federated.control",
        per_second: Some(120.0),
        kinds: &[
            kind("federated.data.v1", 0.9, "forward", 0.002),
            kind("federated.control.v1", 0.1, "control", 0.001),
        ],
        batched: false,
    },
    Spec {
        name: "cache-service",
        input: "cache.requests",
        output: "cache.responses",
        per_second: Some(300.0),
        kinds: &[
            kind("cache.get.v1", 0.85, "get", 0.0004),
            kind("cache.set.v1", 0.15, "set", 0.0009),
        ],
        batched: false,
    },
];

/// `status` of a processed message that succeeded, and of one that failed.
const SUCCESS: &str = "success";
const ERROR: &str = "error";
/// Spread (sigma of the log) of processing times.
const PROCESSING_SIGMA: f64 = 0.6;
/// Seconds the processor takes per message of a batch (150 ms for 200 messages).
const BATCH_SECONDS_PER_MESSAGE: f64 = 0.00075;
/// Spread of batch times.
const BATCH_SIGMA: f64 = 0.25;
/// Share of messages that fail.
const FAILURE: f64 = 0.004;
/// Share of failures that are recovered panics rather than errors.
const PANIC_SHARE: f64 = 0.06;
/// Error types, by share of errors.
const ERRORS: &[(&str, f64)] = &[("validation", 0.5), ("decode", 0.3), ("timeout", 0.2)];

/// Restarts of one service: about one every 30 minutes.
const RESTARTS_PER_SECOND: f64 = 1.0 / 1800.0;
/// Median seconds a service spends starting, stopping, and stopped during a restart.
const STARTING_SECONDS: f64 = 3.0;
const STOPPING_SECONDS: f64 = 1.5;
const STOPPED_SECONDS: f64 = 2.0;

/// Median round-trip time to the NATS server, in milliseconds, and its spread.
const RTT_MILLISECONDS: f64 = 1.2;
const RTT_SIGMA: f64 = 0.3;
/// Weight of a new RTT sample in the smoothed value.
const RTT_SMOOTHING: f64 = 0.2;
/// Server outages: about one every 20 minutes, a few seconds long.
const NATS_OUTAGES_PER_SECOND: f64 = 1.0 / 1200.0;
const NATS_OUTAGE_SECONDS: f64 = 6.0;
/// The restart that opens the demo: start and end in seconds.
const FIRST_NATS_OUTAGE: (f64, f64) = (25.0, 34.0);
/// Failed reconnect attempts that open the breaker (semstreams' `circuitThreshold`).
const BREAKER_THRESHOLD: u32 = 5;
/// The breaker's first backoff and its ceiling, in seconds.
const BACKOFF: (f64, f64) = (5.0, 60.0);

/// The semstreams workload.
#[derive(Debug)]
pub struct Workload {
    m: Semstreams,
    services: Vec<Lifecycle>,
    nats: Connection,
    /// Seconds since the workload started (the ticks' `dt` added up).
    clock: f64,
}

impl Workload {
    /// A workload driving `m`; creates every series, every service starting.
    pub fn new(m: Semstreams) -> Self {
        let mut rng = Rng::new(0x5E45_7EA5);
        let services = SERVICES
            .iter()
            .map(|_| Lifecycle::starting(&mut rng, 0.0))
            .collect();
        let w = Self {
            m,
            services,
            nats: Connection::new(),
            clock: 0.0,
        };
        w.create_series();
        w
    }

    fn create_series(&self) {
        let core = &self.m.service;
        for spec in SERVICES {
            let s = spec.name;
            for k in spec.kinds {
                core.messages_received_total(s, k.name).inc_by(0);
                if !spec.batched {
                    for status in [SUCCESS, ERROR] {
                        core.messages_processed_total(s, k.name, status).inc_by(0);
                    }
                    let _ = core.message_processing_duration_seconds(s, k.operation);
                }
            }
            if spec.batched {
                core.record_messages_processed(s, 0);
                let _ = core.message_processing_duration_seconds(s, "");
            }
            core.messages_failed_total(s).inc_by(0);
            core.messages_published_total(s, spec.output).inc_by(0);
            for (error, _) in ERRORS {
                core.errors_total(s, error).inc_by(0);
            }
            core.panic_total(s).inc_by(0);
            for subject in [spec.input, spec.output] {
                self.m.nats.nats_messages_total(subject).inc_by(0);
            }
        }
        self.expose_services();
        self.nats.expose(&self.m);
    }

    /// Services restart now and then; each moves through its lifecycle.
    fn lifecycles(&mut self, t: &mut Tick) {
        for service in &mut self.services {
            service.advance(t, self.clock);
        }
    }

    /// One tick of every running service's messages.
    fn messages(&mut self, t: &mut Tick) {
        // Messages published on a subject this tick, for the services that consume it.
        let mut published: Vec<(&str, u64)> = Vec::new();
        for (spec, life) in SERVICES.iter().zip(&self.services) {
            let arriving = match spec.per_second {
                Some(rate) => t.events(rate),
                None => published
                    .iter()
                    .find(|(subject, _)| *subject == spec.input)
                    .map_or(0, |(_, n)| *n),
            };
            if !self.nats.connected() || life.status != ServiceStatus::Running {
                continue;
            }
            let ok = if spec.batched {
                self.batch(t, spec, arriving)
            } else {
                self.one_by_one(t, spec, arriving)
            };
            let nats = &self.m.nats;
            nats.record_nats_messages(spec.input, arriving);
            nats.record_nats_messages(spec.output, ok);
            self.m
                .service
                .messages_published_total(spec.name, spec.output)
                .inc_by(ok);
            published.push((spec.output, ok));
        }
    }

    /// The document's batch form: returns the messages processed successfully.
    fn batch(&self, t: &mut Tick, spec: &Spec, n: u64) -> u64 {
        let core = &self.m.service;
        let mut failed = 0;
        for _ in 0..n {
            let k = pick_kind(&mut t.rng, spec.kinds);
            core.record_message_received(spec.name, k.name);
            if t.rng.chance(FAILURE) {
                self.fail(t, spec.name);
                failed += 1;
            }
        }
        core.record_messages_processed(spec.name, n - failed);
        if n > 0 {
            let median = BATCH_SECONDS_PER_MESSAGE * n as f64;
            core.observe_processing_duration(spec.name, t.rng.lognormal(median, BATCH_SIGMA));
        }
        n - failed
    }

    /// Message by message: returns the messages processed successfully.
    fn one_by_one(&self, t: &mut Tick, spec: &Spec, n: u64) -> u64 {
        let core = &self.m.service;
        let mut ok = 0;
        for _ in 0..n {
            let k = pick_kind(&mut t.rng, spec.kinds);
            core.record_message_received(spec.name, k.name);
            let took = t.rng.lognormal(k.median, PROCESSING_SIGMA);
            core.record_processing_duration(spec.name, k.operation, Duration::from_secs_f64(took));
            if t.rng.chance(FAILURE) {
                core.record_message_processed(spec.name, k.name, ERROR);
                self.fail(t, spec.name);
            } else {
                core.record_message_processed(spec.name, k.name, SUCCESS);
                ok += 1;
            }
        }
        ok
    }

    /// A failed message: an error by type, or now and then a recovered panic.
    fn fail(&self, t: &mut Tick, service: &str) {
        let core = &self.m.service;
        core.record_messages_failed(service, 1);
        if t.rng.chance(PANIC_SHARE) {
            core.record_panic(service);
        } else {
            let &error = t.rng.weighted(ERRORS);
            core.record_error(service, error);
        }
    }

    /// Status and health of every service.
    fn expose_services(&self) {
        let core = &self.m.service;
        for (spec, life) in SERVICES.iter().zip(&self.services) {
            core.record_service_status(spec.name, life.status);
            let healthy = life.status == ServiceStatus::Running && self.nats.connected();
            core.record_health_status(spec.name, healthy);
        }
    }
}

impl Drive for Workload {
    fn step(&mut self, t: &mut Tick) {
        self.clock += t.dt;
        if self.nats.advance(t, self.clock) {
            self.m.nats.record_nats_reconnect();
        }
        self.lifecycles(t);
        self.messages(t);
        self.expose_services();
        self.nats.expose(&self.m);
    }
}

/// One of `kinds`, by share.
fn pick_kind<'a>(rng: &mut Rng, kinds: &'a [Kind]) -> &'a Kind {
    let mut x = rng.unit() * kinds.iter().map(|k| k.share).sum::<f64>();
    for k in kinds {
        if x < k.share {
            return k;
        }
        x -= k.share;
    }
    &kinds[kinds.len() - 1]
}

/// Where a service is in its lifecycle, and until when.
#[derive(Debug)]
struct Lifecycle {
    status: ServiceStatus,
    /// When the current status ends (running: never, until a restart).
    until: f64,
}

impl Lifecycle {
    fn starting(rng: &mut Rng, now: f64) -> Self {
        Self {
            status: ServiceStatus::Starting,
            until: now + rng.lognormal(STARTING_SECONDS, 0.3),
        }
    }

    fn advance(&mut self, t: &mut Tick, now: f64) {
        let next = |median: f64, rng: &mut Rng| now + rng.lognormal(median, 0.3);
        match self.status {
            ServiceStatus::Running if t.rng.chance(RESTARTS_PER_SECOND * t.dt) => {
                self.status = ServiceStatus::Stopping;
                self.until = next(STOPPING_SECONDS, &mut t.rng);
            }
            ServiceStatus::Running => {}
            _ if now < self.until => {}
            ServiceStatus::Stopping => {
                self.status = ServiceStatus::Stopped;
                self.until = next(STOPPED_SECONDS, &mut t.rng);
            }
            ServiceStatus::Stopped => *self = Self::starting(&mut t.rng, now),
            ServiceStatus::Starting => self.status = ServiceStatus::Running,
        }
    }
}

/// The process's NATS connection and its circuit breaker (semstreams' `natsclient`).
#[derive(Debug)]
struct Connection {
    connected: bool,
    /// Opens after failed reconnect attempts: no attempts until its backoff has passed.
    breaker: Breaker,
    /// When the server is away.
    outages: Outages,
    /// Smoothed round-trip time, in milliseconds.
    rtt: f64,
}

impl Connection {
    fn new() -> Self {
        Self {
            connected: true,
            breaker: Breaker::new(BREAKER_THRESHOLD, BACKOFF.0, BACKOFF.1),
            outages: Outages::new(
                NATS_OUTAGES_PER_SECOND,
                (NATS_OUTAGE_SECONDS, 0.6),
                Some(FIRST_NATS_OUTAGE),
            ),
            rtt: RTT_MILLISECONDS,
        }
    }

    fn connected(&self) -> bool {
        self.connected
    }

    /// The server comes and goes; the client measures, loses, retries, reconnects: true when
    /// it reconnected.
    fn advance(&mut self, t: &mut Tick, now: f64) -> bool {
        self.outages.advance(t, now);
        let up = !self.outages.is_down(now);
        let was_down = !self.connected;
        if self.connected {
            if up {
                let sample = t.rng.lognormal(RTT_MILLISECONDS, RTT_SIGMA);
                self.rtt = ewma(self.rtt, sample, RTT_SMOOTHING);
            } else {
                self.connected = false;
            }
        } else {
            match self.breaker.state() {
                BreakerState::Open => self.breaker.half_open_when_due(now),
                // A reconnect attempt, or the half-open breaker's one trial.
                BreakerState::Closed | BreakerState::HalfOpen if up => {
                    self.breaker.success();
                    self.connected = true;
                }
                BreakerState::Closed | BreakerState::HalfOpen => self.breaker.failure(now),
            }
        }
        was_down && self.connected
    }

    fn expose(&self, m: &Semstreams) {
        let nats = &m.nats;
        nats.record_nats_status(self.connected);
        nats.record_nats_rtt(Duration::from_secs_f64(self.rtt / 1000.0));
        nats.record_circuit_breaker_state(match self.breaker.state() {
            BreakerState::Open => CircuitBreakerState::Open,
            BreakerState::HalfOpen => CircuitBreakerState::HalfOpen,
            BreakerState::Closed => CircuitBreakerState::Closed,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::workload::run;
    use crate::workload::testing::{Sim, Snapshot};

    use super::SERVICES;

    /// States within the codes their HELP gives; health is running and connected.
    fn assert_states(s: &Snapshot) {
        let connected = s.one("semstreams_nats_connection_status");
        assert!([0.0, 1.0].contains(&connected));
        let breaker = s.one("semstreams_nats_circuit_breaker");
        assert!([0.0, 1.0, 2.0].contains(&breaker), "{breaker}");
        if connected == 1.0 {
            assert_eq!(breaker, 0.0);
        }
        let statuses = s.family("semstreams_service_status");
        assert_eq!(statuses.len(), SERVICES.len());
        for (service, status) in statuses {
            assert!(
                [0.0, 1.0, 2.0, 3.0].contains(status),
                "{service:?} {status}"
            );
            let health = s.get("semstreams_health_status", &[&service[0]]);
            let expected = f64::from(u8::from(*status == 2.0 && connected == 1.0));
            assert_eq!(health, expected, "{service:?}");
        }
        let rtt = s.one("semstreams_nats_rtt_milliseconds");
        assert!((0.2..10.0).contains(&rtt), "{rtt} ms");
    }

    #[test]
    fn the_first_minute_starts_the_services_and_rides_out_a_nats_restart() {
        let mut sim = Sim::new("semstreams");
        let all_are = |s: &Snapshot, status: f64| {
            let statuses = s.family("semstreams_service_status");
            statuses.values().all(|v| *v == status)
        };
        assert!(all_are(&sim.snapshot(), 1.0), "starting");
        let mut breaker_seen = Vec::new();
        let mut connected_seen = Vec::new();
        for n in 0..60 {
            let s = sim.ticks(1);
            assert_states(&s);
            breaker_seen.push(s.one("semstreams_nats_circuit_breaker"));
            connected_seen.push(s.one("semstreams_nats_connection_status"));
            if n == 10 {
                assert!(all_are(&s, 2.0), "running");
            }
        }
        // The restart at 25 s: disconnected, breaker open then half-open, reconnected once.
        assert!(connected_seen.contains(&0.0));
        assert!(breaker_seen.contains(&1.0) && breaker_seen.contains(&2.0));
        assert_eq!(connected_seen.last(), Some(&1.0));
        let s = sim.snapshot();
        assert_eq!(s.one("semstreams_nats_reconnects_total"), 1.0);
        // Every family moved, the breaker's 1 and 2 above.
        let idle = s.idle(&["semstreams_nats_circuit_breaker"]);
        assert!(idle.is_empty(), "families that did not move: {idle:?}");
        // The document's example subject.
        assert!(s.get("semstreams_nats_messages_total", &["input-subject"]) > 0.0);
    }

    #[test]
    fn ten_minutes_keep_the_books_straight() {
        let mut sim = Sim::new("semstreams");
        sim.run(60);
        let series_count =
            |sim: &Sim| Snapshot::of_prefixed(&sim.registry, "semstreams_").series_count();
        let warm = series_count(&sim);
        let mut reconnects = 0.0;
        for n in 60..600 {
            sim.run(1);
            if n % 30 == 0 {
                let s = sim.snapshot();
                assert_states(&s);
                let now = s.one("semstreams_nats_reconnects_total");
                assert!(now >= reconnects);
                reconnects = now;
            }
        }
        assert_eq!(series_count(&sim), warm, "a closed set: flat");
        let s = sim.snapshot();
        for spec in SERVICES {
            let name = spec.name;
            let received = s.sum_where("semstreams_messages_received_total", 0, name);
            let failed = s.get("semstreams_messages_failed_total", &[name]);
            let errors = s.sum_where("semstreams_errors_total", 0, name);
            let panics = s.get("semstreams_panic_total", &[name]);
            let processed = "semstreams_messages_processed_total";
            let with_status = |status| s.sum_matching(processed, &[Some(name), None, Some(status)]);
            let succeeded = with_status("success");
            let published = s.get("semstreams_messages_published_total", &[name, spec.output]);
            assert!(received > 0.0 && failed > 0.0, "{name}");
            assert_eq!(failed, errors + panics, "{name}");
            assert_eq!(succeeded, published, "{name}");
            if spec.batched {
                // The document's batch form: successes untyped, failures apart.
                assert_eq!(received, succeeded + failed, "{name}");
                assert_eq!(succeeded, s.get(processed, &[name, "", "success"]));
            } else {
                assert_eq!(received, s.sum_where(processed, 0, name), "{name}");
                assert_eq!(failed, with_status("error"), "{name}");
            }
            // About 0.4% fail.
            assert!(failed / received < 0.01, "{name}: {failed} of {received}");
        }
        // Queries reach the database service as the API service publishes them.
        let api = s.get(
            "semstreams_messages_published_total",
            &["api-service", "graph.query.entity"],
        );
        let db = s.sum_where("semstreams_messages_received_total", 0, "database-service");
        assert!(db <= api && db > 0.9 * api, "{db} of {api}");
    }

    #[test]
    fn run_as_the_demo_and_the_catalog_test_do() {
        // `run` starts at tick 0 on every call: the workload keeps its own clock.
        let mut sim = Sim::new("semstreams");
        run(&mut sim.drives, 60, 1.0);
        run(&mut sim.drives, 60, 1.0);
        let s = sim.snapshot();
        assert_states(&s);
        // The restart at 25 s happened once, not once a call.
        let reconnects = s.one("semstreams_nats_reconnects_total");
        assert!((1.0..=3.0).contains(&reconnects), "{reconnects}");
        let text = sim.registry.encode(promdecl::Format::Text);
        assert!(text.contains("semstreams_service_status{service=\"processor\"} 2\n"));
    }
}
