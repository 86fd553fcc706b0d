//! How the Chorus Bridge runs, as the demo drives it (see [`crate::workload`]).
//!
//! # The model
//!
//! One bridge (`chorus_bridge`, a FastAPI service) between a handful of Chorus stage instances,
//! the Conductor network and the fediverse, serving about 100 HTTP requests a second (the
//! guide's `TARGET_REQUESTS_PER_SECOND`). Route templates, status codes, message types, tables
//! and Conductor methods are the bridge's own (`api/v1/routes.py`, `proto/federation.proto`,
//! `db/models.py`, `services/conductor.py`).
//!
//! - **HTTP** (`bridge_request_duration_seconds{method, endpoint, status_code}`,
//!   `bridge_request_size_bytes` for POST bodies): each route has its rate and handler time;
//!   database queries and Conductor calls a request makes add to its duration, so p50 is a few
//!   milliseconds and p95/p99 stay far below the guide's 0.5 s / 1 s targets (and the
//!   `HighLatency` alert's 1 s). Before a handler runs, 0.3% of requests on rate-limited routes
//!   are refused with `429` (`bridge_rate_limit_violations_total`) and 0.6% of authenticated
//!   POSTs with `401` (`bridge_auth_failures_total`): every 429 and 401 is counted there, one
//!   for one, about 0.16 auth failures a second, far below `SecurityEvent`'s 10. Three 401s in
//!   five carry a JWT whose signature does not verify (a stage still signing with a rotated
//!   key), and are counted in `bridge_signature_failures_total` too.
//! - **Federation** (`POST /api/bridge/federation/send`, 15 envelopes a second): every envelope
//!   that gets past the gates is received (`bridge_events_received_total`) and then processed
//!   (`bridge_events_processed_total{message_type, status}`, `status` `success` or `failed`).
//!   A failed one is also counted in `bridge_events_failed_total{error_type, stage_instance}`:
//!   `validation` (`400`), `signature` (`403`, and `bridge_signature_failures_total`),
//!   `duplicate` (`409`, found by the envelope-cache lookup) or `database` (`500`). About 0.3%
//!   fail, 0.05 a second: `HighErrorRate` (0.1 a second) stays quiet. In the first 10 s, 5% are
//!   duplicates: the stages resend the envelopes they had in flight when the bridge (re)started.
//!   An accepted envelope is
//!   stored in its type's table and counted by type and source
//!   (`bridge_federation_messages_by_type_total`); accepted envelopes are submitted to the
//!   Conductor once a tick (`SubmitEventsBatch`). `InstanceJoinRequest`s grow the trust store
//!   and `BlacklistUpdate`s change the blacklist (`bridge_trust_store_size`,
//!   `bridge_blacklist_size`), a few times an hour each.
//! - **Day proofs** (`GET /api/bridge/day-proof/{day_number}`, 55 a second): 96% are answered
//!   from the Conductor cache (`bridge_conductor_cache_hits_total`); a miss asks the Conductor
//!   (`GetDayProof`): `200`, `404` when the proof is not final yet, `503` when every attempt
//!   fails.
//! - **Exports and moderation** (`POST /api/bridge/export`, `POST /api/bridge/moderation/event`):
//!   an accepted export is delivered to an ActivityPub server at once,
//!   `bridge_activitypub_exports_total{status}` `delivered`, or `failed` for 2%; an accepted
//!   moderation event is counted by action and target (`bridge_moderation_events_total`) and
//!   submitted to the Conductor (`SubmitEvent`).
//! - **Database** (`bridge_database_*`): each query is observed by operation and table; 0.1%
//!   fail (`timeout` after the 2 s statement timeout, or `connection`), counted in
//!   `bridge_database_errors_total`; a request whose query fails is answered `500`, so 5xx are
//!   about 0.05% of requests (availability above the guide's 99.9%). Besides the requests'
//!   queries, the outbound federation and ActivityPub workers poll their ledgers ten times a
//!   second each, and the ActivityPub worker records each delivery; a worker whose query fails
//!   tries again at its next poll. Of the pool's connections (SQLAlchemy's defaults: 5 kept
//!   open, up to 10 more in overflow), the outbound federation worker's session and those
//!   busy with the tick's queries are active, never 0 (`DatabaseConnectionIssues` stays
//!   quiet); the rest of the 5 are idle.
//! - **Conductor** (`bridge_conductor_*`): three gRPC nodes behind the bridge's connection
//!   pool. A call goes to a node the pool holds healthy, with up to three attempts; 0.3% of
//!   calls time out (1 s). Each node has a circuit breaker (5 consecutive failures open it for
//!   60 s; then half-open for one tick, closed again if the node answers). The pool's health
//!   check runs every 30 s (`bridge_conductor_connection_pool_size{pool_type="grpc",
//!   state="healthy"|"unhealthy"}`). A node goes down about once every 30 minutes, for
//!   about 40 s; and `conductor-2` is down from 12 s to 52 s into the demo, so within the
//!   first minute its calls fail (`status="error"`), its breaker opens (`1`, as
//!   `CircuitBreakerOpen` selects) and calls to it are refused (`circuit_breaker_open`); 60 s
//!   after opening, the pool holding it healthy again, it is half-open (`2`) for a tick, then
//!   closed. Statuses are the bridge's own: `success`, `error`,
//!   `circuit_breaker_open`.
//! - **Process** (`bridge_memory_usage_bytes`, `bridge_cpu_usage_percent`): the real
//!   process's resident memory, and its CPU time over wall time between readings at least a
//!   second apart, as a percentage of all cores.
//! - **Peers** (`bridge_peer_count`): libp2p peers, drifting by one now and then between 8
//!   and 16.
//!
//! # Populations
//!
//! - **Stage instances** (`stage_instance`, `source_instance`): 6 Chorus stages, `stage-<n>`
//!   (the `X-Chorus-Instance-Id` they send), each replaced with probability 0.0005 a tick
//!   (one every five minutes or so). A stage's series of failed events (one per error type)
//!   and of federation messages (one per message type) are created when it joins and removed
//!   when it leaves.
//! - **ActivityPub servers** (`target_instance`): 12 fediverse hosts (`mastodon.social`,
//!   `fosstodon.org`, ...), each replaced with probability 0.001 a tick; a server's
//!   `delivered` and `failed` series are created when it joins and removed when it leaves.
//! - Closed sets, every combination created at start so the series count is flat from the
//!   first tick: routes and their status codes, message types, moderation actions and
//!   targets, database operations and tables, database error types, Conductor nodes, methods
//!   and statuses.

