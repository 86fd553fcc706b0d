//! How CHORUS runs, as the demo drives it (see [`crate::workload`]).
//!
//! The workload is one node, `node-1`, of a five-node CHORUS cluster, from its boot on. Every
//! family follows from a small model of what the node does, so values that belong together
//! agree:
//!
//! - **Boot and election.** The node boots in `discovering`, finds no admin, calls an election
//!   (`electing`, term 1) and wins it as the only node up: `reconstructing` (it rebuilds the
//!   SLURP context as the new admin), `complete`, then `idle`. Thirty seconds later the other
//!   nodes have booted and a better-scored candidate takes over (term 2); the node follows from
//!   then on. Afterwards an election happens about twice an hour (the admin fails or steps
//!   down), which this node wins one time in four. `chorus_election_state` is one-hot, the term
//!   only grows (one per election), `chorus_leadership_changes_total` counts completed
//!   elections, heartbeats are sent only while this node is the idle admin and received only
//!   while it is an idle follower, and `chorus_slurp_leadership_events_total` counts the times
//!   it gained or lost the admin role.
//! - **P2P.** Peers are dialled once the host listens, two seconds after boot, so the first p2p
//!   health check fails with `no_peers` (and one that finds fewer than three peers with
//!   `insufficient_peers`). A connection lasts five minutes on average before it closes and the
//!   peer is redialled (`chorus_p2p_connection_duration_seconds`); 5% of dials fail
//!   (`chorus_errors_total{component="p2p",error_type="dial_failed"}`). Peer scores drift around
//!   each peer's quality.
//! - **DHT.** Content lookups go to the local cache first; its misses are the DHT gets, so
//!   `chorus_dht_get_operations_total` is the content cache's misses. Failures (2% of puts, 3%
//!   of gets) take the time of a timeout and count in `chorus_errors_total{component="dht"}`.
//!   Content keys and provider records grow with new puts and expire after an hour.
//! - **Tasks and SLURP.** Each is a worker pool fed by a FIFO queue and offered more work than
//!   it can do (tasks 45% more, SLURP 30%): the node claims work while fewer than a limit of
//!   jobs wait (the rest is left to other nodes, or merged with a queued request), so the queue
//!   hovers below its limit and the workers are busy. Queue waits, durations, active and queued counts all come from
//!   the same simulated jobs. A failed job counts in `chorus_errors_total` with its component;
//!   a recovered panic (a fifth of task failures: a malformed model reply that the result
//!   parser chokes on) also in `chorus_panics_total`.
//! - **Health.** Six checks run every 15 seconds. Those with a model behind them fail when the
//!   model says so (no peers, no leader, a DHT failure rate above 10%, a full disk); the others
//!   fail 1% of the time. Component scores are the moving success ratios of their component's
//!   operations (the share of connected peers for p2p, whether a leader is known for election);
//!   the system score is their mean.
//! - **Resources.** Memory, threads (`chorus_goroutines`), CPU and uptime are the real
//!   process's readings; network counters add up the bytes the simulated messages carry.
//! - `chorus_system_info` is set once, when the workload starts.
//!
//! Rates are per second and probabilities per event, so the model runs at any tick length (only
//! the populations' turnover is per tick). The model keeps its own clock, the sum of the ticks'
//! lengths.
//!
//! # Label values
//!
//! Two populations change slowly; a member that leaves has its series removed and a newcomer
//! gets its series at once, so the series count stays flat:
//!
//! | label      | values                                                  | size | turnover per tick  |
//! |------------|---------------------------------------------------------|------|--------------------|
//! | `peer_id`  | libp2p Ed25519 peer ids (`12D3KooW` + 44 base58 digits) | 16   | 0.1% (~1 a minute) |
//! | `key_hash` | 16 hex digits                                           | 24   | 0.2% (~3 a minute) |
//!
//! Each member's value is derived from its population name (`peer7`, `key12`), so it is stable
//! while the member stays.
//!
//! The other free-form labels take fixed values, every combination created when the workload
//! starts: P2P `message_type` (`P2P_MESSAGES`), `cache_type` (`CACHES`), `topic` and PubSub
//! `message_type` (`TOPICS`, the CHORUS topics), `check_name` and `reason` (`Check`),
//! `component` and `error_type` (`Component`), `task_type` (`TASK_TYPES`), `role` (`ROLES`,
//! CHORUS agent roles), `rule` (`SHHH_RULES`), `method` (`UCXI_METHODS`) and `mount_point`
//! (`/`, `/var/lib/CHORUS`). Where the document names values (`task_assignment`,
//! `CHORUS/tasks/v1`, `task_created`, `data_processing`, `admin`, `p2p-connectivity`,
//! `no_peers`, `dht`/`timeout`, `/var/lib/CHORUS`), they are among them.

use std::sync::Arc;
use std::time::Duration;

use super::election::{Election, State};
use super::errors::Errors;
use super::p2p::P2p;
use super::pubsub::Direction;
use super::shhh::Severity;
use super::slurp::Slurp;
use super::{Chorus, NodeInfo, Status};
use crate::workload::{
    ewma, libp2p_peer_id, stable_label, CpuMeter, Drive, Members, Population, Rng, Tick,
};

/// This node, as `chorus_system_info` shows it.
const NODE: NodeInfo<'static> = NodeInfo::new("node-1", env!("CARGO_PKG_VERSION"), "local", "demo");

/// CHORUS nodes in the cluster, this one included.
const CLUSTER_NODES: u32 = 5;

/// Spread (sigma of the log) of latencies: most within a factor of two of the median.
const LATENCY_SPREAD: f64 = 0.6;
/// Spread of message and content sizes, which vary more than latencies.
const SIZE_SPREAD: f64 = 1.0;
/// Median time a failed network operation takes: most failures are timeouts.
const TIMEOUT_LATENCY: f64 = 2.5;

// ---------------------------------------------------------------------------------------------
// P2P

/// Known libp2p peers: the other CHORUS nodes and DHT neighbours.
const PEERS: usize = 16;
/// Share of peers replaced per tick: about one new peer a minute.
const PEER_TURNOVER: f64 = 0.001;
/// Messages per second sent to each connected peer, and received from it.
const PEER_MESSAGE_RATE: f64 = 0.4;
/// Connections closed per connected peer per second: they last five minutes on average (the
/// connection manager trims them, peers restart).
const CONNECTION_CLOSE_RATE: f64 = 1.0 / 300.0;
/// Median seconds before a closed connection is redialled.
const REDIAL_DELAY: f64 = 3.0;
/// Seconds before a failed dial is retried.
const DIAL_BACKOFF: f64 = 5.0;
/// Share of dials that fail.
const DIAL_FAILURE: f64 = 0.05;
/// Seconds the libp2p host takes to start listening at boot, and the median delay of each
/// peer's first dial after that.
const HOST_STARTUP: f64 = 2.0;
const BOOT_DIAL_DELAY: f64 = 1.5;
/// Below this many connected peers the p2p health check fails.
const MIN_PEERS: usize = 3;

/// A kind of direct P2P message.
#[derive(Debug)]
struct P2pMessage {
    name: &'static str,
    /// Median round-trip latency, seconds.
    latency: f64,
    /// Median size, bytes.
    size: f64,
}

impl P2pMessage {
    const fn new(name: &'static str, latency: f64, size: f64) -> Self {
        Self {
            name,
            latency,
            size,
        }
    }
}

/// P2P message types (the document's `task_assignment` and `task_result`, context exchange,
/// pings) and their shares of the traffic.
const P2P_MESSAGES: &[(P2pMessage, f64)] = &[
    (P2pMessage::new("ping", 0.012, 64.0), 0.3),
    (P2pMessage::new("task_assignment", 0.035, 2048.0), 0.2),
    (P2pMessage::new("task_result", 0.045, 8192.0), 0.2),
    (P2pMessage::new("context_request", 0.05, 512.0), 0.15),
    (P2pMessage::new("context_response", 0.06, 16384.0), 0.15),
];

// ---------------------------------------------------------------------------------------------
// DHT