use super::conductor::{CircuitBreakerState, Conductor as ConductorMetrics};
use super::Bridge;
use crate::workload::{Breaker, BreakerState, CpuMeter, Drive, Members, Outages, Population, Tick};

/// `status` of a processed federation event that succeeded.
const SUCCESS: &str = "success";
/// `status` of a processed federation event that failed.
const FAILED: &str = "failed";

/// An HTTP route, as FastAPI gives it to the `endpoint` label: the template, not the path.
#[derive(Debug)]
struct Route {
    api: Api,
    method: &'static str,
    endpoint: &'static str,
    /// Requests a second.
    per_second: f64,
    /// Median handler time in seconds, before database queries and Conductor calls.
    handler: f64,
    /// Median body size in bytes (POST routes; GETs have no body).
    body: Option<f64>,
    /// Every status code the route answers: its series exist from the start.
    codes: &'static [&'static str],
}

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Send,
    DayProof,
    Peers,
    Export,
    Moderation,
    Live,
    Ready,
}

impl Api {
    /// Routes behind the per-instance rate limiter.
    fn rate_limited(self) -> bool {
        matches!(self, Api::Send | Api::Peers | Api::Export)
    }

    /// Routes that need a stage's JWT.
    fn authenticated(self) -> bool {
        matches!(self, Api::Send | Api::Export | Api::Moderation)
    }
}

/// The API: about 97 requests a second, most of them day-proof reads and federation.
const ROUTES: &[Route] = &[
    Route {
        api: Api::Send,
        method: "POST",
        endpoint: "/api/bridge/federation/send",
        per_second: 15.0,
        handler: 0.006,
        body: Some(1_500.0),
        codes: &["202", "400", "401", "403", "409", "429", "500"],
    },
    Route {
        api: Api::DayProof,
        method: "GET",
        endpoint: "/api/bridge/day-proof/{day_number}",
        per_second: 55.0,
        handler: 0.0015,
        body: None,
        codes: &["200", "400", "404", "503"],
    },
    Route {
        api: Api::Peers,
        method: "GET",
        endpoint: "/api/bridge/federation/peers",
        per_second: 15.0,
        handler: 0.003,
        body: None,
        codes: &["200", "429", "500"],
    },
    Route {
        api: Api::Export,
        method: "POST",
        endpoint: "/api/bridge/export",
        per_second: 10.0,
        handler: 0.004,
        body: Some(2_500.0),
        codes: &["202", "400", "401", "403", "429", "500"],
    },
    Route {
        api: Api::Moderation,
        method: "POST",
        endpoint: "/api/bridge/moderation/event",
        per_second: 2.0,
        handler: 0.004,
        body: Some(600.0),
        codes: &["202", "400", "401", "403", "500"],
    },
    // Kubernetes probes, every 10 s each.
    Route {
        api: Api::Live,
        method: "GET",
        endpoint: "/health/live",
        per_second: 0.1,
        handler: 0.0005,
        body: None,
        codes: &["200"],
    },
    Route {
        api: Api::Ready,
        method: "GET",
        endpoint: "/health/ready",
        per_second: 0.1,
        handler: 0.002,
        body: None,
        codes: &["200", "503"],
    },
];

/// Spread (sigma of the log) of handler times: p99 is about 3x the median.
const HANDLER_SIGMA: f64 = 0.5;
/// Spread of body sizes.
const BODY_SIGMA: f64 = 0.8;
/// Share of requests on rate-limited routes refused with 429.
const RATE_LIMITED: f64 = 0.003;
/// Share of authenticated requests refused with 401 (expired or badly signed JWTs).
const AUTH_FAILED: f64 = 0.006;
/// Share of 401s whose JWT signature does not verify (a stage still signing with a rotated
/// key): they are signature failures too.
const AUTH_BAD_SIGNATURE: f64 = 0.6;
/// Share of requests refused with 400 (an envelope or body that does not parse).
const INVALID: f64 = 0.0005;
/// Share of requests refused with 403 (a bad envelope signature; an instance not allowed).
const FORBIDDEN: f64 = 0.0003;
/// Share of envelopes already seen (replays), refused with 409.
const DUPLICATE: f64 = 0.0005;
/// The same in the first seconds of the demo, while stages resend the envelopes they had in
/// flight when the bridge (re)started.
const DUPLICATE_AT_START: (f64, f64) = (0.05, 10.0);
/// Share of day-proof requests for a negative day (400).
const BAD_DAY: f64 = 0.0005;

/// A federation message type (`proto/federation.proto`) and the table it is stored in.
#[derive(Debug, Clone, Copy)]
struct MessageType {
    name: &'static str,
    table: &'static str,
}

const fn message(name: &'static str, table: &'static str) -> MessageType {
    MessageType { name, table }
}