/// DHT puts per second.
const PUT_RATE: f64 = 1.5;
/// Share of puts that fail.
const PUT_FAILURE: f64 = 0.02;
/// Share of gets that fail.
const GET_FAILURE: f64 = 0.03;
/// Median latency of a successful put (it reaches several peers), seconds.
const PUT_LATENCY: f64 = 0.12;
/// Median latency of a successful get, seconds.
const GET_LATENCY: f64 = 0.045;
/// How DHT operations fail.
const DHT_ERRORS: &[(&str, f64)] = &[("timeout", 0.7), ("routing_failed", 0.3)];
/// Share of successful puts that store a new key (the rest refresh one).
const NEW_KEY_SHARE: f64 = 0.1;
/// Share of new keys this node also provides.
const PROVIDED_SHARE: f64 = 0.33;
/// Seconds a key or provider record lives without being republished.
const RECORD_LIFETIME: f64 = 3600.0;
/// Content keys and provider records at boot (the document's example values).
const BOOT_CONTENT_KEYS: i64 = 450;
const BOOT_PROVIDER_RECORDS: i64 = 150;
/// Hot keys whose replication is tracked (`key_hash`).
const TRACKED_KEYS: usize = 24;
/// Share of tracked keys replaced per tick.
const KEY_TURNOVER: f64 = 0.002;
/// Replicas the DHT keeps of a key.
const REPLICATION_TARGET: i64 = 3;
/// Replica changes per tracked key per second (a holder leaves, a key is re-replicated).
const REPLICA_CHANGE_RATE: f64 = 0.005;

/// Caches in front of the DHT: `cache_type`, lookups per second, hit ratio. The content cache's
/// misses become DHT gets.
const CACHES: &[(&str, f64, f64)] = &[
    ("content", 20.0, 0.7),
    ("provider", 4.0, 0.6),
    ("routing", 8.0, 0.9),
];

// ---------------------------------------------------------------------------------------------
// PubSub

/// A PubSub topic this node subscribes to.
#[derive(Debug)]
struct Topic {
    name: &'static str,
    /// Other nodes usually subscribed.
    subscribers: i64,
    /// Median delivery latency, seconds.
    latency: f64,
    /// Median message size, bytes.
    size: f64,
    /// Message types and how many each node publishes per second.
    messages: &'static [(&'static str, f64)],
}

/// The CHORUS topics (`CHORUS/tasks/v1` and its message types are the document's).
const TOPICS: &[Topic] = &[
    Topic {
        name: "CHORUS/coordination/v1",
        subscribers: 4,
        latency: 0.02,
        size: 600.0,
        messages: &[
            ("availability_broadcast", 0.1),
            ("capability_broadcast", 0.01),
            ("task_claim", 0.05),
        ],
    },
    Topic {
        name: "CHORUS/tasks/v1",
        subscribers: 4,
        latency: 0.025,
        size: 2048.0,
        messages: &[("task_created", 0.2), ("task_completed", 0.2)],
    },
    Topic {
        name: "hmmm/meta-discussion/v1",
        subscribers: 3,
        latency: 0.03,
        size: 4096.0,
        messages: &[("meta_discussion", 0.03)],
    },
    Topic {
        name: "CHORUS/context-feedback/v1",
        subscribers: 2,
        latency: 0.04,
        size: 12288.0,
        messages: &[("context_feedback", 0.05)],
    },
];
/// Share of publishes that fail.
const PUBLISH_FAILURE: f64 = 0.002;
/// Rate at which one of a topic's subscribers leaves (restarts), per second.
const SUBSCRIBER_LEAVE_RATE: f64 = 0.002;
/// Rate at which a topic missing a usual subscriber gets it back, per second.
const SUBSCRIBER_RETURN_RATE: f64 = 0.05;

// ---------------------------------------------------------------------------------------------
// Election

/// Median seconds spent looking for an admin before calling an election.
const DISCOVERY_TIME: f64 = 1.5;
/// Median seconds an election takes.
const ELECTION_LATENCY: f64 = 0.8;
/// Median seconds a new admin spends rebuilding the SLURP context.
const RECONSTRUCTION_TIME: f64 = 5.0;
/// Seconds `complete` shows before the node settles in `idle`.
const COMPLETE_HOLD: f64 = 1.0;
/// Seconds after boot when the other nodes are up and re-elect.
const REJOIN_ELECTION_AT: f64 = 30.0;
/// Elections per second once the cluster runs: about two an hour, below the document's
/// `FrequentLeadershipChanges` threshold of five.
const ELECTION_RATE: f64 = 1.0 / 1800.0;
/// Seconds between admin heartbeats.
const HEARTBEAT_INTERVAL: f64 = 2.0;
/// Share of heartbeats lost on the way.
const HEARTBEAT_LOSS: f64 = 0.005;

// ---------------------------------------------------------------------------------------------
// Tasks and SLURP

/// A kind of task.
#[derive(Debug)]
struct TaskType {
    name: &'static str,
    /// Median duration, seconds, and its spread.
    duration: f64,
    spread: f64,
}

impl TaskType {
    const fn new(name: &'static str, duration: f64, spread: f64) -> Self {
        Self {
            name,
            duration,
            spread,
        }
    }
}

/// Task types and their shares (`data_processing` is the document's: short, as in its sample).
const TASK_TYPES: &[(TaskType, f64)] = &[
    (TaskType::new("data_processing", 0.008, 1.0), 0.55),
    (TaskType::new("code_review", 1.5, 0.6), 0.15),
    (TaskType::new("code_generation", 4.0, 0.6), 0.1),
    (TaskType::new("testing", 2.5, 0.5), 0.15),
    (TaskType::new("documentation", 2.0, 0.6), 0.05),
];
/// Tasks run at once.
const TASK_WORKERS: usize = 8;
/// Tasks offered per second: about 45% more than 8 workers finish (1.3 s per task on average),
/// so the queue rarely empties.
const TASK_RATE: f64 = 9.0;
/// The node claims tasks while fewer than this many wait.
const TASK_QUEUE_LIMIT: usize = 30;
/// Share of tasks that fail.
const TASK_FAILURE: f64 = 0.04;
/// How tasks fail; `panic` is a recovered panic.
const TASK_ERRORS: &[(&str, f64)] = &[("execution_failed", 0.55), ("timeout", 0.25), (PANIC, 0.2)];
/// The `error_type` of a recovered panic, which also counts in `chorus_panics_total`.
const PANIC: &str = "panic";

/// Roles requesting SLURP contexts (CHORUS agent roles; `admin` is the document's) and their
/// shares.
const ROLES: &[(&str, f64)] = &[
    ("admin", 0.3),
    ("backend_developer", 0.2),
    ("frontend_developer", 0.15),
    ("senior_software_architect", 0.15),
    ("devops_engineer", 0.1),
    ("qa_engineer", 0.1),
];
/// Contexts generated at once.
const SLURP_WORKERS: usize = 4;
/// Median seconds to generate a context (an LLM call), and its spread.
const SLURP_TIME: f64 = 3.0;
const SLURP_SPREAD: f64 = 0.7;
/// Context requests per second: about 30% more than 4 workers finish (3.8 s on average).
const SLURP_RATE: f64 = 1.4;
/// Requests beyond this many waiting are merged with queued ones.
const SLURP_QUEUE_LIMIT: usize = 20;
/// Share of generations that fail.
const SLURP_FAILURE: f64 = 0.04;
const SLURP_ERRORS: &[(&str, f64)] = &[("generation_failed", 1.0)];

// ---------------------------------------------------------------------------------------------
// UCXI and SHHH

/// UCXI requests per second.
const UCXI_RATE: f64 = 4.0;
/// UCXI methods, their shares, and whether they resolve an address.
const UCXI_METHODS: &[((&str, bool), f64)] = &[
    (("get", true), 0.5),
    (("discover", true), 0.15),
    (("navigate", true), 0.1),
    (("put", false), 0.15),
    (("announce", false), 0.07),
    (("delete", false), 0.03),
];
/// Share of address resolutions the cache answers.
const UCXI_CACHE_HIT: f64 = 0.75;
/// Median resolution latency from the cache and from the DHT, seconds.
const UCXI_CACHED_LATENCY: f64 = 0.0008;
const UCXI_RESOLVED_LATENCY: f64 = 0.06;
/// Share of resolutions that go to the DHT and fail, and of other requests that fail.
const UCXI_MISS_FAILURE: f64 = 0.06;
const UCXI_WRITE_FAILURE: f64 = 0.01;
const UCXI_ERRORS: &[(&str, f64)] = &[("not_found", 0.7), ("timeout", 0.3)];
/// Median size of resolved content, bytes.
const UCXI_CONTENT_SIZE: f64 = 8192.0;