/// Federation message types by share of envelopes: posts dominate; instance joins and
/// blacklist updates are a few an hour, day proofs one per stage and day.
const MESSAGE_TYPES: &[(MessageType, f64)] = &[
    (message("PostAnnouncement", "federated_posts"), 55.0),
    (message("UserUpdate", "federated_user_updates"), 14.0),
    (
        message(
            "CommunityMembershipUpdate",
            "federated_community_memberships",
        ),
        12.0,
    ),
    (message("ModerationEvent", "moderation_events"), 6.0),
    (message("UserRegistration", "registered_users"), 5.0),
    (
        message("CommunityUpdate", "federated_community_updates"),
        4.0,
    ),
    (message("CommunityCreation", "federated_communities"), 2.0),
    (message("DayProof", "day_proofs"), 0.0005),
    (message("BlacklistUpdate", "bridge_blocklist"), 0.01),
    (message("InstanceJoinRequest", "bridge_actor"), 0.01),
];

/// `error_type` of a failed federation event, one per way it fails.
const EVENT_ERRORS: &[&str] = &["validation", "signature", "duplicate", "database"];

/// Moderation actions by target, by share.
const MODERATION: &[((&str, &str), f64)] = &[
    (("flag", "post"), 40.0),
    (("hide", "post"), 25.0),
    (("remove", "post"), 15.0),
    (("restore", "post"), 5.0),
    (("warn", "user"), 8.0),
    (("suspend", "user"), 4.0),
    (("remove", "community"), 2.0),
    (("block", "instance"), 1.0),
];

/// Share of day-proof requests answered from the cache (proofs are cached for an hour).
const DAY_PROOF_CACHE_HIT: f64 = 0.96;
/// Share of Conductor day-proof answers that have no final proof yet (404).
const DAY_PROOF_PENDING: f64 = 0.02;
/// Share of exports the receiving ActivityPub server does not accept.
const EXPORT_FAILED: f64 = 0.02;

/// Database queries other than the federation tables: `(operation, table)`.
const QUERIES: &[(&str, &str)] = &[
    ("select", "envelope_cache"),
    ("select", "bridge_actor"),
    ("insert", "export_ledger"),
    ("insert", "moderation_events"),
    ("select", "outbound_federation_ledger"),
    ("select", "export_ledger"),
    ("update", "export_ledger"),
];
/// Operations of the queries above.
const OPERATIONS: &[&str] = &["select", "insert", "update"];
/// Polls a second of each of the outbound federation and ActivityPub workers, looking for
/// work in their ledgers (every 100 ms).
const WORKER_POLLS: f64 = 10.0;
/// Median query times in seconds: an indexed select, a single-row insert.
const SELECT_SECONDS: f64 = 0.0012;
const INSERT_SECONDS: f64 = 0.0025;
/// Spread of query times.
const QUERY_SIGMA: f64 = 0.7;
/// Share of queries that fail.
const DB_ERROR: f64 = 0.001;
/// How they fail: the statement timeout, or a dropped connection.
const DB_ERRORS: &[(&str, f64)] = &[("timeout", 0.6), ("connection", 0.4)];
/// The statement timeout, in seconds.
const STATEMENT_TIMEOUT: f64 = 2.0;
/// Connections the SQLAlchemy pool keeps open, and the overflow it may open beyond them
/// (its defaults `pool_size` and `max_overflow`).
const DB_POOL: i64 = 5;
const DB_OVERFLOW: i64 = 10;
/// Sessions held open all along: the outbound federation worker's.
const DB_HELD_SESSIONS: i64 = 1;

/// The Conductor nodes the bridge's gRPC client pool spreads calls over.
const CONDUCTOR_NODES: &[&str] = &[
    "conductor-1:50051",
    "conductor-2:50051",
    "conductor-3:50051",
];
/// `client_type` of the circuit breakers: the bridge's gRPC Conductor client.
const CLIENT_TYPE: &str = "grpc";
/// `pool_type` of the connection pool.
const POOL_TYPE: &str = "grpc";
/// Conductor methods and their median latency in seconds.
const GET_DAY_PROOF: (&str, f64) = ("GetDayProof", 0.008);
const SUBMIT_EVENT: (&str, f64) = ("SubmitEvent", 0.012);
const SUBMIT_EVENTS_BATCH: (&str, f64) = ("SubmitEventsBatch", 0.025);
/// Conductor call statuses, as `services/conductor.py` writes them.
const CALL_SUCCESS: &str = "success";
const CALL_ERROR: &str = "error";
const CALL_REFUSED: &str = "circuit_breaker_open";
/// Attempts of one pooled call (the pool's `max_retries`).
const CONDUCTOR_ATTEMPTS: usize = 3;
/// Share of calls to a healthy node that time out.
const CONDUCTOR_TIMEOUTS: f64 = 0.003;
/// The client's timeout, in seconds.
const CONDUCTOR_TIMEOUT: f64 = 1.0;
/// Consecutive failures that open a breaker, and seconds it stays open (the bridge's
/// `CircuitBreaker` defaults).
const BREAKER_THRESHOLD: u32 = 5;
const BREAKER_RECOVERY: f64 = 60.0;
/// Seconds between the pool's health checks.
const HEALTH_CHECK_INTERVAL: f64 = 30.0;
/// Outages of one node: about one every 30 minutes, about 40 s long.
const OUTAGES_PER_SECOND: f64 = 1.0 / 1800.0;
const OUTAGE_SECONDS: f64 = 40.0;
/// The restart that opens the demo: node, start and end in seconds.
const FIRST_OUTAGE: (usize, f64, f64) = (1, 12.0, 52.0);
/// Real seconds over which the CPU percentage averages the process's CPU time.
const CPU_WINDOW: f64 = 1.0;