/// Scans with SHHH findings per second (outgoing content redacted).
const SHHH_FINDING_RATE: f64 = 0.1;
/// SHHH rules, the severity of their findings, and their shares: low-severity findings are
/// common, leaked keys rare.
const SHHH_RULES: &[((&str, Severity), f64)] = &[
    (("email-address", Severity::Low), 0.35),
    (("generic-api-key", Severity::Medium), 0.25),
    (("jwt-token", Severity::Medium), 0.15),
    (("github-token", Severity::High), 0.12),
    (("password-in-url", Severity::High), 0.08),
    (("aws-access-key", Severity::Critical), 0.03),
    (("private-key", Severity::Critical), 0.02),
];

// ---------------------------------------------------------------------------------------------
// Health, errors and resources

/// Seconds between two runs of a health check.
const CHECK_INTERVAL: f64 = 15.0;
/// Seconds between the first runs of consecutive checks, so they do not run together.
const CHECK_STAGGER: f64 = 2.0;
/// Share of runs a check without a model behind it fails.
const CHECK_FLAKINESS: f64 = 0.01;
/// A DHT score below this fails the DHT check: the document's alert fires above 10% failures.
const DHT_HEALTHY: f64 = 0.9;
/// Weight of the current tick in the moving component scores.
const SCORE_SMOOTHING: f64 = 0.1;
/// Disk usage above which the disk check fails (the document's `HighDiskUsage` threshold).
const DISK_FULL: f64 = 0.9;
/// Data volume usage with no content, and per stored content key (2.5 MiB of 50 GiB).
const DATA_VOLUME_BASE: f64 = 0.68;
const DATA_VOLUME_PER_KEY: f64 = 5e-5;
/// Root volume usage after log rotation, its growth per second from logs, and where logs rotate.
const ROOT_VOLUME_BASE: f64 = 0.41;
const ROOT_VOLUME_GROWTH: f64 = 1e-6;
const ROOT_VOLUME_ROTATE: f64 = 0.43;
/// The log volume, a small one that runs hot: its usage from boot, growth per second, and where
/// the nightly clean-up would bring it back. It crosses the 90% line for minutes at a time, so
/// the document's "Disk usage alert (>90%)" query and `HighDiskUsage` have something to show.
const LOG_VOLUME_START: f64 = 0.905;
const LOG_VOLUME_GROWTH: f64 = 1e-4;
const LOG_VOLUME_FULL: f64 = 0.95;
const LOG_VOLUME_CLEANED: f64 = 0.86;
/// Median bytes per second of DHT and gossip maintenance, each way.
const MAINTENANCE_BYTES: f64 = 4096.0;
/// Real seconds over which the CPU ratio averages the process's CPU time (its clock ticks are
/// 10 ms, too coarse for one second of a mostly idle process).
const CPU_WINDOW: f64 = 5.0;

/// A CHORUS component: the `component` label of health scores and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Component {
    P2p,
    Dht,
    PubSub,
    Election,
    Tasks,
    Slurp,
    Ucxi,
}

impl Component {
    const ALL: [Self; 7] = [
        Self::P2p,
        Self::Dht,
        Self::PubSub,
        Self::Election,
        Self::Tasks,
        Self::Slurp,
        Self::Ucxi,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::P2p => "p2p",
            Self::Dht => "dht",
            Self::PubSub => "pubsub",
            Self::Election => "election",
            Self::Tasks => "tasks",
            Self::Slurp => "slurp",
            Self::Ucxi => "ucxi",
        }
    }

    /// The `error_type`s the component counts in `chorus_errors_total`, with their shares.
    fn errors(self) -> &'static [(&'static str, f64)] {
        match self {
            Self::P2p => &[("dial_failed", 1.0)],
            Self::Dht => DHT_ERRORS,
            Self::PubSub => &[("publish_failed", 1.0)],
            Self::Election => &[],
            Self::Tasks => TASK_ERRORS,
            Self::Slurp => SLURP_ERRORS,
            Self::Ucxi => UCXI_ERRORS,
        }
    }
}

/// A health check (`check_name`; `database-connectivity` and `p2p-connectivity` are the
/// document's).
#[derive(Debug, Clone, Copy)]
enum Check {
    P2p,
    Dht,
    PubSub,
    Election,
    Disk,
    Database,
}

impl Check {
    const ALL: [Self; 6] = [
        Self::P2p,
        Self::Dht,
        Self::PubSub,
        Self::Election,
        Self::Disk,
        Self::Database,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::P2p => "p2p-connectivity",
            Self::Dht => "dht-health",
            Self::PubSub => "pubsub-health",
            Self::Election => "election-health",
            Self::Disk => "disk-space",
            Self::Database => "database-connectivity",
        }
    }

    /// Median seconds a run takes.
    fn duration(self) -> f64 {
        match self {
            Self::P2p => 0.02,
            Self::Dht => 0.05,
            Self::PubSub => 0.01,
            Self::Election => 0.001,
            Self::Disk => 0.0005,
            Self::Database => 0.005,
        }
    }

    /// Every `reason` it fails with (`no_peers` is the document's).
    fn reasons(self) -> &'static [&'static str] {
        match self {
            Self::P2p => &["no_peers", "insufficient_peers", "dial_timeout"],
            Self::Dht => &["high_failure_rate", "timeout"],
            Self::PubSub => &["publish_timeout"],
            Self::Election => &["no_leader"],
            Self::Disk => &["threshold_exceeded"],
            Self::Database => &["connection_refused", "timeout"],
        }
    }
}

/// `x` seconds as a [`Duration`].
fn secs(x: f64) -> Duration {
    Duration::from_secs_f64(x.max(0.0))
}

/// `Err` with one of `errors` (weighted) with probability `failure`, `Ok` otherwise.
fn attempt(
    rng: &mut Rng,
    failure: f64,
    errors: &'static [(&'static str, f64)],
) -> Result<(), &'static str> {
    if rng.chance(failure) {
        Err(*rng.weighted(errors))
    } else {
        Ok(())
    }
}

/// Times of a Poisson process at `per_second` within the tick that ends at `now`, in order.
fn arrivals(t: &mut Tick, now: f64, per_second: f64) -> Vec<f64> {
    let n = t.events(per_second);
    let mut times: Vec<f64> = (0..n).map(|_| now - t.dt * t.rng.unit()).collect();
    times.sort_by(f64::total_cmp);
    times
}

/// How many of `records` expire this tick.
fn expired(t: &mut Tick, records: i64) -> i64 {
    #[allow(clippy::cast_precision_loss)]
    let expiring = t.events(records as f64 / RECORD_LIFETIME);
    i64::try_from(expiring).unwrap_or(i64::MAX).min(records)
}

/// Lowercase hex digits.
const HEX: &[u8] = b"0123456789abcdef";

/// A libp2p peer this node knows.
#[derive(Debug)]
struct Peer {
    /// The `peer_id` label.
    id: String,
    /// When the current connection opened; `None` while disconnected.
    connected_since: Option<f64>,
    /// When to dial it next while disconnected.
    dial_at: f64,
    /// The score the peer tends to, and its current score.
    quality: f64,
    score: f64,
}

impl Peer {
    /// A peer met at `now`, first dialled about `dial_delay` seconds later; creates its series.
    fn join(p2p: &P2p, member: &str, rng: &mut Rng, now: f64, dial_delay: f64) -> Self {
        let dial_at = now + rng.lognormal(dial_delay, 0.5);
        let id = libp2p_peer_id(member);
        // Most peers are good; some are far away or overloaded.
        let quality = if rng.chance(0.15) {
            rng.range(0.3, 0.6)
        } else {
            rng.range(0.75, 0.98)
        };
        for (message, _) in P2P_MESSAGES {
            p2p.messages_sent_total(message.name, &id).inc_by(0);
            p2p.messages_received_total(message.name, &id).inc_by(0);
        }
        // The accessor creates the (empty) histogram.
        drop(p2p.connection_duration_seconds(&id));
        p2p.peer_score(&id).set(quality);
        Self {
            id,
            connected_since: None,
            dial_at,
            quality,
            score: quality,
        }
    }