/// Stage instances and their turnover a tick.
const STAGES: usize = 6;
const STAGE_TURNOVER: f64 = 0.0005;
/// ActivityPub servers the bridge exports to, and their turnover a tick.
const TARGETS: usize = 12;
const TARGET_TURNOVER: f64 = 0.001;
/// Host names of ActivityPub servers: a stem and a top-level domain.
const HOST_STEMS: &[&str] = &[
    "mastodon",
    "fosstodon",
    "hachyderm",
    "mstdn",
    "pixelfed",
    "lemmy",
    "misskey",
    "akkoma",
    "gotosocial",
    "pleroma",
];
const HOST_TLDS: &[&str] = &["social", "org", "io", "net"];

/// libp2p peers: start, bounds, and the chance a tick that one connects or leaves.
const PEERS: (i64, i64, i64) = (12, 8, 16);
const PEER_CHANGE: f64 = 0.03;
/// Trust store and blacklist at start.
const TRUST_STORE: i64 = 42;
const BLACKLIST: i64 = 7;

/// The bridge workload.
#[derive(Debug)]
pub struct Workload {
    m: Bridge,
    stages: Population,
    /// ActivityPub servers: their host names.
    targets: Members<String>,
    conductor: ConductorPool,
    /// Envelopes accepted this tick, submitted to the Conductor in one batch.
    batch: u64,
    /// Seconds spent in database queries this tick.
    db_busy: f64,
    peers: i64,
    trust_store: i64,
    blacklist: i64,
    cpu: CpuMeter,
    /// Seconds since the workload started (the ticks' `dt` added up).
    clock: f64,
}

impl Workload {
    /// A workload driving `m`; creates every series of the closed label sets.
    pub fn new(m: Bridge) -> Self {
        let w = Self {
            m,
            stages: Population::new("stage-", STAGES, STAGE_TURNOVER),
            targets: Members::new(Population::new("", TARGETS, TARGET_TURNOVER), host_name),
            conductor: ConductorPool::new(),
            batch: 0,
            db_busy: 0.0,
            peers: PEERS.0,
            trust_store: TRUST_STORE,
            blacklist: BLACKLIST,
            cpu: CpuMeter::new(CPU_WINDOW),
            clock: 0.0,
        };
        w.create_series();
        w
    }

    /// Series of the closed label sets, and those of the populations' first members.
    fn create_series(&self) {
        let m = &self.m;
        for r in ROUTES {
            for code in r.codes {
                let _ = m
                    .performance
                    .request_duration_seconds(r.method, r.endpoint, code);
            }
            if r.body.is_some() {
                let _ = m.performance.request_size_bytes(r.method, r.endpoint);
            }
        }
        for (kind, _) in MESSAGE_TYPES {
            for status in [SUCCESS, FAILED] {
                m.requests
                    .events_processed_total(kind.name, status)
                    .inc_by(0);
            }
            let _ = m.database.query_duration_seconds("insert", kind.table);
        }
        for (op, table) in QUERIES {
            let _ = m.database.query_duration_seconds(op, table);
        }
        for (error, _) in DB_ERRORS {
            for op in OPERATIONS {
                m.database.errors_total(error, op).inc_by(0);
            }
        }
        for ((action, target), _) in MODERATION {
            m.custom.moderation_events_total(action, target).inc_by(0);
        }
        for endpoint in CONDUCTOR_NODES {
            for (method, _) in [GET_DAY_PROOF, SUBMIT_EVENT, SUBMIT_EVENTS_BATCH] {
                for status in [CALL_SUCCESS, CALL_ERROR, CALL_REFUSED] {
                    m.conductor
                        .requests_total(method, status, endpoint)
                        .inc_by(0);
                }
                let _ = m.conductor.latency_seconds(method, endpoint);
            }
        }
        m.conductor.cache_hits_total("day_proof", "get").inc_by(0);
        for stage in self.stages.members() {
            self.stage_joined(stage);
        }
        for target in self.targets.iter() {
            self.target_joined(target);
        }
        self.conductor.expose(&m.conductor);
    }

    fn stage_joined(&self, stage: &str) {
        for error in EVENT_ERRORS {
            self.m.requests.events_failed_total(error, stage).inc_by(0);
        }
        for (kind, _) in MESSAGE_TYPES {
            self.m
                .custom
                .federation_messages_by_type_total(kind.name, stage)
                .inc_by(0);
        }
    }

    fn target_joined(&self, target: &str) {
        for status in ["delivered", "failed"] {
            self.m
                .custom
                .activitypub_exports_total(status, target)
                .inc_by(0);
        }
    }

    /// Stages and ActivityPub servers come and go; the leavers' series go with them.
    fn churn(&mut self, t: &mut Tick) {
        for stage in self.stages.churn(&mut t.rng) {
            self.m
                .requests
                .remove_events_failed_total_matching(None, Some(&stage));
            self.m
                .custom
                .remove_federation_messages_by_type_total_matching(None, Some(&stage));
        }
        for target in self
            .targets
            .churn(&mut t.rng, |member, _| host_name(member))
        {
            self.m
                .custom
                .remove_activitypub_exports_total_matching(None, Some(&target));
        }
        // Newcomers take the leavers' places; creating a series twice is harmless.
        for stage in self.stages.members() {
            self.stage_joined(stage);
        }
        for target in self.targets.iter() {
            self.target_joined(target);
        }
    }