    /// Removes the peer's series.
    fn leave(&self, p2p: &P2p) {
        p2p.remove_messages_sent_total_matching(None, Some(&self.id));
        p2p.remove_messages_received_total_matching(None, Some(&self.id));
        p2p.remove_connection_duration_seconds(&self.id);
        p2p.remove_peer_score(&self.id);
    }
}

/// A DHT key whose replication is tracked.
#[derive(Debug)]
struct Key {
    /// The `key_hash` label.
    hash: String,
    replicas: i64,
}

/// Who holds the admin role, as this node sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leader {
    Unknown,
    Us,
    Other,
}

/// The election as this node lives it.
#[derive(Debug)]
struct Vote {
    state: State,
    /// When the current (transient) state ends.
    until: f64,
    term: u64,
    leader: Leader,
    /// When the current leader was elected.
    leader_since: f64,
    /// Whether the election under way makes this node the admin, and how long it takes.
    winning: bool,
    latency: f64,
    /// When the next heartbeat is due.
    next_heartbeat: f64,
    /// When the other nodes are up and re-elect, until they have.
    rejoin_at: Option<f64>,
}

impl Vote {
    /// Booting: looking for an admin, which it will not find.
    fn boot(rng: &mut Rng) -> Self {
        Self {
            state: State::Discovering,
            until: rng.lognormal(DISCOVERY_TIME, 0.3),
            term: 0,
            leader: Leader::Unknown,
            leader_since: 0.0,
            winning: true,
            latency: 0.0,
            next_heartbeat: 0.0,
            rejoin_at: Some(REJOIN_ELECTION_AT),
        }
    }

    fn enter(&mut self, state: State, until: f64) {
        self.state = state;
        self.until = until;
    }

    /// Advances to `now`, counting what happens in `e` and `slurp`.
    fn advance(&mut self, t: &mut Tick, now: f64, e: &Election, slurp: &Slurp) {
        // Several short states may pass within one tick.
        while self.state != State::Idle && self.until <= now {
            match self.state {
                State::Discovering => self.call_election(self.until, &mut t.rng, e),
                State::Electing => {
                    e.observe_election_latency(secs(self.latency));
                    e.leadership_changes_total().inc();
                    self.leader_since = self.until;
                    if self.winning {
                        slurp.leadership_events_total().inc();
                        self.leader = Leader::Us;
                        let until = self.until + t.rng.lognormal(RECONSTRUCTION_TIME, 0.3);
                        self.enter(State::Reconstructing, until);
                    } else {
                        self.leader = Leader::Other;
                        self.enter(State::Complete, self.until + COMPLETE_HOLD);
                    }
                }
                State::Reconstructing => self.enter(State::Complete, self.until + COMPLETE_HOLD),
                State::Complete | State::Idle => {
                    self.next_heartbeat = self.until;
                    self.enter(State::Idle, self.until);
                }
            }
        }
        if self.state != State::Idle {
            return;
        }
        while self.next_heartbeat <= now {
            match self.leader {
                Leader::Us => e.heartbeats_sent_total().inc(),
                _ if t.rng.chance(HEARTBEAT_LOSS) => {}
                _ => e.heartbeats_received_total().inc(),
            }
            self.next_heartbeat += HEARTBEAT_INTERVAL;
        }
        let due = match self.rejoin_at {
            Some(at) => at <= now,
            None => t.rng.chance(ELECTION_RATE * t.dt),
        };
        if due {
            self.rejoin_at = None;
            if self.leader == Leader::Us {
                // A better-scored candidate: the admin steps down and the cluster votes.
                slurp.leadership_events_total().inc();
                self.winning = false;
                self.call_election(now, &mut t.rng, e);
            } else {
                // The admin's heartbeats stop: look for it, then vote.
                self.winning = t.rng.chance(1.0 / f64::from(CLUSTER_NODES - 1));
                self.leader = Leader::Unknown;
                let until = now + t.rng.lognormal(DISCOVERY_TIME, 0.3);
                self.enter(State::Discovering, until);
            }
        }
    }

    /// Starts an election at `at`: a new term.
    fn call_election(&mut self, at: f64, rng: &mut Rng, e: &Election) {
        self.leader = Leader::Unknown;
        self.term += 1;
        e.set_term(self.term);
        self.latency = rng.lognormal(ELECTION_LATENCY, 0.5);
        self.enter(State::Electing, at + self.latency);
    }
}

/// A job of a worker pool.
#[derive(Debug)]
struct Job {
    /// The task type or role.
    kind: &'static str,
    arrived: f64,
    start: f64,
    end: f64,
    /// Whether its queue wait was recorded.
    started: bool,
}

/// Workers fed by a bounded FIFO queue; jobs are simulated in continuous time.
#[derive(Debug)]
struct Pool {
    /// When each worker is next free.
    free_at: Vec<f64>,
    /// Jobs taken and not finished, in arrival order.
    jobs: Vec<Job>,
    queue_limit: usize,
}

impl Pool {
    fn new(workers: usize, queue_limit: usize) -> Self {
        Self {
            free_at: vec![f64::NEG_INFINITY; workers],
            jobs: Vec::new(),
            queue_limit,
        }
    }

    /// Jobs waiting at `at`.
    fn queued(&self, at: f64) -> usize {
        self.jobs.iter().filter(|j| j.start > at).count()
    }

    /// Jobs running at `at`.
    fn active(&self, at: f64) -> usize {
        self.jobs
            .iter()
            .filter(|j| j.start <= at && at < j.end)
            .count()
    }

    /// Takes a job of `kind` arriving at `arrived` and running `duration` seconds, unless
    /// `queue_limit` jobs already wait; says whether it was taken.
    fn offer(&mut self, kind: &'static str, arrived: f64, duration: f64) -> bool {
        if self.queued(arrived) >= self.queue_limit {
            return false;
        }
        let Some(worker) = self.free_at.iter_mut().min_by(|a, b| a.total_cmp(b)) else {
            return false;
        };
        let start = arrived.max(*worker);
        *worker = start + duration;
        self.jobs.push(Job {
            kind,
            arrived,
            start,
            end: start + duration,
            started: false,
        });
        true
    }

    /// Queue waits of the jobs that started by `now` since the last call.
    fn started(&mut self, now: f64) -> Vec<f64> {
        let mut waits = Vec::new();
        for job in self
            .jobs
            .iter_mut()
            .filter(|j| !j.started && j.start <= now)
        {
            job.started = true;
            waits.push(job.start - job.arrived);
        }
        waits
    }

    /// Removes and returns the jobs finished by `now`.
    fn finished(&mut self, now: f64) -> Vec<Job> {
        let (done, running) = std::mem::take(&mut self.jobs)
            .into_iter()
            .partition(|j| j.end <= now);
        self.jobs = running;
        done
    }
}

/// Outcomes of operations, per component: they count failures in `chorus_errors_total` (and
/// recovered panics in `chorus_panics_total`) and feed the component health scores.
#[derive(Debug)]
struct Outcomes {
    errors: Arc<Errors>,
    /// Successes and failures per component since the scores were last updated.
    tally: [(u64, u64); Component::ALL.len()],
}

impl Outcomes {
    fn record(&mut self, component: Component, outcome: Result<(), &str>) {
        let tally = &mut self.tally[component as usize];
        match outcome {
            Ok(()) => tally.0 += 1,
            Err(error_type) => {
                tally.1 += 1;
                self.errors.errors_total(component.name(), error_type).inc();
                if error_type == PANIC {
                    self.errors.panics_total().inc();
                }
            }
        }
    }

    /// Success ratio of `component` since the last call, if it did anything.
    fn take_ratio(&mut self, component: Component) -> Option<f64> {
        let (ok, failed) = std::mem::take(&mut self.tally[component as usize]);
        #[allow(clippy::cast_precision_loss)]
        (ok + failed > 0).then(|| ok as f64 / (ok + failed) as f64)
    }
}

/// Bytes the simulated traffic carried this tick.
#[derive(Debug, Default)]
struct Traffic {
    bytes_in: f64,
    bytes_out: f64,
}