    /// Requests, federation events, exports, moderation, security: the HTTP API at work.
    fn http(&mut self, t: &mut Tick) {
        for route in ROUTES {
            for _ in 0..t.events(route.per_second) {
                let mut seconds = t.rng.lognormal(route.handler, HANDLER_SIGMA);
                let code = match self.gate(t, route.api) {
                    Some(code) => code,
                    None => self.handle(t, route.api, &mut seconds),
                };
                let size = route
                    .body
                    .map(|median| t.rng.lognormal(median, BODY_SIGMA).round() as u64);
                self.m.performance.record_request(
                    route.method,
                    route.endpoint,
                    code,
                    seconds,
                    size,
                );
            }
        }
    }

    /// The rate limiter and the JWT check, before any handler.
    fn gate(&self, t: &mut Tick, api: Api) -> Option<&'static str> {
        if api.rate_limited() && t.rng.chance(RATE_LIMITED) {
            self.m.security.rate_limit_violations_total().inc();
            return Some("429");
        }
        if api.authenticated() && t.rng.chance(AUTH_FAILED) {
            self.m.security.auth_failures_total().inc();
            if t.rng.chance(AUTH_BAD_SIGNATURE) {
                self.m.security.signature_failures_total().inc();
            }
            return Some("401");
        }
        None
    }

    /// Runs a handler: its status code; its queries and calls add to `seconds`.
    fn handle(&mut self, t: &mut Tick, api: Api, seconds: &mut f64) -> &'static str {
        match api {
            Api::Send => self.federation_send(t, seconds),
            Api::DayProof => self.day_proof(t, seconds),
            Api::Peers => self.ok_unless_query_fails(t, ("select", "bridge_actor"), "200", seconds),
            Api::Export => self.export(t, seconds),
            Api::Moderation => self.moderation(t, seconds),
            Api::Live => "200",
            Api::Ready => {
                if self.conductor.healthy() > 0 {
                    "200"
                } else {
                    "503"
                }
            }
        }
    }

    /// `POST /api/bridge/federation/send`: one envelope from a stage.
    fn federation_send(&mut self, t: &mut Tick, seconds: &mut f64) -> &'static str {
        self.m.requests.events_received_total().inc();
        let kind = *t.rng.weighted(MESSAGE_TYPES);
        let stage = t.rng.below(self.stages.members().len());
        let failure = if t.rng.chance(INVALID) {
            Some(("400", "validation"))
        } else if t.rng.chance(FORBIDDEN) {
            self.m.security.signature_failures_total().inc();
            Some(("403", "signature"))
        } else if !self.query(t, ("select", "envelope_cache"), seconds) {
            Some(("500", "database"))
        } else if t.rng.chance(self.duplicate_share()) {
            Some(("409", "duplicate"))
        } else if !self.query(t, ("insert", kind.table), seconds) {
            Some(("500", "database"))
        } else {
            None
        };
        let stage = &self.stages.members()[stage];
        let requests = &self.m.requests;
        if let Some((code, error)) = failure {
            requests.events_failed_total(error, stage).inc();
            requests.events_processed_total(kind.name, FAILED).inc();
            return code;
        }
        requests.events_processed_total(kind.name, SUCCESS).inc();
        self.m.custom.record_federation_message(kind.name, stage);
        self.batch += 1;
        match kind.name {
            "InstanceJoinRequest" => self.trust_store += 1,
            // Most updates add an instance, which then leaves the trust store half the time.
            "BlacklistUpdate" if t.rng.chance(0.8) => {
                self.blacklist += 1;
                if t.rng.chance(0.5) {
                    self.trust_store -= 1;
                }
            }
            "BlacklistUpdate" => self.blacklist = (self.blacklist - 1).max(0),
            _ => {}
        }
        "202"
    }

    /// `GET /api/bridge/day-proof/{day_number}`: from the cache, or from the Conductor.
    fn day_proof(&mut self, t: &mut Tick, seconds: &mut f64) -> &'static str {
        if t.rng.chance(BAD_DAY) {
            return "400";
        }
        if t.rng.chance(DAY_PROOF_CACHE_HIT) {
            self.m.conductor.cache_hits_total("day_proof", "get").inc();
            return "200";
        }
        let (ok, spent) = self
            .conductor
            .call(&self.m.conductor, t, self.clock, GET_DAY_PROOF);
        *seconds += spent;
        match ok {
            false => "503",
            true if t.rng.chance(DAY_PROOF_PENDING) => "404",
            true => "200",
        }
    }

    /// `POST /api/bridge/export`: recorded in the export ledger, then delivered.
    fn export(&mut self, t: &mut Tick, seconds: &mut f64) -> &'static str {
        if let Some(code) = self.refused(t) {
            return code;
        }
        let code = self.ok_unless_query_fails(t, ("insert", "export_ledger"), "202", seconds);
        if code == "202" {
            // The ActivityPub worker delivers it and records the outcome in the ledger.
            let status = if t.rng.chance(EXPORT_FAILED) {
                "failed"
            } else {
                "delivered"
            };
            let target = t.rng.pick(&self.targets);
            self.m.custom.record_activitypub_export(status, target);
            self.query(t, ("update", "export_ledger"), &mut 0.0);
        }
        code
    }

    /// `POST /api/bridge/moderation/event`: stored, counted, submitted to the Conductor.
    fn moderation(&mut self, t: &mut Tick, seconds: &mut f64) -> &'static str {
        if let Some(code) = self.refused(t) {
            return code;
        }
        let code = self.ok_unless_query_fails(t, ("insert", "moderation_events"), "202", seconds);
        if code == "202" {
            let (action, target) = *t.rng.weighted(MODERATION);
            self.m.custom.record_moderation_event(action, target);
            // Submitted in the background: the request does not wait for it.
            self.conductor
                .call(&self.m.conductor, t, self.clock, SUBMIT_EVENT);
        }
        code
    }

    /// A body that does not parse (400) or a stage not allowed to act (403).
    fn refused(&self, t: &mut Tick) -> Option<&'static str> {
        if t.rng.chance(INVALID) {
            Some("400")
        } else if t.rng.chance(FORBIDDEN) {
            Some("403")
        } else {
            None
        }
    }

    /// `ok`, or `500` when the handler's one query fails.
    fn ok_unless_query_fails(
        &mut self,
        t: &mut Tick,
        query: (&str, &str),
        ok: &'static str,
        seconds: &mut f64,
    ) -> &'static str {
        if self.query(t, query, seconds) {
            ok
        } else {
            "500"
        }
    }

    /// One database query `(operation, table)`: observed, its time added to the request's
    /// `seconds`; false when it fails, counted by error type.
    fn query(&mut self, t: &mut Tick, (op, table): (&str, &str), seconds: &mut f64) -> bool {
        let db = &self.m.database;
        let (took, ok) = if t.rng.chance(DB_ERROR) {
            let error = *t.rng.weighted(DB_ERRORS);
            db.errors_total(error, op).inc();
            let took = if error == "timeout" {
                STATEMENT_TIMEOUT
            } else {
                t.rng.lognormal(0.001, QUERY_SIGMA)
            };
            (took, false)
        } else {
            let median = if op == "select" {
                SELECT_SECONDS
            } else {
                INSERT_SECONDS
            };
            (t.rng.lognormal(median, QUERY_SIGMA), true)
        };
        db.query_duration_seconds(op, table).observe(took);
        // A connection is busy for the query, at most the whole tick.
        self.db_busy += took.min(t.dt);
        *seconds += took;
        ok
    }

    /// The tick's accepted envelopes go to the Conductor in one batch.
    fn submit_batch(&mut self, t: &mut Tick) {
        if self.batch > 0 {
            self.conductor
                .call(&self.m.conductor, t, self.clock, SUBMIT_EVENTS_BATCH);
            self.batch = 0;
        }
    }

    /// The outbound federation and ActivityPub workers poll their ledgers.
    fn workers(&mut self, t: &mut Tick) {
        for table in ["outbound_federation_ledger", "export_ledger"] {
            for _ in 0..t.events(WORKER_POLLS) {
                self.query(t, ("select", table), &mut 0.0);
            }
        }
    }

    /// Share of envelopes that are replays: more in the first seconds.
    fn duplicate_share(&self) -> f64 {
        let (share, until) = DUPLICATE_AT_START;
        if self.clock < until {
            share
        } else {
            DUPLICATE
        }
    }

    /// Connections: the workers' sessions plus those busy with this tick's queries (on
    /// average, busy seconds over the tick's seconds).
    fn database(&mut self, t: &mut Tick) {
        let busy = self.db_busy / t.dt.max(f64::MIN_POSITIVE);
        let in_queries = i64::try_from(t.rng.poisson(busy)).unwrap_or(i64::MAX);
        let active = (DB_HELD_SESSIONS + in_queries).min(DB_POOL + DB_OVERFLOW);
        self.m.database.connections_active().set(active);
        self.m
            .database
            .connections_idle()
            .set((DB_POOL - active).max(0));
        self.db_busy = 0.0;
    }

    /// Peers drift; trust store and blacklist follow the federation's updates.
    fn business(&mut self, t: &mut Tick) {
        if t.rng.chance(PEER_CHANGE) {
            let step = if t.rng.chance(0.5) { 1 } else { -1 };
            self.peers = (self.peers + step).clamp(PEERS.1, PEERS.2);
        }
        let b = &self.m.business;
        b.peer_count().set(self.peers);
        b.trust_store_size().set(self.trust_store.max(0));
        b.blacklist_size().set(self.blacklist);
    }

    /// Memory and CPU of the real process.
    fn system(&mut self, t: &Tick) {
        self.m
            .system
            .memory_usage_bytes()
            .set(t.process.resident_bytes);
        if let Some(share) = self.cpu.update(&t.process) {
            self.m.system.cpu_usage_percent().set(100.0 * share);
        }
    }
}