/// The chorus workload.
#[derive(Debug)]
pub struct Workload {
    m: Chorus,
    /// Seconds since boot: the sum of the ticks' lengths.
    clock: f64,
    peers: Members<Peer>,
    keys: Members<Key>,
    content_keys: i64,
    provider_records: i64,
    /// Other nodes subscribed to each of [`TOPICS`].
    subscribers: Vec<i64>,
    vote: Vote,
    tasks: Pool,
    contexts: Pool,
    /// When each of [`Check::ALL`] runs next.
    next_check: Vec<f64>,
    /// Moving health scores of [`Component::ALL`].
    scores: [f64; Component::ALL.len()],
    outcomes: Outcomes,
    traffic: Traffic,
    cpu: CpuMeter,
    uptime: f64,
    root_volume: f64,
    log_volume: f64,
}

impl Workload {
    /// A workload driving `m`, from the node's boot; sets `chorus_system_info`.
    pub fn new(m: Chorus) -> Self {
        m.system.set_info(&NODE);
        let mut rng = Rng::new(0xC0_4D05);
        let p2p = &m.p2p;
        let peers = Members::new(Population::new("peer", PEERS, PEER_TURNOVER), |member| {
            Peer::join(p2p, member, &mut rng, HOST_STARTUP, BOOT_DIAL_DELAY)
        });
        let keys = Members::new(
            Population::new("key", TRACKED_KEYS, KEY_TURNOVER),
            |member| Self::track_key(&m, member, &mut rng),
        );
        Self::create_series(&m);
        let vote = Vote::boot(&mut rng);
        m.election.set_state(vote.state);
        Self {
            peers,
            keys,
            content_keys: BOOT_CONTENT_KEYS,
            provider_records: BOOT_PROVIDER_RECORDS,
            subscribers: TOPICS.iter().map(|t| t.subscribers).collect(),
            vote,
            tasks: Pool::new(TASK_WORKERS, TASK_QUEUE_LIMIT),
            contexts: Pool::new(SLURP_WORKERS, SLURP_QUEUE_LIMIT),
            next_check: (0..Check::ALL.len())
                .map(|i| i as f64 * CHECK_STAGGER)
                .collect(),
            scores: [1.0; Component::ALL.len()],
            outcomes: Outcomes {
                errors: m.errors.clone(),
                tally: Default::default(),
            },
            traffic: Traffic::default(),
            cpu: CpuMeter::new(CPU_WINDOW),
            uptime: 0.0,
            root_volume: ROOT_VOLUME_BASE,
            log_volume: LOG_VOLUME_START,
            clock: 0.0,
            m,
        }
    }

    /// Creates the series of every fixed label combination, so the series count does not grow
    /// as rare combinations first occur.
    fn create_series(m: &Chorus) {
        for (cache, ..) in CACHES {
            m.dht.cache_hits_total(cache).inc_by(0);
            m.dht.cache_misses_total(cache).inc_by(0);
        }
        for topic in TOPICS {
            for (kind, _) in topic.messages {
                m.pubsub
                    .messages_total(topic.name, Direction::Sent, kind)
                    .inc_by(0);
                m.pubsub
                    .messages_total(topic.name, Direction::Received, kind)
                    .inc_by(0);
            }
            drop(m.pubsub.message_latency_seconds(topic.name));
            drop(m.pubsub.message_size_bytes(topic.name));
        }
        for check in Check::ALL {
            m.health.health_checks_passed_total(check.name()).inc_by(0);
            for reason in check.reasons() {
                m.health
                    .health_checks_failed_total(check.name(), reason)
                    .inc_by(0);
            }
        }
        for component in Component::ALL {
            for (error_type, _) in component.errors() {
                m.errors
                    .errors_total(component.name(), error_type)
                    .inc_by(0);
            }
        }
        for (task, _) in TASK_TYPES {
            for status in [Status::Success, Status::Failure] {
                m.tasks.tasks_completed_total(status, task.name).inc_by(0);
                drop(m.tasks.task_duration_seconds(task.name, status));
            }
        }
        for (role, _) in ROLES {
            m.slurp
                .contexts_generated_total(role, Status::Success)
                .inc_by(0);
        }
        for ((method, _), _) in UCXI_METHODS {
            m.ucxi.requests_total(method, Status::Success).inc_by(0);
        }
        for ((rule, severity), _) in SHHH_RULES {
            m.shhh.findings_total(rule, *severity).inc_by(0);
        }
    }

    /// A tracked key: usually at its replication target; creates its series.
    fn track_key(m: &Chorus, member: &str, rng: &mut Rng) -> Key {
        let hash = stable_label(member, "", HEX, 16);
        let replicas = REPLICATION_TARGET + *rng.weighted(&[(0, 0.8), (-1, 0.12), (1, 0.08)]);
        #[allow(clippy::cast_precision_loss)]
        m.dht.replication_factor(&hash).set(replicas as f64);
        Key { hash, replicas }
    }

    fn connected_peers(&self) -> usize {
        self.peers
            .iter()
            .filter(|p| p.connected_since.is_some())
            .count()
    }

    fn p2p(&mut self, t: &mut Tick) {
        let p2p = &self.m.p2p;
        let now = self.clock;
        for peer in self.peers.churn(&mut t.rng, |member, rng| {
            Peer::join(p2p, member, rng, now, REDIAL_DELAY)
        }) {
            peer.leave(p2p);
        }
        for peer in self.peers.iter_mut() {
            match peer.connected_since {
                Some(since) if t.rng.chance(CONNECTION_CLOSE_RATE * t.dt) => {
                    p2p.observe_connection_duration(&peer.id, secs(now - since));
                    peer.connected_since = None;
                    peer.dial_at = now + t.rng.lognormal(REDIAL_DELAY, 0.5);
                }
                Some(_) => {
                    for _ in 0..t.events(PEER_MESSAGE_RATE) {
                        let message = t.rng.weighted(P2P_MESSAGES);
                        p2p.messages_sent_total(message.name, &peer.id).inc();
                        let latency = t.rng.lognormal(message.latency, LATENCY_SPREAD);
                        p2p.observe_message_latency(message.name, secs(latency));
                        self.traffic.bytes_out += t.rng.lognormal(message.size, SIZE_SPREAD);
                    }
                    for _ in 0..t.events(PEER_MESSAGE_RATE) {
                        let message = t.rng.weighted(P2P_MESSAGES);
                        p2p.messages_received_total(message.name, &peer.id).inc();
                        self.traffic.bytes_in += t.rng.lognormal(message.size, SIZE_SPREAD);
                    }
                }
                None if peer.dial_at <= now => {
                    let outcome = attempt(&mut t.rng, DIAL_FAILURE, Component::P2p.errors());
                    if outcome.is_ok() {
                        peer.connected_since = Some(now);
                    } else {
                        peer.dial_at = now + DIAL_BACKOFF;
                    }
                    self.outcomes.record(Component::P2p, outcome);
                }
                None => {}
            }
            // The score drifts back to the peer's quality.
            let pulled = ewma(peer.score, peer.quality, 0.05 * t.dt);
            peer.score = (pulled + 0.01 * t.rng.normal()).clamp(0.0, 1.0);
            p2p.peer_score(&peer.id).set(peer.score);
        }
        let connected = self.connected_peers();
        p2p.connected_peers().set(connected as i64);
    }

    fn dht(&mut self, t: &mut Tick) {
        let dht = &self.m.dht;
        for key in self.keys.churn(&mut t.rng, |member, rng| {
            Self::track_key(&self.m, member, rng)
        }) {
            dht.remove_replication_factor(&key.hash);
        }
        for key in self.keys.iter_mut() {
            if t.rng.chance(REPLICA_CHANGE_RATE * t.dt) {
                // Back to the target when off it; at the target a holder leaves, or a new one
                // takes a copy.
                key.replicas += match key.replicas.cmp(&REPLICATION_TARGET) {
                    std::cmp::Ordering::Less => 1,
                    std::cmp::Ordering::Greater => -1,
                    std::cmp::Ordering::Equal if t.rng.chance(0.8) => -1,
                    std::cmp::Ordering::Equal => 1,
                };
                #[allow(clippy::cast_precision_loss)]
                dht.replication_factor(&key.hash).set(key.replicas as f64);
            }
        }

        let mut gets = 0;
        for &(cache, rate, hit_ratio) in CACHES {
            for _ in 0..t.events(rate) {
                let hit = t.rng.chance(hit_ratio);
                dht.record_cache_lookup(cache, hit);
                gets += u64::from(!hit && cache == "content");
            }
        }
        for _ in 0..gets {
            let outcome = attempt(&mut t.rng, GET_FAILURE, DHT_ERRORS);
            let latency = if outcome.is_ok() {
                self.traffic.bytes_in += t.rng.lognormal(2048.0, SIZE_SPREAD);
                t.rng.lognormal(GET_LATENCY, LATENCY_SPREAD)
            } else {
                t.rng.lognormal(TIMEOUT_LATENCY, 0.4)
            };
            dht.record_get(Status::from(&outcome), secs(latency));
            self.outcomes.record(Component::Dht, outcome);
        }
        let mut new_keys = 0;
        for _ in 0..t.events(PUT_RATE) {
            let outcome = attempt(&mut t.rng, PUT_FAILURE, DHT_ERRORS);
            let latency = if outcome.is_ok() {
                self.traffic.bytes_out += t.rng.lognormal(2048.0, SIZE_SPREAD);
                new_keys += i64::from(t.rng.chance(NEW_KEY_SHARE));
                t.rng.lognormal(PUT_LATENCY, LATENCY_SPREAD)
            } else {
                t.rng.lognormal(TIMEOUT_LATENCY, 0.4)
            };
            dht.record_put(Status::from(&outcome), secs(latency));
            self.outcomes.record(Component::Dht, outcome);
        }
        let new_provided = (0..new_keys)
            .filter(|_| t.rng.chance(PROVIDED_SHARE))
            .count() as i64;
        self.content_keys += new_keys - expired(t, self.content_keys);
        self.provider_records += new_provided - expired(t, self.provider_records);
        dht.content_keys().set(self.content_keys);
        dht.provider_records().set(self.provider_records);
    }

    fn pubsub(&mut self, t: &mut Tick) {
        let ps = &self.m.pubsub;
        for (topic, subscribers) in TOPICS.iter().zip(&mut self.subscribers) {
            if *subscribers < topic.subscribers && t.rng.chance(SUBSCRIBER_RETURN_RATE * t.dt) {
                *subscribers += 1;
            } else if *subscribers > 1 && t.rng.chance(SUBSCRIBER_LEAVE_RATE * t.dt) {
                *subscribers -= 1;
            }
            ps.subscribers(topic.name).set(*subscribers);
            for &(kind, rate) in topic.messages {
                for _ in 0..t.events(rate) {
                    let outcome = attempt(&mut t.rng, PUBLISH_FAILURE, Component::PubSub.errors());
                    if outcome.is_ok() {
                        ps.messages_total(topic.name, Direction::Sent, kind).inc();
                        let size = t.rng.lognormal(topic.size, SIZE_SPREAD);
                        ps.message_size_bytes(topic.name).observe(size.round());
                        self.traffic.bytes_out += size;
                    }
                    self.outcomes.record(Component::PubSub, outcome);
                }
                // Every other subscriber publishes at the same rate.
                #[allow(clippy::cast_precision_loss)]
                let others = *subscribers as f64;
                for _ in 0..t.events(rate * others) {
                    ps.messages_total(topic.name, Direction::Received, kind)
                        .inc();
                    let size = t.rng.lognormal(topic.size, SIZE_SPREAD);
                    ps.message_size_bytes(topic.name).observe(size.round());
                    let latency = t.rng.lognormal(topic.latency, LATENCY_SPREAD);
                    ps.observe_message_latency(topic.name, secs(latency));
                    self.traffic.bytes_in += size;
                }
            }
        }
        ps.topics().set(TOPICS.len() as i64);
    }

    fn election(&mut self, t: &mut Tick) {
        let e = &self.m.election;
        self.vote.advance(t, self.clock, e, &self.m.slurp);
        e.set_state(self.vote.state);
        let tenure = match self.vote.leader {
            Leader::Unknown => 0.0,
            Leader::Us | Leader::Other => self.clock - self.vote.leader_since,
        };
        e.leader_uptime_seconds().set(tenure.max(0.0));
    }

    fn tasks(&mut self, t: &mut Tick) {
        let tasks = &self.m.tasks;
        let now = self.clock;
        for arrived in arrivals(t, now, TASK_RATE) {
            let task = t.rng.weighted(TASK_TYPES);
            let duration = t.rng.lognormal(task.duration, task.spread);
            self.tasks.offer(task.name, arrived, duration);
        }
        for wait in self.tasks.started(now) {
            tasks.observe_queue_wait(secs(wait));
        }
        for job in self.tasks.finished(now) {
            let outcome = attempt(&mut t.rng, TASK_FAILURE, TASK_ERRORS);
            tasks.record_completed(job.kind, Status::from(&outcome), secs(job.end - job.start));
            self.outcomes.record(Component::Tasks, outcome);
        }
        tasks.tasks_active().set(self.tasks.active(now) as i64);
        tasks.tasks_queued().set(self.tasks.queued(now) as i64);
    }

    fn slurp(&mut self, t: &mut Tick) {
        let slurp = &self.m.slurp;
        let now = self.clock;
        for arrived in arrivals(t, now, SLURP_RATE) {
            let role = *t.rng.weighted(ROLES);
            let duration = t.rng.lognormal(SLURP_TIME, SLURP_SPREAD);
            self.contexts.offer(role, arrived, duration);
        }
        self.contexts.started(now);
        for job in self.contexts.finished(now) {
            let outcome = attempt(&mut t.rng, SLURP_FAILURE, SLURP_ERRORS);
            slurp.record_generation(job.kind, Status::from(&outcome), secs(job.end - job.start));
            self.outcomes.record(Component::Slurp, outcome);
        }
        slurp.active_jobs().set(self.contexts.active(now) as i64);
        slurp.queue_length().set(self.contexts.queued(now) as i64);
    }

    fn ucxi(&mut self, t: &mut Tick) {
        let ucxi = &self.m.ucxi;
        for _ in 0..t.events(UCXI_RATE) {
            let &(method, resolves) = t.rng.weighted(UCXI_METHODS);
            let outcome = if resolves {
                let hit = t.rng.chance(UCXI_CACHE_HIT);
                ucxi.record_cache_lookup(hit);
                let (latency, failure) = if hit {
                    (UCXI_CACHED_LATENCY, 0.0)
                } else {
                    (UCXI_RESOLVED_LATENCY, UCXI_MISS_FAILURE)
                };
                let outcome = attempt(&mut t.rng, failure, UCXI_ERRORS);
                ucxi.observe_resolution_latency(secs(t.rng.lognormal(latency, LATENCY_SPREAD)));
                if outcome.is_ok() {
                    let size = t.rng.lognormal(UCXI_CONTENT_SIZE, 1.3);
                    ucxi.observe_content_size(size as usize);
                    self.traffic.bytes_out += size;
                }
                outcome
            } else {
                attempt(&mut t.rng, UCXI_WRITE_FAILURE, UCXI_ERRORS)
            };
            ucxi.requests_total(method, Status::from(&outcome)).inc();
            self.outcomes.record(Component::Ucxi, outcome);
        }
    }

    fn shhh(&mut self, t: &mut Tick) {
        for _ in 0..t.events(SHHH_FINDING_RATE) {
            let &(rule, severity) = t.rng.weighted(SHHH_RULES);
            let count = 1 + t.rng.poisson(0.3);
            self.m.shhh.record_findings(rule, severity, count);
        }
    }