impl Drive for Workload {
    fn step(&mut self, t: &mut Tick) {
        self.clock += t.dt;
        self.churn(t);
        self.conductor.advance(t, self.clock);
        self.http(t);
        self.workers(t);
        self.submit_batch(t);
        self.conductor.expose(&self.m.conductor);
        self.database(t);
        self.business(t);
        self.system(t);
    }
}

/// A Conductor node as the bridge sees it.
#[derive(Debug)]
struct Node {
    endpoint: &'static str,
    /// When it is down (restarts, crashes).
    outages: Outages,
    /// Whether the pool's last health check found it up.
    in_pool: bool,
    /// Its circuit breaker (`services/conductor.py`'s `CircuitBreaker`): a fixed recovery
    /// time.
    breaker: Breaker,
}

impl Node {
    fn is_down(&self, now: f64) -> bool {
        self.outages.is_down(now)
    }
}

/// The bridge's pool of Conductor clients.
#[derive(Debug)]
struct ConductorPool {
    nodes: Vec<Node>,
    next_health_check: f64,
}

impl ConductorPool {
    fn new() -> Self {
        let nodes = CONDUCTOR_NODES
            .iter()
            .enumerate()
            .map(|(i, endpoint)| {
                let (first, start, end) = FIRST_OUTAGE;
                let first = (i == first).then_some((start, end));
                Node {
                    endpoint,
                    outages: Outages::new(OUTAGES_PER_SECOND, (OUTAGE_SECONDS, 0.5), first),
                    in_pool: true,
                    breaker: Breaker::new(BREAKER_THRESHOLD, BREAKER_RECOVERY, BREAKER_RECOVERY),
                }
            })
            .collect();
        Self {
            nodes,
            next_health_check: HEALTH_CHECK_INTERVAL,
        }
    }

    /// Nodes the pool holds healthy.
    fn healthy(&self) -> usize {
        self.nodes.iter().filter(|n| n.in_pool).count()
    }

    /// Outages start, the health check runs, breakers wait out their recovery time.
    fn advance(&mut self, t: &mut Tick, now: f64) {
        let check = now >= self.next_health_check;
        if check {
            self.next_health_check += HEALTH_CHECK_INTERVAL;
        }
        for node in &mut self.nodes {
            node.outages.advance(t, now);
            if check {
                node.in_pool = !node.is_down(now);
            }
            match node.breaker.state() {
                // The trial call of the last tick: it went through if the node is back.
                BreakerState::HalfOpen if node.is_down(now) => node.breaker.failure(now),
                BreakerState::HalfOpen => node.breaker.success(),
                BreakerState::Open if node.in_pool => node.breaker.half_open_when_due(now),
                _ => {}
            }
        }
    }

    /// One pooled call of `(method, median latency)`: whether it succeeded, and the seconds
    /// it took over all attempts.
    fn call(
        &mut self,
        m: &ConductorMetrics,
        t: &mut Tick,
        now: f64,
        (method, median): (&str, f64),
    ) -> (bool, f64) {
        let mut spent = 0.0;
        for _ in 0..CONDUCTOR_ATTEMPTS {
            // Round robin among the healthy clients; a half-open one takes only its trial.
            let usable = |n: &&mut Node| n.in_pool && n.breaker.state() != BreakerState::HalfOpen;
            let count = self.nodes.iter_mut().filter(usable).count();
            let pick = t.rng.below(count);
            let Some(node) = self.nodes.iter_mut().filter(usable).nth(pick) else {
                break;
            };
            if node.breaker.state() == BreakerState::Open {
                m.requests_total(method, CALL_REFUSED, node.endpoint).inc();
                continue;
            }
            let (ok, took) = if node.is_down(now) {
                // Connection refused.
                (false, t.rng.lognormal(0.002, 0.5))
            } else if t.rng.chance(CONDUCTOR_TIMEOUTS) {
                (false, CONDUCTOR_TIMEOUT)
            } else {
                (true, t.rng.lognormal(median, 0.4))
            };
            let status = if ok { CALL_SUCCESS } else { CALL_ERROR };
            m.record_request(method, status, node.endpoint, took);
            spent += took;
            if ok {
                node.breaker.success();
            } else {
                node.breaker.failure(now);
            }
            if ok {
                return (true, spent);
            }
        }
        (false, spent)
    }

    /// Breaker states and the pool's healthy and unhealthy clients.
    fn expose(&self, m: &ConductorMetrics) {
        for node in &self.nodes {
            let state = match node.breaker.state() {
                BreakerState::Closed => CircuitBreakerState::Closed,
                BreakerState::Open => CircuitBreakerState::Open,
                BreakerState::HalfOpen => CircuitBreakerState::HalfOpen,
            };
            m.set_circuit_breaker_state(CLIENT_TYPE, node.endpoint, state);
        }
        let healthy = self.healthy();
        let unhealthy = self.nodes.len() - healthy;
        m.connection_pool_size(POOL_TYPE, "healthy")
            .set(i64::try_from(healthy).unwrap_or(i64::MAX));
        m.connection_pool_size(POOL_TYPE, "unhealthy")
            .set(i64::try_from(unhealthy).unwrap_or(i64::MAX));
    }
}

/// The host name of ActivityPub server `member` (a number) of its population:
/// `mastodon.social`, `fosstodon.org`, ..., then `mastodon2.social`, ...
fn host_name(member: &str) -> String {
    let n: usize = member.parse().unwrap_or_default();
    let stem = HOST_STEMS[n % HOST_STEMS.len()];
    let tld = HOST_TLDS[(n / HOST_STEMS.len()) % HOST_TLDS.len()];
    match n / (HOST_STEMS.len() * HOST_TLDS.len()) {
        0 => format!("{stem}.{tld}"),
        round => format!("{stem}{}.{tld}", round + 1),
    }
}

#[cfg(test)]
mod tests {
    use promdecl::Registry;

    use crate::workload::testing::{histogram_buckets, Sim, Snapshot};
    use crate::workload::ProcessStats;

    use super::{CONDUCTOR_NODES, DB_POOL, ROUTES};

    /// The bridge's series.
    fn series_count(registry: &Registry) -> usize {
        Snapshot::of_prefixed(registry, "bridge_").series_count()
    }

    /// The `q` quantile (upper bucket bound) of every series of a histogram family together.
    fn quantile(registry: &Registry, family: &str, q: f64) -> f64 {
        let buckets = histogram_buckets(registry, family);
        let total = buckets.last().map_or(0, |b| b.1) as f64;
        buckets
            .iter()
            .find(|(_, n)| *n as f64 >= q * total)
            .map_or(f64::INFINITY, |b| b.0)
    }

    fn assert_breakers_within_codes(s: &Snapshot) {
        let breakers = s.family("bridge_conductor_circuit_breaker_state");
        assert_eq!(breakers.len(), CONDUCTOR_NODES.len());
        for (labels, v) in breakers {
            assert!([0.0, 1.0, 2.0].contains(v), "breaker {labels:?} = {v}");
        }
    }