    fn resources(&mut self, t: &mut Tick) {
        let r = &self.m.resources;
        let p = t.process;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        r.set_memory_usage(p.resident_bytes as u64);
        #[allow(clippy::cast_possible_truncation)]
        r.goroutines().set(p.threads as i64);
        if let Some(ratio) = self.cpu.update(&p) {
            r.cpu_usage_ratio().set(ratio);
        }

        self.root_volume += ROOT_VOLUME_GROWTH * t.dt;
        if self.root_volume > ROOT_VOLUME_ROTATE {
            self.root_volume = ROOT_VOLUME_BASE;
        }
        r.disk_usage_ratio("/").set(self.root_volume);
        self.log_volume += LOG_VOLUME_GROWTH * t.dt;
        if self.log_volume > LOG_VOLUME_FULL {
            self.log_volume = LOG_VOLUME_CLEANED;
        }
        r.disk_usage_ratio("/var/log").set(self.log_volume);
        #[allow(clippy::cast_precision_loss)]
        let data = DATA_VOLUME_BASE + self.content_keys as f64 * DATA_VOLUME_PER_KEY;
        r.disk_usage_ratio("/var/lib/CHORUS")
            .set(data.clamp(0.0, 1.0));

        let traffic = std::mem::take(&mut self.traffic);
        let maintenance = MAINTENANCE_BYTES * t.dt;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            let bytes_in = traffic.bytes_in + t.rng.lognormal(maintenance, 0.3);
            let bytes_out = traffic.bytes_out + t.rng.lognormal(maintenance, 0.3);
            r.network_bytes_in_total().inc_by(bytes_in as u64);
            r.network_bytes_out_total().inc_by(bytes_out as u64);
        }
    }

    /// The largest disk usage ratio.
    fn fullest_disk(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let data = DATA_VOLUME_BASE + self.content_keys as f64 * DATA_VOLUME_PER_KEY;
        data.max(self.root_volume).max(self.log_volume)
    }

    /// The outcome of one run of `check` now.
    fn check(&self, check: Check, rng: &mut Rng) -> Result<(), &'static str> {
        let flaky = rng.chance(CHECK_FLAKINESS);
        match check {
            Check::P2p => match self.connected_peers() {
                0 => Err("no_peers"),
                n if n < MIN_PEERS => Err("insufficient_peers"),
                _ if flaky => Err("dial_timeout"),
                _ => Ok(()),
            },
            Check::Dht if self.scores[Component::Dht as usize] < DHT_HEALTHY => {
                Err("high_failure_rate")
            }
            Check::Election if self.vote.leader == Leader::Unknown => Err("no_leader"),
            Check::Disk if self.fullest_disk() > DISK_FULL => Err("threshold_exceeded"),
            Check::Dht if flaky => Err("timeout"),
            Check::PubSub if flaky => Err("publish_timeout"),
            Check::Database if flaky => Err(*rng.pick(Check::Database.reasons())),
            _ => Ok(()),
        }
    }

    fn health(&mut self, t: &mut Tick) {
        let health = &self.m.health;
        let now = self.clock;
        for (i, check) in Check::ALL.into_iter().enumerate() {
            while self.next_check[i] <= now {
                self.next_check[i] += CHECK_INTERVAL;
                let outcome = self.check(check, &mut t.rng);
                let duration = t.rng.lognormal(check.duration(), LATENCY_SPREAD);
                health.record_check(check.name(), outcome, secs(duration));
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let connected = self.connected_peers() as f64 / PEERS as f64;
        for component in Component::ALL {
            let current = match component {
                Component::P2p => Some(connected),
                Component::Election => {
                    Some(f64::from(u8::from(self.vote.leader != Leader::Unknown)))
                }
                _ => self.outcomes.take_ratio(component),
            };
            let score = &mut self.scores[component as usize];
            if let Some(current) = current {
                *score = ewma(*score, current, SCORE_SMOOTHING);
            }
            health.component_health_score(component.name()).set(*score);
        }
        #[allow(clippy::cast_precision_loss)]
        let system = self.scores.iter().sum::<f64>() / self.scores.len() as f64;
        health.system_health_score().set(system);
    }
}

impl Drive for Workload {
    fn step(&mut self, t: &mut Tick) {
        self.clock += t.dt;
        self.p2p(t);
        self.dht(t);
        self.pubsub(t);
        self.election(t);
        self.tasks(t);
        self.slurp(t);
        self.ucxi(t);
        self.shhh(t);
        self.health(t);
        self.resources(t);
        self.uptime = self.uptime.max(t.process.uptime_seconds);
        self.m.system.uptime_seconds().set(self.uptime);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::workload::testing::{Sim, Snapshot};
    use crate::workload::{ProcessStats, BASE58};

    fn state_names() -> Vec<&'static str> {
        Election::STATES
            .iter()
            .map(|s| promdecl::LabelValue::as_str(*s))
            .collect()
    }

    #[test]
    fn info_is_set_once_for_this_node() {
        let mut sim = Sim::new("chorus");
        let info = [
            "node-1",
            env!("CARGO_PKG_VERSION"),
            super::super::system::RUST_VERSION,
            "local",
            "demo",
        ];
        for ticks in [0, 60] {
            let s = sim.ticks(ticks);
            assert_eq!(s.family("chorus_system_info").len(), 1);
            assert_eq!(s.get("chorus_system_info", &info), 1.0);
        }
    }

    #[test]
    fn the_election_is_one_hot_and_its_term_only_grows() {
        let mut sim = Sim::new("chorus");
        let mut seen = BTreeSet::new();
        let mut before = sim.ticks(0);
        let mut previous = String::from("discovering");
        for n in 1..=600 {
            let s = sim.ticks(1);
            let states = s.family("chorus_election_state");
            assert_eq!(states.len(), 5);
            assert!(
                states.values().all(|v| *v == 0.0 || *v == 1.0),
                "{states:?}"
            );
            assert_eq!(states.values().sum::<f64>(), 1.0, "tick {n}: {states:?}");
            let (state, _) = states.iter().find(|(_, v)| **v == 1.0).unwrap();
            seen.insert(state[0].clone());

            let term = s.get("chorus_election_term", &[]);
            let changes = s.get("chorus_leadership_changes_total", &[]);
            assert!(term >= before.get("chorus_election_term", &[]), "tick {n}");
            // A term opens when an election starts and counts as a change once it completes.
            assert!(
                changes == term || changes + 1.0 == term,
                "tick {n}: {changes} changes, term {term}"
            );
            assert_eq!(s.get("chorus_election_latency_seconds", &[]), changes);
            assert!(s.get("chorus_leader_uptime_seconds", &[]) >= 0.0);

            // Heartbeats flow only while idle: the admin sends them, a follower receives them.
            let sent = s.get("chorus_heartbeats_sent_total", &[])
                - before.get("chorus_heartbeats_sent_total", &[]);
            let received = s.get("chorus_heartbeats_received_total", &[])
                - before.get("chorus_heartbeats_received_total", &[]);
            assert!(sent == 0.0 || received == 0.0, "tick {n}");
            if sent + received > 0.0 {
                // Idle at the end of the tick, or until an election started within it.
                assert!(
                    state[0] == "idle" || previous == "idle",
                    "tick {n}: {previous} -> {}",
                    state[0]
                );
            }
            previous.clone_from(&state[0]);
            if n == 60 {
                assert_eq!(term, 2.0, "boot election, then the rejoin election");
                assert!(s.get("chorus_heartbeats_sent_total", &[]) > 0.0);
                assert!(s.get("chorus_heartbeats_received_total", &[]) > 0.0);
                assert_eq!(s.get("chorus_slurp_leadership_events_total", &[]), 2.0);
                assert_eq!(seen.len(), 5, "every state in the first minute: {seen:?}");
            }
            before = s;
        }
        assert_eq!(seen, state_names().into_iter().map(String::from).collect());
    }

    #[test]
    fn the_values_the_document_queries_occur_within_a_minute() {
        let s = Sim::new("chorus").ticks(60);
        // DHT success rate and the HighDHTFailureRate alert.
        for status in ["success", "failure"] {
            assert!(
                s.get("chorus_dht_get_operations_total", &[status]) > 0.0,
                "{status}"
            );
            assert!(
                s.get("chorus_dht_put_operations_total", &[status]) > 0.0,
                "{status}"
            );
            for op in ["put", "get"] {
                assert!(s.get("chorus_dht_operation_latency_seconds", &[op, status]) > 0.0);
            }
            // Task success rate.
            assert!(
                s.sum_where("chorus_tasks_completed_total", 0, status) > 0.0,
                "{status}"
            );
            assert!(
                s.sum_where("chorus_task_duration_seconds", 1, status) > 0.0,
                "{status}"
            );
        }
        // The document's own label values.
        assert!(
            s.get(
                "chorus_tasks_completed_total",
                &["success", "data_processing"]
            ) > 0.0
        );
        assert!(s.sum_where("chorus_pubsub_messages_total", 0, "CHORUS/tasks/v1") > 0.0);
        assert!(
            s.get(
                "chorus_pubsub_messages_total",
                &["CHORUS/tasks/v1", "sent", "task_created"]
            ) > 0.0
        );
        assert!(s.sum_where("chorus_p2p_messages_sent_total", 0, "task_assignment") > 0.0);
        assert!(s.sum_where("chorus_p2p_messages_received_total", 0, "task_result") > 0.0);
        assert!(
            s.get(
                "chorus_health_checks_failed_total",
                &["p2p-connectivity", "no_peers"]
            ) > 0.0
        );
        assert!(s.get("chorus_errors_total", &["dht", "timeout"]) > 0.0);
        assert!(s.sum_where("chorus_slurp_contexts_generated_total", 0, "admin") > 0.0);
        assert!(s
            .family("chorus_disk_usage_ratio")
            .contains_key(&vec!["/var/lib/CHORUS".to_string()]));
        // Health check failure rate; every state for `sum by (state)`.
        assert!(s.sum("chorus_health_checks_failed_total") > 0.0);
        assert_eq!(s.family("chorus_election_state").len(), 5);
    }

    #[test]
    fn paired_metrics_agree() {
        let s = Sim::new("chorus").ticks(600);
        let errors = |component| s.sum_where("chorus_errors_total", 0, component);
        let failures = |name, at| s.sum_where(name, at, "failure");
        assert_eq!(
            errors("dht"),
            failures("chorus_dht_get_operations_total", 0)
                + failures("chorus_dht_put_operations_total", 0)
        );
        assert_eq!(errors("tasks"), failures("chorus_tasks_completed_total", 0));
        assert_eq!(
            errors("slurp"),
            failures("chorus_slurp_contexts_generated_total", 1)
        );
        assert_eq!(errors("ucxi"), failures("chorus_ucxi_requests_total", 1));
        assert_eq!(
            s.get("chorus_errors_total", &["tasks", "panic"]),
            s.get("chorus_panics_total", &[])
        );
        assert!(s.get("chorus_panics_total", &[]) > 0.0);
        // The content cache's misses are the DHT gets.
        assert_eq!(
            s.get("chorus_dht_cache_misses_total", &["content"]),
            s.sum("chorus_dht_get_operations_total")
        );
        for op in ["put", "get"] {
            for status in ["success", "failure"] {
                assert_eq!(
                    s.get("chorus_dht_operation_latency_seconds", &[op, status]),
                    s.get(&format!("chorus_dht_{op}_operations_total"), &[status])
                );
            }
        }
        // Every completion has its duration; every check run its duration.
        assert_eq!(
            s.sum("chorus_tasks_completed_total"),
            s.sum("chorus_task_duration_seconds")
        );
        assert_eq!(
            s.sum("chorus_slurp_contexts_generated_total"),
            s.get("chorus_slurp_generation_time_seconds", &[])
        );
        for check in Check::ALL {
            let name = check.name();
            assert_eq!(
                s.get("chorus_health_checks_passed_total", &[name])
                    + s.sum_where("chorus_health_checks_failed_total", 0, name),
                s.get("chorus_health_check_duration_seconds", &[name]),
                "{name}"
            );
        }
        // UCXI: every resolution is a cache lookup.
        assert_eq!(
            s.get("chorus_ucxi_cache_hits_total", &[])
                + s.get("chorus_ucxi_cache_misses_total", &[]),
            s.get("chorus_ucxi_resolution_latency_seconds", &[])
        );
    }

    #[test]
    fn values_stay_in_their_ranges_and_labels_look_real() {
        let mut sim = Sim::new("chorus");
        for _ in 0..10 {
            let s = sim.ticks(60);
            for name in [
                "chorus_p2p_peer_score",
                "chorus_component_health_score",
                "chorus_system_health_score",
                "chorus_cpu_usage_ratio",
                "chorus_disk_usage_ratio",
            ] {
                for (labels, v) in s.family(name) {
                    assert!((0.0..=1.0).contains(v), "{name}{labels:?} = {v}");
                }
            }
            for (labels, v) in s.family("chorus_dht_replication_factor") {
                assert!(
                    (1.0..=5.0).contains(v) && v.fract() == 0.0,
                    "{labels:?} = {v}"
                );
                assert!(labels[0].len() == 16 && labels[0].bytes().all(|b| HEX.contains(&b)));
            }
            for labels in s.family("chorus_p2p_peer_score").keys() {
                let id = &labels[0];
                assert!(id.starts_with("12D3KooW") && id.len() == 52, "{id}");
                assert!(id.bytes().all(|b| BASE58.contains(&b)), "{id}");
            }
            for labels in s.family("chorus_errors_total").keys() {
                let declared = Component::ALL.iter().any(|c| {
                    c.name() == labels[0] && c.errors().iter().any(|(e, _)| *e == labels[1])
                });
                assert!(declared, "undeclared error {labels:?}");
            }
            for labels in s.family("chorus_health_checks_failed_total").keys() {
                let declared = Check::ALL
                    .iter()
                    .any(|c| c.name() == labels[0] && c.reasons().contains(&labels[1].as_str()));
                assert!(declared, "undeclared reason {labels:?}");
            }
            assert_eq!(s.family("chorus_p2p_peer_score").len(), PEERS);
            assert_eq!(
                s.family("chorus_dht_replication_factor").len(),
                TRACKED_KEYS
            );
            let peers = s.get("chorus_p2p_connected_peers", &[]);
            assert!((0.0..=PEERS as f64).contains(&peers));
            assert!(s.get("chorus_tasks_active", &[]) <= TASK_WORKERS as f64);
            assert!(s.get("chorus_tasks_queued", &[]) <= TASK_QUEUE_LIMIT as f64);
            assert!(s.get("chorus_slurp_active_jobs", &[]) <= SLURP_WORKERS as f64);
            assert!(s.get("chorus_slurp_queue_length", &[]) <= SLURP_QUEUE_LIMIT as f64);
            assert_eq!(s.get("chorus_pubsub_topics", &[]), TOPICS.len() as f64);
        }
    }

    #[test]
    fn every_family_moves_in_the_first_minute_and_series_stay_flat() {
        let mut sim = Sim::new("chorus");
        let warm = sim.ticks(60);
        let idle = warm.idle(&[]);
        assert!(idle.is_empty(), "families that never moved: {idle:?}");
        assert_eq!(warm.families().len(), Chorus::families().count());

        // Peers and keys come and go, but the series count does not change.
        let mut before = warm.clone();
        for _ in 0..9 {
            let s = sim.ticks(60);
            assert_eq!(s.series_count(), warm.series_count());
            for name in ["chorus_election_term", "chorus_uptime_seconds"] {
                assert!(
                    s.get(name, &[]) >= before.get(name, &[]),
                    "{name} went back"
                );
            }
            before = s;
        }
        let left = |name| {
            let ids = |s: &Snapshot| s.family(name).keys().cloned().collect::<BTreeSet<_>>();
            ids(&warm).difference(&ids(&before)).count()
        };
        assert!(left("chorus_p2p_peer_score") > 0, "peers changed");
        assert!(left("chorus_dht_replication_factor") > 0, "keys changed");
    }

    #[test]
    fn the_run_keeps_the_node_busy() {
        let mut sim = Sim::new("chorus");
        sim.ticks(60);
        let mut empty = [0; 4];
        for _ in 0..540 {
            let s = sim.ticks(1);
            for (i, name) in [
                "chorus_tasks_active",
                "chorus_tasks_queued",
                "chorus_slurp_active_jobs",
                "chorus_slurp_queue_length",
            ]
            .into_iter()
            .enumerate()
            {
                empty[i] += u32::from(s.get(name, &[]) == 0.0);
            }
        }
        assert!(
            empty.iter().all(|n| *n < 10),
            "ticks with nothing to do: {empty:?}"
        );
    }

    #[test]
    fn resource_gauges_mirror_the_process() {
        let s = Sim::new("chorus").ticks(600);
        let p = ProcessStats::read();
        let memory = s.get("chorus_memory_usage_bytes", &[]);
        assert!(
            memory > 0.0 && (memory - p.resident_bytes).abs() < p.resident_bytes / 2.0,
            "{memory} vs {p:?}"
        );
        assert!(s.get("chorus_goroutines", &[]) >= 1.0);
        let uptime = s.get("chorus_uptime_seconds", &[]);
        assert!(
            uptime > 0.0 && uptime <= p.uptime_seconds && uptime > p.uptime_seconds - 60.0,
            "{uptime} vs {p:?}"
        );
        assert!(s.get("chorus_cpu_usage_ratio", &[]) > 0.0);
        assert!(s.get("chorus_network_bytes_in_total", &[]) > 0.0);
        assert!(s.get("chorus_network_bytes_out_total", &[]) > 0.0);
    }
}