    #[test]
    fn the_first_minute_shows_what_the_alerts_and_dashboards_select() {
        let mut sim = Sim::new("bridge");
        let s = sim.ticks(30);
        // conductor-2 restarted at 12 s: its breaker is open (`CircuitBreakerOpen`).
        assert_eq!(
            s.get(
                "bridge_conductor_circuit_breaker_state",
                &["grpc", "conductor-2:50051"]
            ),
            1.0
        );
        assert_breakers_within_codes(&s);
        let refused = s.sum_where("bridge_conductor_requests_total", 1, "circuit_breaker_open");
        assert!(refused > 0.0);
        let s = sim.ticks(30);
        assert_breakers_within_codes(&s);
        // `ConductorCommunicationIssues` selects status="error".
        assert!(s.sum_where("bridge_conductor_requests_total", 1, "error") > 0.0);
        // The dashboards' and alerts' rates: events, failures, auth failures, the rest.
        for family in [
            "bridge_events_received_total",
            "bridge_events_failed_total",
            "bridge_auth_failures_total",
            "bridge_rate_limit_violations_total",
            "bridge_signature_failures_total",
            "bridge_conductor_requests_total",
        ] {
            assert!(s.sum(family) > 0.0, "{family} did not move");
        }
        // 4xx from the gates and the handlers.
        for code in ["401", "429", "404"] {
            assert!(
                s.sum_where("bridge_request_duration_seconds", 2, code) > 0.0,
                "no {code}"
            );
        }
        // Every family moved.
        let idle = s.idle(&[]);
        assert!(idle.is_empty(), "families that did not move: {idle:?}");
    }

    #[test]
    fn ten_minutes_hold_the_guides_targets_and_invariants() {
        let mut sim = Sim::new("bridge");
        sim.run(60);
        let warm = series_count(&sim.registry);
        let mut blacklist_seen = Vec::new();
        for _ in 1..10 {
            let s = sim.ticks(60);
            assert_breakers_within_codes(&s);
            assert!(s.one("bridge_database_connections_active") >= 1.0);
            let active = s.one("bridge_database_connections_active");
            let idle = s.one("bridge_database_connections_idle");
            assert_eq!(idle, (DB_POOL as f64 - active).max(0.0));
            let pool = "bridge_conductor_connection_pool_size";
            let healthy = s.get(pool, &["grpc", "healthy"]);
            let unhealthy = s.get(pool, &["grpc", "unhealthy"]);
            assert_eq!(healthy + unhealthy, CONDUCTOR_NODES.len() as f64);
            blacklist_seen.push(s.one("bridge_blacklist_size"));
            let cpu = s.one("bridge_cpu_usage_percent");
            assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        }
        let now = series_count(&sim.registry);
        assert!(
            (now as f64 - warm as f64).abs() / (warm as f64) < 0.05,
            "series went from {warm} to {now}"
        );
        assert!(blacklist_seen.iter().all(|b| *b >= 0.0));

        let s = sim.snapshot();
        // Counted once each: received = processed; failed = processed{failed}.
        let received = s.one("bridge_events_received_total");
        let processed = s.sum("bridge_events_processed_total");
        assert_eq!(received, processed);
        let failed = s.sum("bridge_events_failed_total");
        let processed_failed = s.sum_where("bridge_events_processed_total", 1, "failed");
        // Stages that left took their failure series along: at most equal.
        assert!(failed <= processed_failed && failed > 0.0);
        // Failures stay under `HighErrorRate`'s 0.1 a second.
        assert!(processed_failed / 600.0 < 0.1, "{processed_failed}");
        // Every 401 and 429 is an auth failure or a rate-limit violation.
        let http = |code| s.sum_where("bridge_request_duration_seconds", 2, code);
        assert_eq!(http("401"), s.one("bridge_auth_failures_total"));
        assert_eq!(http("429"), s.one("bridge_rate_limit_violations_total"));
        // 5xx occur, rarely: availability above 99.9%, error rate under 1%.
        let total = s.sum("bridge_request_duration_seconds");
        let errors: f64 = ["500", "503"].into_iter().map(http).sum();
        assert!(
            errors > 0.0 && errors / total < 0.001,
            "{errors} of {total}"
        );
        // About 100 requests a second.
        assert!((80.0..120.0).contains(&(total / 600.0)), "{total}");
        // Latency targets: p95 <= 0.5 s, p99 <= 1 s (bucket bounds).
        let p95 = quantile(&sim.registry, "bridge_request_duration_seconds", 0.95);
        let p99 = quantile(&sim.registry, "bridge_request_duration_seconds", 0.99);
        assert!(p95 <= 0.5 && p99 <= 1.0, "p95 {p95}, p99 {p99}");
        assert!(p95 <= 0.05, "mostly well under the target: p95 {p95}");
        // Every route and status code has its series.
        let routes = s.family("bridge_request_duration_seconds");
        for r in ROUTES {
            for code in r.codes {
                let key = [r.method, r.endpoint, code].map(String::from).to_vec();
                assert!(routes.contains_key(&key), "{key:?}");
            }
        }
        // The breaker that opened at start closed again.
        assert_eq!(
            s.get(
                "bridge_conductor_circuit_breaker_state",
                &["grpc", "conductor-2:50051"]
            ),
            0.0
        );
    }

    #[test]
    fn resource_gauges_are_the_processs() {
        let s = Sim::new("bridge").ticks(3);
        let rss = ProcessStats::read().resident_bytes;
        let memory = s.one("bridge_memory_usage_bytes");
        assert!(
            rss > 0.0 && (memory - rss).abs() / rss < 0.5,
            "{memory} vs {rss}"
        );
    }
}
