//! How x0tta6bl4 runs, as the demo drives it (see [`crate::workload`]).
//!
//! The demo is one x0tta6bl4 node in a mesh of 24 peers. It serves the HTTP API and runs the
//! MAPE-K self-healing loop every 5 s: Monitor scrapes the peers, Analyze runs GraphSAGE over the
//! mesh graph and scores every peer, Plan looks similar incidents up with RAG, and Execute runs
//! one recovery action per anomaly. The node is one of 5 Raft voters replicating the ledger. It
//! syncs CRDT state with its peers, aggregates federated learning rounds over 8 of them, and
//! runs the DAO's contracts. Its SPIRE agent keeps its SVID (the mTLS certificate) fresh.
//!
//! The MAPE-K phases take simulated time (log-normal around tens of milliseconds, hundreds
//! when a recovery restarts or scales a service), so they are recorded with the collector's
//! API for phases timed elsewhere ([`Mapek::record_phase`](super::mapek::Mapek::record_phase),
//! [`Mapek::record_cycle_completion`](super::mapek::Mapek::record_cycle_completion)): the
//! `start_cycle`/`start_phase` timers would measure the microseconds the simulation takes.
//!
//! Most of the families depend on each other, as in the real system:
//! - a peer that becomes unreachable raises a `node_unreachable` anomaly at the next MAPE-K
//!   cycle, adds packet loss, and drops out of the Raft followers and FL participants;
//! - a successful recovery is a `mapek_decision` ledger entry and adds the incident to the
//!   knowledge base and the RAG index;
//! - every ledger entry is replicated through Raft, so `raft_log_replication_duration_seconds`
//!   counts ledger entries; `ledger_chain_length` grows by every entry, and the ledger, vector
//!   and KV stores are sized by the chain, the RAG index and the writes;
//! - a Byzantine detection holds the peer as suspect for 3 minutes, during which GraphSAGE
//!   scores it above 0.7; `suspect_nodes_count` counts the peers scored above 0.7;
//! - a newcomer peer is registered (`node_registration` ledger entry, `NodeRegistry.registerNode`
//!   call, a new SVID, a full CRDT sync, a direct connection);
//! - FL model downloads and update uploads go through the mesh, so they are in its bandwidth;
//! - the performance families summarise the rest: throughput and p99 of the HTTP requests,
//!   MAPE-K cycles, RAG retrievals, storage operations, CRDT syncs and ledger writes, and the
//!   ratio of failed operations among them;
//! - the infrastructure gauges mirror the real process
//!   ([`ProcessStats`](crate::workload::ProcessStats)): the memory and CPU of the components
//!   add up to the process's resident memory and CPU use.
//!
//! # Populations (free-form label values)
//! - **Mesh peers** (`node_id` of `graphsage_anomaly_score` and `fl_local_updates_total`): 24
//!   peers with key-derived ids such as `node-k7qz3m2a`. Each is replaced by a newcomer with
//!   probability 0.001 per tick (one replacement every 40 s or so); the series of a peer that
//!   leaves are removed. The first 4 peers are the other Raft voters, the first 8 the FL
//!   participants.
//! - Every other free-form label takes its values from a fixed table below: HTTP endpoints and
//!   status codes, anomaly types with their severities and recovery actions, RAG query types,
//!   connection types, ledger entry and failure types, CRDT operations, storage operations and
//!   stores, contract functions, DAO proposal statuses, mTLS failure types, threat and Byzantine
//!   behaviour types, and components. Their series are created at zero in [`Workload::new`],
//!   as a service initialises its known label values, so the series count is flat from the
//!   first scrape.
//!
//! # Rare events
//! Elections, faults, threats, Byzantine detections, consistency and validation failures, DAO
//! proposals and GraphSAGE training runs are too rare for a short demo to show at their steady
//! rate. Each (a `Rare`) first falls at a random moment of the first minute, so every family
//! shows within it, then follows a Poisson process at its own mean gap; the first election is
//! the node joining the Raft cluster as the demo starts. The first certificate
//! rotation likewise falls in the first minute: the demo starts as the node's SVID reaches
//! half its lifetime, when SPIRE renews it.
//!
//! Time is the workload's own clock (the sum of the ticks' `dt`), so timers keep going when a
//! test runs the workload in several batches.

use std::collections::VecDeque;
use std::sync::Arc;

use super::labels::CycleStatus;
use super::mapek::Phase;
use super::X0tta6bl4;
use crate::workload::{ewma, CpuMeter, Drive, Members, Population, Rng, Tick};

// ---------------------------------------------------------------------------------------------
// Mesh

/// Mesh peers this node sees: a mid-sized deployment.
const PEERS: usize = 24;
/// Internal names of the peer population's members (never exposed; see [`node_id`]).
const PEER_PREFIX: &str = "peer";
/// Chance per tick that a peer leaves the mesh for good and a newcomer takes its place.
const PEER_TURNOVER: f64 = 0.001;
/// Chance per tick that an up peer becomes unreachable: each about once every half hour.
const PEER_DOWN: f64 = 0.0005;
/// Chance per tick that an unreachable peer is back: outages last about 30 s.
const PEER_BACK: f64 = 0.03;
/// New mesh connections per second (streams opened to peers), by how they are made.
const CONNECTION_RATE: f64 = 0.8;
const CONNECTION_TYPES: &[(&str, f64)] = &[("direct", 0.7), ("relay", 0.2), ("multi_hop", 0.1)];
/// Packet loss of a healthy mesh (it drifts around this), and what each unreachable peer adds
/// (the packets still sent its way).
const BASE_LOSS: f64 = 0.008;
const LOSS_PER_DOWN_PEER: f64 = 0.004;
/// Routed paths sampled per second, and their median hop count.
const PATH_RATE: f64 = 6.0;
const MEDIAN_HOPS: f64 = 2.0;
/// Mesh traffic besides federated learning, bytes per second.
const OUTBOUND_BYTES_PER_SECOND: f64 = 180_000.0;
const INBOUND_BYTES_PER_SECOND: f64 = 210_000.0;
/// Every up peer is probed every 5 s; median one-way latency to a peer.
const PROBE_INTERVAL: f64 = 5.0;
const MEDIAN_LATENCY: f64 = 0.012;

// ---------------------------------------------------------------------------------------------
// HTTP API

/// API requests per second (mesh beacons, health checks, dashboards, ML and RAG clients).
const HTTP_RATE: f64 = 25.0;
/// Requests rejected for the client's fault (where the endpoint can reject one).
const CLIENT_ERROR: f64 = 0.02;
/// Requests that fail on the server: mostly errors, some shed under load.
const SERVER_ERROR: f64 = 0.01;
const SERVER_ERRORS: &[(&str, f64)] = &[("500", 0.7), ("503", 0.3)];

/// What an endpoint does besides answering.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Work {
    /// Nothing the other families see.
    Plain,
    /// A GraphSAGE inference.
    Predict,
    /// A RAG retrieval, then a generation when something was found.
    Rag,
}

/// An API endpoint (templated path, as a router labels it).
#[derive(Debug)]
struct Endpoint {
    method: &'static str,
    path: &'static str,
    /// Median time of the handler itself, besides its [`Work`].
    median: f64,
    /// The status it answers a bad request with, if it can get one.
    client_error: Option<&'static str>,
    work: Work,
}

/// The endpoints, with their share of the requests.
const ENDPOINTS: &[(Endpoint, f64)] = &[
    ep("GET", "/health", 0.002, None, Work::Plain, 0.30),
    ep("GET", "/mesh/status", 0.015, None, Work::Plain, 0.18),
    ep(
        "GET",
        "/mesh/peers/{node_id}",
        0.009,
        Some("404"),
        Work::Plain,
        0.14,
    ),
    ep(
        "POST",
        "/mesh/beacon",
        0.006,
        Some("422"),
        Work::Plain,
        0.22,
    ),
    ep(
        "GET",
        "/api/v1/mapek/status",
        0.011,
        None,
        Work::Plain,
        0.08,
    ),
    ep(
        "POST",
        "/api/v1/ml/predict",
        0.006,
        Some("422"),
        Work::Predict,
        0.05,
    ),
    ep(
        "POST",
        "/api/v1/rag/query",
        0.004,
        Some("422"),
        Work::Rag,
        0.03,
    ),
];

/// An endpoint and its share of the requests.
const fn ep(
    method: &'static str,
    path: &'static str,
    median: f64,
    client_error: Option<&'static str>,
    work: Work,
    share: f64,
) -> (Endpoint, f64) {
    let endpoint = Endpoint {
        method,
        path,
        median,
        client_error,
        work,
    };
    (endpoint, share)
}

// ---------------------------------------------------------------------------------------------
// MAPE-K

/// The loop's period.
const MAPEK_INTERVAL: f64 = 5.0;
/// Median phase times: Monitor scrapes the peers' telemetry; Analyze and Plan besides their
/// GraphSAGE inference and RAG retrievals; Execute when there is nothing to recover.
const MONITOR_MEDIAN: f64 = 0.030;
const ANALYZE_MEDIAN: f64 = 0.010;
const PLAN_MEDIAN: f64 = 0.004;
const EXECUTE_IDLE_MEDIAN: f64 = 0.002;
/// Bookkeeping between the phases, in the `total` phase only.
const CYCLE_OVERHEAD: f64 = 0.001;
/// Cycles whose Monitor gets no telemetry at all (the cycle fails there), or misses some
/// peers' (the cycle is partial).
const MONITOR_FAILURE: f64 = 0.01;
const MONITOR_PARTIAL: f64 = 0.03;
/// Recovery actions that fail; the anomaly stays and the next cycle tries again.
const RECOVERY_FAILURE: f64 = 0.08;
/// Mean gap between faults besides unreachable peers and attacks.
const FAULT_GAP: f64 = 40.0;
/// Knowledge base entries when the demo starts; every cycle and every recovery adds one.
const KNOWLEDGE_START: i64 = 8_412;
/// The metrics cache keeps the last 120 cycles' snapshots (10 minutes), 2 KiB per node each.
const CACHE_CYCLES: u64 = 120;
const SNAPSHOT_BYTES_PER_NODE: i64 = 2_048;

/// An anomaly the loop can detect, and how it recovers from it.
#[derive(Debug)]
struct Anomaly {
    name: &'static str,
    severities: &'static [&'static str],
    action: &'static str,
    /// Median time of the recovery action.
    action_median: f64,
}

const CPU_USAGE: Anomaly = anomaly("cpu_usage", &["medium", "high"], "scale_up", 0.45);
const MEMORY_PRESSURE: Anomaly =
    anomaly("memory_pressure", &["medium", "high"], "clear_cache", 0.03);
const PACKET_LOSS: Anomaly = anomaly(
    "packet_loss",
    &["low", "medium", "high"],
    "reroute_traffic",
    0.08,
);
const HIGH_LATENCY: Anomaly = anomaly("high_latency", &["low", "medium"], "reroute_traffic", 0.08);
const NODE_UNREACHABLE: Anomaly = anomaly(
    "node_unreachable",
    &["high", "critical"],
    "isolate_node",
    0.05,
);
const SERVICE_DEGRADED: Anomaly = anomaly(
    "service_degraded",
    &["medium", "high"],
    "restart_service",
    0.30,
);

/// Every anomaly type.
const ANOMALIES: &[&Anomaly] = &[
    &CPU_USAGE,
    &MEMORY_PRESSURE,
    &PACKET_LOSS,
    &HIGH_LATENCY,
    &NODE_UNREACHABLE,
    &SERVICE_DEGRADED,
];
/// The ones that come from no other family's event.
const RANDOM_FAULTS: &[&Anomaly] = &[
    &CPU_USAGE,
    &MEMORY_PRESSURE,
    &PACKET_LOSS,
    &HIGH_LATENCY,
    &SERVICE_DEGRADED,
];
const RECOVERY_STATUSES: [&str; 2] = ["success", "failed"];

const fn anomaly(
    name: &'static str,
    severities: &'static [&'static str],
    action: &'static str,
    action_median: f64,
) -> Anomaly {
    Anomaly {
        name,
        severities,
        action,
        action_median,
    }
}

/// An anomaly waiting for the next cycle.
#[derive(Debug, Clone, Copy)]
struct Fault {
    kind: &'static Anomaly,
    severity: &'static str,
}

impl Fault {
    fn new(kind: &'static Anomaly, rng: &mut Rng) -> Self {
        Self {
            kind,
            severity: *rng.pick(kind.severities),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ML

/// Median GraphSAGE inference over the mesh graph.
const INFERENCE_MEDIAN: f64 = 0.022;
/// API predictions that find an anomaly.
const PREDICT_ANOMALY: f64 = 0.05;
/// GraphSAGE retrains every 5 minutes on average, for about 14 s; each run gets the loss and
/// the accuracy a little closer to their limits.
const TRAINING_GAP: f64 = 300.0;
const TRAINING_MEDIAN: f64 = 14.0;
const TRAINING_LOSS_START: f64 = 0.31;
const TRAINING_LOSS_FLOOR: f64 = 0.06;
const ACCURACY_START: f64 = 0.91;
const ACCURACY_CEILING: f64 = 0.965;
/// Training runs over which loss and accuracy cover 63% of the way to their limits.
const TRAINING_RUNS_SCALE: f64 = 5.0;
/// Anomaly scores: a peer's score moves this share of the way to its target every cycle.
const SCORE_PULL: f64 = 0.3;
const SCORE_NOISE: f64 = 0.01;
/// Score targets of an unreachable peer and of a suspect one; above the threshold a peer
/// counts as suspect.
const DOWN_SCORE: f64 = 0.55;
const SUSPECT_SCORE: f64 = 0.85;
const SUSPECT_THRESHOLD: f64 = 0.7;
/// RAG: median retrieval and generation; query types of API clients and their chance to find
/// something; the Plan phase looks up incident history.
const RETRIEVAL_MEDIAN: f64 = 0.035;
const GENERATION_MEDIAN: f64 = 1.1;
const QUERY_TYPES: &[(&str, f64)] = &[
    ("network_health", 0.5),
    ("troubleshooting", 0.3),
    ("topology", 0.2),
];
const QUERY_HIT: f64 = 0.92;
const INCIDENT_QUERY: &str = "incident_history";
const INCIDENT_HIT: f64 = 0.8;
/// Average cosine similarity of what a retrieval finds.
const SIMILARITY_MEAN: f64 = 0.78;
const SIMILARITY_SD: f64 = 0.05;
/// RAG index: vectors when the demo starts; log and document chunks embedded per second;
/// chunks of one incident report.
const INDEX_START: i64 = 52_340;
const INGEST_RATE: f64 = 0.3;
const INCIDENT_CHUNKS: i64 = 3;

// ---------------------------------------------------------------------------------------------
// Raft and ledger

/// The other voters of the 5-node Raft cluster.
const RAFT_PEERS: usize = 4;
/// Term when the demo starts; it joins the cluster with an election.
const TERM_START: i64 = 57;
/// Mean gap between later elections (a leader's heartbeats lost on the mesh), and the chance
/// that a split vote costs one more term.
const ELECTION_GAP: f64 = 240.0;
const SPLIT_VOTE: f64 = 0.15;
/// Median time to replicate an entry to a quorum.
const REPLICATION_MEDIAN: f64 = 0.006;
/// Chain length when the demo starts; every entry adds one.
const CHAIN_START: i64 = 184_220;
/// Entries written at a steady rate per second; the other types come from other families.
const ENTRY_RATES: &[(&str, f64)] = &[("transaction", 1.5), ("audit_log", 0.5)];
const ENTRY_TYPES: [&str; 6] = [
    "transaction",
    "audit_log",
    "node_registration",
    "mapek_decision",
    "fl_model_update",
    "dao_proposal",
];
/// The ledger syncs with a peer every 10 s.
const LEDGER_SYNC_INTERVAL: f64 = 10.0;
const LEDGER_SYNC_MEDIAN: f64 = 0.35;
/// Mean gap between consistency failures, by kind.
const CONSISTENCY_GAP: f64 = 180.0;
const CONSISTENCY_FAILURES: &[(&str, f64)] = &[
    ("conflict", 0.5),
    ("hash_mismatch", 0.3),
    ("missing_entry", 0.2),
];
/// Average stored size of a ledger entry.
const ENTRY_BYTES: i64 = 620;

// ---------------------------------------------------------------------------------------------
// CRDT

/// Each up peer exchanges deltas every 10 s; some fail on the mesh.
const CRDT_SYNC_INTERVAL: f64 = 10.0;
const CRDT_FAILURE: f64 = 0.015;
/// Deltas that carry changes to merge, and what a merge adds to the state.
const MERGE_SHARE: f64 = 0.6;
const MERGE_FAILURE: f64 = 0.005;
const MERGE_BYTES: f64 = 220.0;
const DELTA_MEDIAN: f64 = 0.008;
/// A newcomer gets the whole state.
const FULL_SYNC_MEDIAN: f64 = 0.12;
const CRDT_START_BYTES: f64 = 3_400_000.0;
/// Tombstones are collected every 2 minutes, freeing about 1% of the state.
const COMPACTION_INTERVAL: f64 = 120.0;
const CRDT_OPERATIONS: [&str; 3] = ["delta_sync", "merge", "full_sync"];
const OUTCOMES: [&str; 2] = ["success", "failed"];

// ---------------------------------------------------------------------------------------------
// Storage

/// A storage operation: rate per second, median and spread of its duration.
#[derive(Debug)]
struct StorageOp {
    name: &'static str,
    rate: f64,
    median: f64,
    sigma: f64,
}

/// Reads dominate; puts also come from ledger entries and CRDT merges.
const STORAGE_OPS: [StorageOp; 4] = [
    storage_op("get", 40.0, 0.0004, 0.7),
    storage_op("put", 6.0, 0.0012, 0.6),
    storage_op("delete", 0.6, 0.0009, 0.6),
    storage_op("scan", 0.4, 0.018, 0.8),
];
const STORAGE_ERROR: f64 = 0.005;
const STORAGE_STATUSES: [&str; 2] = ["success", "error"];
/// The KV store's size when the demo starts; values average 900 bytes and 30% of the puts
/// write a new key.
const KV_START_BYTES: f64 = 184_000_000.0;
const VALUE_BYTES: f64 = 900.0;
const NEW_KEY: f64 = 0.3;
/// Bytes per RAG vector: 384 dimensions of f32.
const VECTOR_BYTES: i64 = 1_536;

const fn storage_op(name: &'static str, rate: f64, median: f64, sigma: f64) -> StorageOp {
    StorageOp {
        name,
        rate,
        median,
        sigma,
    }
}

// ---------------------------------------------------------------------------------------------
// Federated learning

/// Peers that train locally; the node aggregates.
const FL_PARTICIPANTS: usize = 8;
/// Rounds follow each other 15 s apart and last about 22 s.
const FL_ROUND_GAP: f64 = 15.0;
const ROUND_MEDIAN: f64 = 22.0;
/// Participants that skip a round, and that drop out before sending their update.
const STRAGGLER: f64 = 0.05;
const DROPOUT: f64 = 0.03;
/// The global model (GraphSAGE weights, about 160k f32) sent to each participant, and the
/// compressed update sent back.
const MODEL_BYTES: u64 = 640_000;
const UPDATE_BYTES: f64 = 160_000.0;
/// The global loss goes from 0.62 towards 0.18, 63% of the way in 40 rounds.
const FL_LOSS_START: f64 = 0.62;
const FL_LOSS_FLOOR: f64 = 0.18;
const FL_LOSS_ROUNDS: f64 = 40.0;

// ---------------------------------------------------------------------------------------------
// DAO and contracts

/// A contract function and the gas a call typically uses.
#[derive(Debug)]
struct ContractFn {
    contract: &'static str,
    function: &'static str,
    gas: f64,
}

const TRANSFER: ContractFn = contract_fn("X0TToken", "transfer", 52_000.0);
const DELEGATE: ContractFn = contract_fn("X0TToken", "delegate", 95_000.0);
const HEARTBEAT: ContractFn = contract_fn("NodeRegistry", "heartbeat", 31_000.0);
const REGISTER_NODE: ContractFn = contract_fn("NodeRegistry", "registerNode", 145_000.0);
const PROPOSE: ContractFn = contract_fn("X0TGovernance", "propose", 260_000.0);
const CAST_VOTE: ContractFn = contract_fn("X0TGovernance", "castVote", 84_000.0);
const EXECUTE: ContractFn = contract_fn("X0TGovernance", "execute", 410_000.0);
const CONTRACT_FNS: [&ContractFn; 7] = [
    &TRANSFER,
    &DELEGATE,
    &HEARTBEAT,
    &REGISTER_NODE,
    &PROPOSE,
    &CAST_VOTE,
    &EXECUTE,
];
const CALL_STATUSES: [&str; 2] = ["success", "reverted"];
/// Calls that revert (a failed `require`, out of gas); a reverted call uses part of its gas.
const CONTRACT_REVERT: f64 = 0.02;
const CONTRACT_MEDIAN: f64 = 0.018;
/// Token transfers per second; each peer's heartbeat every 30 s; delegations per second and
/// the tokens they move.
const TRANSFER_RATE: f64 = 0.3;
const HEARTBEAT_INTERVAL: f64 = 30.0;
const DELEGATE_RATE: f64 = 0.02;
const DELEGATE_MEDIAN: f64 = 8_000.0;
/// Governance: a proposal every 150 s on average, voted for 2 minutes, executed 30 s after it
/// passes; votes per second and a voter's median power; quorum and the share that pass.
const PROPOSAL_GAP: f64 = 150.0;
const VOTING_PERIOD: f64 = 120.0;
const TIMELOCK: f64 = 30.0;
const VOTE_RATE: f64 = 0.25;
const VOTE_MEDIAN_POWER: f64 = 4_000.0;
const QUORUM: f64 = 0.04;
const PASS: f64 = 0.7;
/// A reverted submission is sent again, up to this many times in all.
const SUBMIT_ATTEMPTS: usize = 3;
const PROPOSAL_STATUSES: [&str; 4] = ["active", "passed", "rejected", "executed"];
/// Staked voting power when the demo starts.
const VOTING_POWER_START: f64 = 1_250_000.0;
/// Treasury when the demo starts; the fee it takes per unit of gas; an executed proposal's
/// median payout.
const TREASURY_START: f64 = 482_150.0;
const FEE_PER_GAS: f64 = 1e-6;
const PAYOUT_MEDIAN: f64 = 1_500.0;

const fn contract_fn(contract: &'static str, function: &'static str, gas: f64) -> ContractFn {
    ContractFn {
        contract,
        function,
        gas,
    }
}

/// A DAO proposal being voted or waiting for execution.
#[derive(Debug)]
struct Proposal {
    voting_ends: f64,
    /// Voting power cast so far.
    voted: f64,
    /// When it executes, once passed.
    executes_at: Option<f64>,
}

// ---------------------------------------------------------------------------------------------
// mTLS and SPIFFE

/// SVID lifetime (SPIRE's default hour); the agent renews at half of it.
const SVID_TTL: f64 = 3_600.0;
const RENEW_AT: f64 = SVID_TTL / 2.0;
/// The agent syncs with the SPIRE server every 5 s; median server latency.
const SPIRE_SYNC_INTERVAL: f64 = 5.0;
const SPIRE_MEDIAN: f64 = 0.015;
/// Mean gap between failed peer validations, by reason.
const VALIDATION_FAILURE_GAP: f64 = 75.0;
const VALIDATION_FAILURES: &[(&str, f64)] = &[
    ("certificate_expired", 0.35),
    ("unknown_ca", 0.25),
    ("spiffe_id_mismatch", 0.3),
    ("revoked", 0.1),
];

// ---------------------------------------------------------------------------------------------
// Security

/// A threat type and the severities it is reported with.
#[derive(Debug)]
struct Threat {
    name: &'static str,
    severities: &'static [&'static str],
}

/// Mean gap between threat alerts, by type.
const THREAT_GAP: f64 = 45.0;
const THREATS: &[(Threat, f64)] = &[
    (threat("port_scan", &["low", "medium"]), 0.35),
    (threat("brute_force", &["medium", "high"]), 0.25),
    (threat("replay_attack", &["medium", "high"]), 0.15),
    (threat("ddos", &["high", "critical"]), 0.15),
    (threat("sybil_attack", &["high", "critical"]), 0.10),
];
/// Mean gap between Byzantine detections, by behaviour; the peer stays suspect 3 minutes.
const BYZANTINE_GAP: f64 = 120.0;
const BEHAVIORS: &[(&str, f64)] = &[
    ("equivocation", 0.35),
    ("invalid_signature", 0.25),
    ("double_voting", 0.2),
    ("message_tampering", 0.2),
];
const SUSPECT_HOLD: f64 = 180.0;

const fn threat(name: &'static str, severities: &'static [&'static str]) -> Threat {
    Threat { name, severities }
}

// ---------------------------------------------------------------------------------------------
// Infrastructure and performance

/// Components, with their shares of the process's memory and CPU (the model dominates memory).
const COMPONENTS: &[(&str, f64, f64)] = &[
    ("api", 0.15, 0.30),
    ("mapek", 0.10, 0.15),
    ("ml", 0.50, 0.40),
    ("mesh", 0.25, 0.15),
];
/// CPU use is measured over at least 5 s of real time.
const CPU_WINDOW: f64 = 5.0;
/// Garbage collections per second (mostly young generation) and their median pause.
const GC_RATE: f64 = 0.5;
const GC_MEDIAN: f64 = 0.002;
/// Latencies kept per operation for its p99.
const P99_WINDOW: usize = 1_000;
/// Seconds over which the error rate is averaged.
const ERROR_RATE_WINDOW: f64 = 60.0;
/// The load swings slowly: its log moves by this much per tick and is pulled back to 0.
const LOAD_STEP: f64 = 0.03;
const LOAD_PULL: f64 = 0.02;

/// Operations the performance families account for.
#[derive(Debug, Clone, Copy)]
enum Op {
    Http,
    MapekCycle,
    RagQuery,
    Storage,
    CrdtSync,
    LedgerWrite,
}

impl Op {
    const ALL: [Op; 6] = [
        Op::Http,
        Op::MapekCycle,
        Op::RagQuery,
        Op::Storage,
        Op::CrdtSync,
        Op::LedgerWrite,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Http => "http_request",
            Op::MapekCycle => "mapek_cycle",
            Op::RagQuery => "rag_query",
            Op::Storage => "storage_op",
            Op::CrdtSync => "crdt_sync",
            Op::LedgerWrite => "ledger_write",
        }
    }
}

/// Operations since the last tick and the latest latencies of each.
#[derive(Debug, Default)]
struct Perf {
    done: [u64; Op::ALL.len()],
    failed: u64,
    recent: [VecDeque<f64>; Op::ALL.len()],
    error_rate: Option<f64>,
}

impl Perf {
    fn record(&mut self, op: Op, seconds: f64, failed: bool) {
        let i = op as usize;
        self.done[i] += 1;
        self.failed += u64::from(failed);
        let recent = &mut self.recent[i];
        if recent.len() == P99_WINDOW {
            recent.pop_front();
        }
        recent.push_back(seconds);
    }
}

/// The 99th percentile of `samples`.
fn p99(samples: &VecDeque<f64>) -> Option<f64> {
    let mut sorted: Vec<f64> = samples.iter().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let rank = (sorted.len() as f64 * 0.99).ceil() as usize;
    sorted.get(rank.saturating_sub(1)).copied()
}

// ---------------------------------------------------------------------------------------------
// The model

/// Where the first occurrence of a [`Rare`] event may fall, in seconds.
const FIRST_RARE: (f64, f64) = (2.0, 50.0);
/// Seed of the starting state (peers, first rare events), so every demo starts alike.
const SEED: u64 = 0x0710_7A6B_1400_0001;

/// An event too rare for a short demo to show at its steady rate: the first falls at a
/// random moment of the first minute, the next ones at exponential gaps of `mean_gap` seconds
/// (a Poisson process).
#[derive(Debug)]
struct Rare {
    mean_gap: f64,
    next: f64,
}

impl Rare {
    fn new(mean_gap: f64, rng: &mut Rng) -> Self {
        Self::first_at(rng.range(FIRST_RARE.0, FIRST_RARE.1), mean_gap)
    }

    fn first_at(first: f64, mean_gap: f64) -> Self {
        Self {
            mean_gap,
            next: first,
        }
    }

    /// How many have fallen due by `now`.
    fn due(&mut self, now: f64, rng: &mut Rng) -> u64 {
        let mut n = 0;
        while self.next <= now {
            n += 1;
            self.next += -(1.0 - rng.unit()).ln() * self.mean_gap;
        }
        n
    }
}

/// A mesh peer as this node sees it.
#[derive(Debug)]
struct Peer {
    /// Its node id, the label value.
    id: String,
    up: bool,
    /// GraphSAGE score of this peer when healthy.
    baseline: f64,
    score: f64,
    /// Until when the security layer holds it as suspect.
    suspect_until: f64,
}

impl Peer {
    fn new(member: &str, rng: &mut Rng) -> Self {
        let baseline = rng.range(0.02, 0.12);
        Self {
            id: node_id(member),
            up: true,
            baseline,
            score: baseline,
            suspect_until: f64::NEG_INFINITY,
        }
    }
}

/// The node id of population member `peer<n>`: `node-` and eight base-32 characters of a hash
/// of `n`, like an id derived from the node's key.
fn node_id(member: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let n: u64 = member
        .trim_start_matches(PEER_PREFIX)
        .parse()
        .unwrap_or_default();
    // splitmix64's finaliser: distinct members get unrelated-looking ids.
    let mut h = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^= h >> 31;
    let id: String = (0..8)
        .map(|i| char::from(ALPHABET[((h >> (5 * i)) & 31) as usize]))
        .collect();
    format!("node-{id}")
}

/// A federated learning round in progress.
#[derive(Debug)]
struct Round {
    ends: f64,
    duration: f64,
    /// Ids of the peers training in it.
    participants: Vec<String>,
}

/// What this tick did that several categories account for.
#[derive(Debug, Default)]
struct Tally {
    /// Peers that joined the mesh.
    joined: u64,
    /// Successful recovery actions.
    decisions: u64,
    /// Finished FL rounds.
    fl_rounds: u64,
    /// Submitted DAO proposals.
    proposals: u64,
    /// Writes to the KV store from ledger entries and CRDT merges.
    writes: u64,
}

/// The x0tta6bl4 workload.
#[derive(Debug)]
pub struct Workload {
    m: X0tta6bl4,
    /// Seconds since the start: the sum of the ticks' `dt`.
    now: f64,
    /// Traffic and latency multiplier, swinging slowly around 1.
    load: f64,
    tally: Tally,
    perf: Perf,
    // Mesh
    peers: Members<Peer>,
    loss_drift: f64,
    // MAPE-K and ML
    next_cycle: f64,
    cycles: u64,
    faults: Vec<Fault>,
    fault_gen: Rare,
    knowledge: i64,
    training: Rare,
    trainings: u64,
    rag_index: i64,
    // Raft and ledger
    election: Rare,
    term: i64,
    chain_length: i64,
    next_ledger_sync: f64,
    consistency: Rare,
    // CRDT and storage
    crdt_bytes: f64,
    next_compaction: f64,
    kv_bytes: f64,
    // Federated learning
    round: Option<Round>,
    next_round: f64,
    rounds: u64,
    // DAO
    proposal_gen: Rare,
    proposals: Vec<Proposal>,
    /// Share of the voting power cast on the latest proposal.
    participation: f64,
    voting_power: f64,
    treasury: f64,
    // mTLS
    cert_age: f64,
    validation_failures: Rare,
    // Security
    threats: Rare,
    byzantine: Rare,
    // Infrastructure
    cpu: CpuMeter,
}

impl Workload {
    /// A workload driving `m`.
    pub fn new(m: X0tta6bl4) -> Self {
        let mut rng = Rng::new(SEED);
        let population = Population::new(PEER_PREFIX, PEERS, PEER_TURNOVER);
        let peers = Members::new(population, |member| Peer::new(member, &mut rng));
        let workload = Self {
            now: 0.0,
            load: 1.0,
            tally: Tally::default(),
            perf: Perf::default(),
            peers,
            loss_drift: 0.0,
            next_cycle: 0.0,
            cycles: 0,
            faults: Vec::new(),
            fault_gen: Rare::new(FAULT_GAP, &mut rng),
            knowledge: KNOWLEDGE_START,
            training: Rare::new(TRAINING_GAP, &mut rng),
            trainings: 0,
            rag_index: INDEX_START,
            // The node joins the cluster with an election.
            election: Rare::first_at(0.0, ELECTION_GAP),
            term: TERM_START,
            chain_length: CHAIN_START,
            next_ledger_sync: 0.0,
            consistency: Rare::new(CONSISTENCY_GAP, &mut rng),
            crdt_bytes: CRDT_START_BYTES,
            next_compaction: COMPACTION_INTERVAL,
            kv_bytes: KV_START_BYTES,
            round: None,
            next_round: 0.0,
            rounds: 0,
            proposal_gen: Rare::new(PROPOSAL_GAP, &mut rng),
            // A proposal is being voted on when the demo starts.
            proposals: vec![Proposal {
                voting_ends: rng.range(60.0, VOTING_PERIOD),
                voted: VOTING_POWER_START * rng.range(0.03, 0.06),
                executes_at: None,
            }],
            participation: 0.0,
            voting_power: VOTING_POWER_START,
            treasury: TREASURY_START,
            // The demo starts as the SVID is about to be renewed.
            cert_age: RENEW_AT - rng.range(FIRST_RARE.0, FIRST_RARE.1),
            validation_failures: Rare::new(VALIDATION_FAILURE_GAP, &mut rng),
            threats: Rare::new(THREAT_GAP, &mut rng),
            byzantine: Rare::new(BYZANTINE_GAP, &mut rng),
            cpu: CpuMeter::new(CPU_WINDOW),
            m,
        };
        workload.create_known_series();
        workload.set_starting_state();
        workload
    }

    /// Creates the series of every fixed label value at zero, as a service initialises the
    /// values it knows, so that `rate()` works from the first scrape and the series count is
    /// flat.
    fn create_known_series(&self) {
        let m = &self.m;
        for (e, _) in ENDPOINTS {
            let statuses = ["200", "500", "503"].into_iter().chain(e.client_error);
            for status in statuses {
                m.http.requests_total(e.method, e.path, status);
            }
            m.http.request_duration_seconds(e.method, e.path);
        }
        for a in ANOMALIES {
            for severity in a.severities {
                m.mapek.anomalies_detected_total(a.name, severity);
            }
            for status in RECOVERY_STATUSES {
                m.mapek.recovery_actions_total(a.action, status);
            }
        }
        for prediction in ["normal", "anomaly"] {
            m.ml.graphsage_predictions_total(prediction);
        }
        for (query_type, _) in QUERY_TYPES {
            m.ml.rag_retrieval_results_total(query_type, super::ml::Hit::Hit);
        }
        m.ml.rag_retrieval_results_total(INCIDENT_QUERY, super::ml::Hit::Hit);
        for (connection_type, _) in CONNECTION_TYPES {
            m.mesh.connections_total(connection_type);
        }
        for direction in ["inbound", "outbound"] {
            m.mesh.bandwidth_bytes_total(direction);
        }
        for (failure_type, _) in VALIDATION_FAILURES {
            m.mtls.mtls_validation_failures_total(failure_type);
        }
        for entry_type in ENTRY_TYPES {
            m.ledger.entries_total(entry_type);
        }
        for (failure_type, _) in CONSISTENCY_FAILURES {
            m.ledger.consistency_failures_total(failure_type);
        }
        for direction in ["download", "upload"] {
            m.fl.communication_bytes_total(direction);
        }
        for status in PROPOSAL_STATUSES {
            m.dao.proposals_total(status);
        }
        for operation in CRDT_OPERATIONS {
            for status in OUTCOMES {
                m.crdt.sync_operations_total(operation, status);
            }
        }
        for f in CONTRACT_FNS {
            for status in CALL_STATUSES {
                m.contracts.calls_total(f.contract, f.function, status);
            }
            m.contracts
                .execution_duration_seconds(f.contract, f.function);
            m.contracts.gas_used(f.contract, f.function);
        }
        for op in &STORAGE_OPS {
            for status in STORAGE_STATUSES {
                m.storage.operations_total(op.name, status);
            }
            m.storage.operation_duration_seconds(op.name);
        }
        for (t, _) in THREATS {
            for severity in t.severities {
                m.security.threat_alerts_total(t.name, severity);
            }
        }
        for (behavior, _) in BEHAVIORS {
            m.security.byzantine_detections_total(behavior);
        }
        for op in Op::ALL {
            m.performance.operation_throughput_total(op.name());
        }
    }

    /// What the node loads at startup: the model checkpoint's accuracy and loss.
    fn set_starting_state(&self) {
        self.m.ml.update_graphsage_accuracy(ACCURACY_START);
        self.m.ml.graphsage_training_loss().set(TRAINING_LOSS_START);
    }

    /// The load swings slowly around 1 (a log-normal random walk pulled back to 1).
    fn drift_load(&mut self, t: &mut Tick) {
        let log = self.load.ln() * (1.0 - LOAD_PULL) + LOAD_STEP * t.rng.normal();
        self.load = log.exp();
    }

    /// Peers leave and newcomers join: the series of one that left go, a newcomer registers.
    fn churn(&mut self, t: &mut Tick) {
        for left in self.peers.churn(&mut t.rng, Peer::new) {
            self.m.ml.remove_graphsage_anomaly_score(&left.id);
            self.m.fl.remove_local_updates_total(&left.id);
            self.tally.joined += 1;
        }
    }

    fn up_peers(&self, peers: std::ops::RangeTo<usize>) -> usize {
        self.peers[peers].iter().filter(|p| p.up).count()
    }

    fn mesh(&mut self, t: &mut Tick) {
        let mesh = Arc::clone(&self.m.mesh);
        let mut went_down = 0;
        for p in self.peers.iter_mut() {
            if p.up && t.rng.chance(PEER_DOWN) {
                p.up = false;
                went_down += 1;
            } else if !p.up && t.rng.chance(PEER_BACK) {
                p.up = true;
            }
        }
        for _ in 0..went_down {
            self.faults.push(Fault::new(&NODE_UNREACHABLE, &mut t.rng));
        }
        let up = self.up_peers(..PEERS);
        mesh.update_active_nodes(up as i64 + 1);

        for _ in 0..t.events(CONNECTION_RATE * self.load) {
            let connection_type = *t.rng.weighted(CONNECTION_TYPES);
            mesh.record_connection(connection_type);
        }
        for _ in 0..self.tally.joined {
            mesh.record_connection("direct");
        }

        self.loss_drift = 0.95 * self.loss_drift + 0.05 * t.rng.normal();
        let down = (PEERS - up) as f64;
        let loss =
            BASE_LOSS * (1.0 + 0.5 * self.loss_drift) * self.load + LOSS_PER_DOWN_PEER * down;
        mesh.update_packet_loss(loss.clamp(0.0, 1.0));

        for _ in 0..t.events(PATH_RATE) {
            let hops = t.rng.lognormal(MEDIAN_HOPS, 0.45).round().clamp(1.0, 16.0);
            mesh.record_hop_count(hops as u32);
        }
        let traffic = |rate: f64, t: &mut Tick| (rate * t.dt * t.rng.lognormal(1.0, 0.2)) as u64;
        mesh.record_bandwidth(
            traffic(OUTBOUND_BYTES_PER_SECOND * self.load, t),
            "outbound",
        );
        mesh.record_bandwidth(traffic(INBOUND_BYTES_PER_SECOND * self.load, t), "inbound");
        for _ in 0..t.events(up as f64 / PROBE_INTERVAL) {
            mesh.record_latency(t.rng.lognormal(MEDIAN_LATENCY * self.load, 0.6));
        }
    }

    fn http(&mut self, t: &mut Tick) {
        for _ in 0..t.events(HTTP_RATE * self.load) {
            let e = t.rng.weighted(ENDPOINTS);
            let (status, seconds) = if t.rng.chance(SERVER_ERROR) {
                let status = *t.rng.weighted(SERVER_ERRORS);
                // Shed requests are answered at once; errors fail along the way.
                let seconds = if status == "503" {
                    t.rng.lognormal(0.001, 0.3)
                } else {
                    t.rng.lognormal(e.median, 0.6) * self.load
                };
                (status, seconds)
            } else if let Some(code) = e.client_error.filter(|_| t.rng.chance(CLIENT_ERROR)) {
                (code, t.rng.lognormal(e.median / 2.0, 0.4))
            } else {
                let work = match e.work {
                    Work::Plain => 0.0,
                    Work::Predict => {
                        let anomaly = t.rng.chance(PREDICT_ANOMALY);
                        self.graphsage_inference(t, anomaly)
                    }
                    Work::Rag => self.rag_query(t),
                };
                ("200", work + t.rng.lognormal(e.median, 0.5) * self.load)
            };
            self.m
                .http
                .record_request(e.method, e.path, status, seconds);
            self.perf.record(Op::Http, seconds, status.starts_with('5'));
        }
    }

    fn mapek(&mut self, t: &mut Tick) {
        for _ in 0..self.fault_gen.due(self.now, &mut t.rng) {
            let kind = *t.rng.pick(RANDOM_FAULTS);
            self.faults.push(Fault::new(kind, &mut t.rng));
        }
        if self.now < self.next_cycle {
            return;
        }
        self.next_cycle += MAPEK_INTERVAL;
        self.cycles += 1;
        let mapek = Arc::clone(&self.m.mapek);
        let monitor = t.rng.lognormal(MONITOR_MEDIAN, 0.4) * self.load;
        mapek.record_phase(Phase::Monitor, monitor);
        let (status, seconds) = if t.rng.chance(MONITOR_FAILURE) {
            // No telemetry, nothing to analyze: the cycle ends here.
            (CycleStatus::Failed, monitor)
        } else {
            let partial = t.rng.chance(MONITOR_PARTIAL);
            let (recovered, rest) = self.analyze_plan_execute(t);
            let status = match (recovered, partial) {
                (false, _) => CycleStatus::Failed,
                (true, true) => CycleStatus::Partial,
                (true, false) => CycleStatus::Success,
            };
            (status, monitor + rest)
        };
        let seconds = seconds + CYCLE_OVERHEAD;
        mapek.record_cycle_completion(status, Some(seconds));
        self.perf
            .record(Op::MapekCycle, seconds, status == CycleStatus::Failed);
        self.knowledge += 1;
        mapek.update_knowledge_base_size(self.knowledge);
        let nodes = self.up_peers(..PEERS) as i64 + 1;
        let snapshots = self.cycles.min(CACHE_CYCLES) as i64;
        mapek.update_metrics_cache_size(snapshots * nodes * SNAPSHOT_BYTES_PER_NODE);
    }

    /// Analyze, Plan and Execute of one cycle: whether every recovery succeeded, and how long
    /// the three phases took.
    fn analyze_plan_execute(&mut self, t: &mut Tick) -> (bool, f64) {
        let mapek = Arc::clone(&self.m.mapek);
        let faults = std::mem::take(&mut self.faults);

        self.score_peers(t);
        let analyze = self.graphsage_inference(t, !faults.is_empty())
            + t.rng.lognormal(ANALYZE_MEDIAN, 0.4) * self.load;
        mapek.record_phase(Phase::Analyze, analyze);

        let mut plan = t.rng.lognormal(PLAN_MEDIAN, 0.5);
        for f in &faults {
            mapek.record_anomaly(f.kind.name, f.severity);
            plan += self.rag_retrieval(t, INCIDENT_QUERY, INCIDENT_HIT).0;
        }
        mapek.record_phase(Phase::Plan, plan);

        let mut execute = t.rng.lognormal(EXECUTE_IDLE_MEDIAN, 0.5);
        let mut recovered = true;
        for f in faults {
            execute += t.rng.lognormal(f.kind.action_median, 0.5);
            if t.rng.chance(RECOVERY_FAILURE) {
                mapek.record_recovery_action(f.kind.action, "failed");
                recovered = false;
                self.faults.push(f);
            } else {
                mapek.record_recovery_action(f.kind.action, "success");
                self.tally.decisions += 1;
                self.knowledge += 1;
                self.rag_index += INCIDENT_CHUNKS;
            }
        }
        mapek.record_phase(Phase::Execute, execute);
        (recovered, analyze + plan + execute)
    }

    /// GraphSAGE scores every peer: a healthy one hovers near its baseline, an unreachable one
    /// climbs, one held as suspect goes above the threshold.
    fn score_peers(&mut self, t: &mut Tick) {
        for p in self.peers.iter_mut() {
            let target = if p.suspect_until > self.now {
                SUSPECT_SCORE
            } else if !p.up {
                DOWN_SCORE
            } else {
                p.baseline
            };
            let moved = ewma(p.score, target, SCORE_PULL) + SCORE_NOISE * t.rng.normal();
            p.score = moved.clamp(0.0, 1.0);
            self.m.ml.update_graphsage_anomaly_score(&p.id, p.score);
        }
    }

    /// One GraphSAGE inference; returns its duration.
    fn graphsage_inference(&self, t: &mut Tick, anomaly: bool) -> f64 {
        let seconds = t.rng.lognormal(INFERENCE_MEDIAN, 0.35) * self.load;
        let prediction = if anomaly { "anomaly" } else { "normal" };
        self.m.ml.record_graphsage_inference(seconds, prediction);
        seconds
    }

    /// One RAG retrieval; returns its duration and whether it found anything.
    fn rag_retrieval(&mut self, t: &mut Tick, query_type: &str, hit_chance: f64) -> (f64, bool) {
        let seconds = t.rng.lognormal(RETRIEVAL_MEDIAN, 0.5) * self.load;
        let hit = t.rng.chance(hit_chance);
        self.m.ml.record_rag_retrieval(seconds, query_type, hit);
        if hit {
            let similarity = SIMILARITY_MEAN + SIMILARITY_SD * t.rng.normal();
            self.m
                .ml
                .update_rag_vector_similarity(similarity.clamp(0.0, 1.0));
        }
        self.perf.record(Op::RagQuery, seconds, false);
        (seconds, hit)
    }

    /// An API client's RAG query: retrieval, then generation when something was found.
    fn rag_query(&mut self, t: &mut Tick) -> f64 {
        let query_type = *t.rng.weighted(QUERY_TYPES);
        let (mut seconds, hit) = self.rag_retrieval(t, query_type, QUERY_HIT);
        if hit {
            let generation = t.rng.lognormal(GENERATION_MEDIAN, 0.45) * self.load;
            self.m.ml.record_rag_generation(generation);
            seconds += generation;
        }
        seconds
    }

    /// Training runs and the RAG index; inference and retrieval come with MAPE-K and the API.
    fn ml(&mut self, t: &mut Tick) {
        let ml = Arc::clone(&self.m.ml);
        for _ in 0..self.training.due(self.now, &mut t.rng) {
            self.trainings += 1;
            let left = (-(self.trainings as f64) / TRAINING_RUNS_SCALE).exp();
            let loss = TRAINING_LOSS_FLOOR + (TRAINING_LOSS_START - TRAINING_LOSS_FLOOR) * left;
            let seconds = t.rng.lognormal(TRAINING_MEDIAN, 0.35);
            ml.record_graphsage_training(seconds, loss * t.rng.lognormal(1.0, 0.03));
            let accuracy = ACCURACY_CEILING - (ACCURACY_CEILING - ACCURACY_START) * left;
            let accuracy = accuracy + 0.002 * t.rng.normal();
            ml.update_graphsage_accuracy(accuracy.clamp(0.0, 1.0));
        }
        self.rag_index += t.events(INGEST_RATE) as i64;
        ml.update_rag_index_size(self.rag_index);
    }

    /// Rounds over the first FL participants: the model goes out at the start, the updates
    /// come back at the end.
    fn fl(&mut self, t: &mut Tick) {
        let fl = Arc::clone(&self.m.fl);
        if self.round.is_none() && self.now >= self.next_round {
            let participants: Vec<String> = self.peers[..FL_PARTICIPANTS]
                .iter()
                .filter(|p| p.up && !t.rng.chance(STRAGGLER))
                .map(|p| p.id.clone())
                .collect();
            fl.update_participant_count(participants.len() as i64);
            let bytes = MODEL_BYTES * participants.len() as u64;
            fl.record_fl_communication(bytes, "download");
            self.m.mesh.record_bandwidth(bytes, "outbound");
            let duration = t.rng.lognormal(ROUND_MEDIAN, 0.3);
            self.round = Some(Round {
                ends: self.now + duration,
                duration,
                participants,
            });
        }
        let Some(round) = self.round.take_if(|r| self.now >= r.ends) else {
            return;
        };
        let mut bytes = 0;
        for id in &round.participants {
            // One that left the mesh, or dropped out, sends nothing.
            let present = self.peers.iter().any(|p| p.id == *id && p.up);
            if present && !t.rng.chance(DROPOUT) {
                fl.record_local_update(id);
                bytes += (UPDATE_BYTES * t.rng.lognormal(1.0, 0.1)) as u64;
            }
        }
        fl.record_fl_communication(bytes, "upload");
        self.m.mesh.record_bandwidth(bytes, "inbound");
        self.rounds += 1;
        let left = (-(self.rounds as f64) / FL_LOSS_ROUNDS).exp();
        let loss = FL_LOSS_FLOOR + (FL_LOSS_START - FL_LOSS_FLOOR) * left;
        fl.record_fl_round(round.duration, loss * t.rng.lognormal(1.0, 0.02));
        self.tally.fl_rounds += 1;
        self.next_round = self.now + FL_ROUND_GAP;
    }

    /// One contract call; returns whether it succeeded.
    fn call(&mut self, t: &mut Tick, f: &ContractFn) -> bool {
        let c = &self.m.contracts;
        let reverted = t.rng.chance(CONTRACT_REVERT);
        let status = CALL_STATUSES[usize::from(reverted)];
        let mut gas = t.rng.lognormal(f.gas, 0.12);
        if reverted {
            gas *= t.rng.range(0.3, 0.9);
        }
        c.calls_total(f.contract, f.function, status).inc();
        c.execution_duration_seconds(f.contract, f.function)
            .observe(t.rng.lognormal(CONTRACT_MEDIAN, 0.5) * self.load);
        c.gas_used(f.contract, f.function).observe(gas.round());
        self.treasury += gas * FEE_PER_GAS;
        !reverted
    }

    /// Token and registry traffic; governance calls come from [`Self::dao`].
    fn contracts(&mut self, t: &mut Tick) {
        for _ in 0..t.events(TRANSFER_RATE * self.load) {
            self.call(t, &TRANSFER);
        }
        for _ in 0..t.events(DELEGATE_RATE) {
            if self.call(t, &DELEGATE) {
                let moved = t.rng.lognormal(DELEGATE_MEDIAN, 0.8);
                let sign = if t.rng.chance(0.5) { 1.0 } else { -1.0 };
                self.voting_power = (self.voting_power + sign * moved).max(0.0);
            }
        }
        let up = self.up_peers(..PEERS) as f64;
        for _ in 0..t.events(up / HEARTBEAT_INTERVAL) {
            self.call(t, &HEARTBEAT);
        }
        for _ in 0..self.tally.joined {
            self.call(t, &REGISTER_NODE);
        }
    }

    /// Proposals are submitted, voted, passed or rejected, and executed after a timelock.
    fn dao(&mut self, t: &mut Tick) {
        let dao = Arc::clone(&self.m.dao);
        for _ in 0..self.proposal_gen.due(self.now, &mut t.rng) {
            if (0..SUBMIT_ATTEMPTS).any(|_| self.call(t, &PROPOSE)) {
                dao.record_proposal("active");
                self.tally.proposals += 1;
                self.proposals.push(Proposal {
                    voting_ends: self.now + VOTING_PERIOD,
                    voted: 0.0,
                    executes_at: None,
                });
            }
        }
        for i in 0..self.proposals.len() {
            if self.proposals[i].executes_at.is_some() || self.now >= self.proposals[i].voting_ends
            {
                continue;
            }
            for _ in 0..t.events(VOTE_RATE) {
                if self.call(t, &CAST_VOTE) {
                    self.proposals[i].voted += t.rng.lognormal(VOTE_MEDIAN_POWER, 1.0);
                }
            }
        }
        if let Some(latest) = self.proposals.last() {
            self.participation = (latest.voted / self.voting_power.max(1.0)).clamp(0.0, 1.0);
        }
        let mut kept = Vec::with_capacity(self.proposals.len());
        for mut p in std::mem::take(&mut self.proposals) {
            match p.executes_at {
                None if self.now >= p.voting_ends => {
                    let turnout = p.voted / self.voting_power.max(1.0);
                    if turnout >= QUORUM && t.rng.chance(PASS) {
                        dao.record_proposal("passed");
                        p.executes_at = Some(self.now + TIMELOCK);
                        kept.push(p);
                    } else {
                        dao.record_proposal("rejected");
                    }
                }
                Some(at) if self.now >= at => {
                    if (0..SUBMIT_ATTEMPTS).any(|_| self.call(t, &EXECUTE)) {
                        dao.record_proposal("executed");
                        let payout = t.rng.lognormal(PAYOUT_MEDIAN, 0.8);
                        self.treasury = (self.treasury - payout).max(0.0);
                    }
                }
                _ => kept.push(p),
            }
        }
        self.proposals = kept;
        dao.update_participation(self.participation);
        dao.update_voting_power(self.voting_power);
        dao.update_treasury_balance(self.treasury);
    }

    /// Entries at their own rates and from the other families, each replicated through Raft.
    fn ledger(&mut self, t: &mut Tick) {
        let ledger = Arc::clone(&self.m.ledger);
        let mut entries: Vec<(&str, u64)> = ENTRY_RATES
            .iter()
            .map(|&(entry_type, rate)| (entry_type, t.events(rate * self.load)))
            .collect();
        entries.extend([
            ("node_registration", self.tally.joined),
            ("mapek_decision", self.tally.decisions),
            ("fl_model_update", self.tally.fl_rounds),
            ("dao_proposal", self.tally.proposals),
        ]);
        for (entry_type, n) in entries {
            for _ in 0..n {
                let seconds = t.rng.lognormal(REPLICATION_MEDIAN, 0.5) * self.load;
                self.m.raft.record_log_replication(seconds);
                ledger.record_ledger_entry(entry_type);
                self.perf.record(Op::LedgerWrite, seconds, false);
                self.chain_length += 1;
                self.tally.writes += 1;
            }
        }
        ledger.update_chain_length(self.chain_length);
        if self.now >= self.next_ledger_sync {
            self.next_ledger_sync += LEDGER_SYNC_INTERVAL;
            ledger.record_sync(t.rng.lognormal(LEDGER_SYNC_MEDIAN, 0.5) * self.load);
        }
        for _ in 0..self.consistency.due(self.now, &mut t.rng) {
            let failure_type = *t.rng.weighted(CONSISTENCY_FAILURES);
            ledger.record_consistency_failure(failure_type);
        }
    }

    /// Elections (the term only grows) and the voters in touch.
    fn raft(&mut self, t: &mut Tick) {
        let raft = &self.m.raft;
        for _ in 0..self.election.due(self.now, &mut t.rng) {
            self.term += if t.rng.chance(SPLIT_VOTE) { 2 } else { 1 };
            raft.record_leader_change();
        }
        raft.update_term(self.term);
        raft.update_followers_count(self.up_peers(..RAFT_PEERS) as i64);
    }

    /// Deltas with every up peer, merges of what they carry, full syncs for newcomers.
    fn crdt(&mut self, t: &mut Tick) {
        let crdt = Arc::clone(&self.m.crdt);
        let up = self.up_peers(..PEERS) as f64;
        for _ in 0..t.events(up / CRDT_SYNC_INTERVAL) {
            let failed = t.rng.chance(CRDT_FAILURE);
            let seconds = t.rng.lognormal(DELTA_MEDIAN, 0.6) * self.load;
            crdt.record_crdt_operation("delta_sync", OUTCOMES[usize::from(failed)], Some(seconds));
            self.perf.record(Op::CrdtSync, seconds, failed);
            if !failed && t.rng.chance(MERGE_SHARE) {
                let failed = t.rng.chance(MERGE_FAILURE);
                crdt.record_crdt_operation("merge", OUTCOMES[usize::from(failed)], None);
                if !failed {
                    self.crdt_bytes += t.rng.lognormal(MERGE_BYTES, 0.6);
                    self.tally.writes += 1;
                }
            }
        }
        for _ in 0..self.tally.joined {
            let failed = t.rng.chance(CRDT_FAILURE);
            let seconds = t.rng.lognormal(FULL_SYNC_MEDIAN, 0.4) * self.load;
            crdt.record_crdt_operation("full_sync", OUTCOMES[usize::from(failed)], Some(seconds));
            self.perf.record(Op::CrdtSync, seconds, failed);
        }
        if self.now >= self.next_compaction {
            self.next_compaction += COMPACTION_INTERVAL;
            self.crdt_bytes *= 1.0 - t.rng.range(0.005, 0.015);
        }
        crdt.update_state_size(self.crdt_bytes as i64);
    }

    fn storage(&mut self, t: &mut Tick) {
        let storage = Arc::clone(&self.m.storage);
        for op in &STORAGE_OPS {
            let mut n = t.events(op.rate * self.load);
            if op.name == "put" {
                n += self.tally.writes;
            }
            for _ in 0..n {
                let failed = t.rng.chance(STORAGE_ERROR);
                let seconds = t.rng.lognormal(op.median, op.sigma) * self.load;
                storage
                    .operations_total(op.name, STORAGE_STATUSES[usize::from(failed)])
                    .inc();
                storage.operation_duration_seconds(op.name).observe(seconds);
                self.perf.record(Op::Storage, seconds, failed);
                if failed || !t.rng.chance(NEW_KEY) {
                    continue;
                }
                match op.name {
                    "put" => self.kv_bytes += VALUE_BYTES,
                    "delete" => self.kv_bytes -= VALUE_BYTES,
                    _ => {}
                }
            }
        }
        storage.size_bytes("kv").set(self.kv_bytes as i64);
        storage
            .size_bytes("vector")
            .set(self.rag_index * VECTOR_BYTES);
        storage
            .size_bytes("ledger")
            .set(self.chain_length * ENTRY_BYTES);
    }

    /// SVID renewal at half its lifetime, SPIRE round trips, failed peer validations.
    fn mtls(&mut self, t: &mut Tick) {
        let mtls = Arc::clone(&self.m.mtls);
        let spire = |t: &mut Tick| {
            mtls.spire_server_latency_seconds()
                .observe(t.rng.lognormal(SPIRE_MEDIAN, 0.6) * self.load)
        };
        self.cert_age += t.dt;
        if self.cert_age >= RENEW_AT {
            self.cert_age -= RENEW_AT;
            mtls.mtls_certificate_rotations_total().inc();
            mtls.spiffe_svid_renewal_total().inc();
            spire(t);
        }
        for _ in 0..t.events(1.0 / SPIRE_SYNC_INTERVAL) {
            spire(t);
        }
        // A newcomer is attested and gets its SVID.
        for _ in 0..self.tally.joined {
            mtls.spiffe_svid_issuance_total().inc();
            spire(t);
        }
        mtls.mtls_certificate_age_seconds().set(self.cert_age);
        mtls.mtls_certificate_expiry_seconds()
            .set(SVID_TTL - self.cert_age);
        for _ in 0..self.validation_failures.due(self.now, &mut t.rng) {
            let failure = *t.rng.weighted(VALIDATION_FAILURES);
            mtls.mtls_validation_failures_total(failure).inc();
        }
    }

    /// Threat alerts (a DDoS shows as latency to MAPE-K), Byzantine peers held as suspect.
    fn security(&mut self, t: &mut Tick) {
        let security = Arc::clone(&self.m.security);
        for _ in 0..self.threats.due(self.now, &mut t.rng) {
            let threat = t.rng.weighted(THREATS);
            let severity = *t.rng.pick(threat.severities);
            security.record_threat_alert(threat.name, severity);
            if threat.name == "ddos" {
                self.faults.push(Fault::new(&HIGH_LATENCY, &mut t.rng));
            }
        }
        for _ in 0..self.byzantine.due(self.now, &mut t.rng) {
            let behavior = *t.rng.weighted(BEHAVIORS);
            security.record_byzantine_detection(behavior);
            let i = t.rng.below(PEERS);
            let p = &mut self.peers[i];
            p.suspect_until = self.now + SUSPECT_HOLD;
            p.score = t.rng.range(0.8, 0.95);
            self.m.ml.update_graphsage_anomaly_score(&p.id, p.score);
        }
        let suspects = self
            .peers
            .iter()
            .filter(|p| p.score > SUSPECT_THRESHOLD)
            .count();
        security.update_suspect_nodes(suspects as i64);
    }

    /// The process's memory and CPU, shared out among the components; GC pauses.
    fn infrastructure(&mut self, t: &mut Tick) {
        let infra = Arc::clone(&self.m.infrastructure);
        let cpu_percent = 100.0 * self.cpu.update(&t.process).unwrap_or(0.0);
        for &(component, memory, cpu) in COMPONENTS {
            infra
                .memory_usage_bytes(component)
                .set(t.process.resident_bytes * memory);
            infra.cpu_usage_percent(component).set(cpu_percent * cpu);
        }
        for _ in 0..t.events(GC_RATE) {
            infra
                .gc_pause_duration_seconds()
                .observe(t.rng.lognormal(GC_MEDIAN, 0.9));
        }
    }

    /// Throughput, p99 and error rate of what the other categories did this tick.
    fn performance(&mut self, t: &Tick) {
        let perf = &self.m.performance;
        let done: u64 = self.perf.done.iter().sum();
        for op in Op::ALL {
            let i = op as usize;
            perf.operation_throughput_total(op.name())
                .inc_by(self.perf.done[i]);
            if let Some(p99) = p99(&self.perf.recent[i]) {
                perf.p99_latency_seconds(op.name()).set(p99);
            }
        }
        if done > 0 {
            let ratio = self.perf.failed as f64 / done as f64;
            let weight = (t.dt / ERROR_RATE_WINDOW).min(1.0);
            let rate = match self.perf.error_rate {
                Some(rate) => ewma(rate, ratio, weight),
                None => ratio,
            };
            self.perf.error_rate = Some(rate);
            perf.error_rate_ratio().set(rate.clamp(0.0, 1.0));
        }
        self.perf.done = Default::default();
        self.perf.failed = 0;
    }
}

impl Drive for Workload {
    fn step(&mut self, t: &mut Tick) {
        self.now += t.dt;
        self.tally = Tally::default();
        self.drift_load(t);
        self.churn(t);
        self.mesh(t);
        self.http(t);
        self.mapek(t);
        self.ml(t);
        self.fl(t);
        self.contracts(t);
        self.dao(t);
        self.ledger(t);
        self.raft(t);
        self.crdt(t);
        self.storage(t);
        self.mtls(t);
        self.security(t);
        self.infrastructure(t);
        self.performance(t);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::workload::testing::{assert_counters_never_go_back, Sim, Snapshot};
    use crate::workload::{run, ProcessStats};

    /// The x0tta6bl4 system alone in a registry, with its workload, run for `ticks` ticks
    /// from tick 0.
    fn start(ticks: u64) -> Sim {
        let mut sim = Sim::new("x0tta6bl4");
        sim.run(ticks);
        sim
    }

    #[test]
    fn every_family_moves_within_the_first_minute() {
        let idle = start(60).snapshot().idle(&[]);
        assert!(idle.is_empty(), "idle after a minute: {idle:?}");
    }

    #[test]
    fn the_documents_queries_find_their_values_within_the_first_minute() {
        let s = start(60).snapshot();
        // rate(x0tta6bl4_mapek_cycles_total{status="success"}[5m])
        assert!(s.get("x0tta6bl4_mapek_cycles_total", &["success"]) > 0.0);
        // histogram_quantile(0.95, rate(x0tta6bl4_mapek_cycle_duration_seconds_bucket[5m]))
        for phase in ["monitor", "analyze", "plan", "execute", "total"] {
            let cycles = s.get("x0tta6bl4_mapek_cycle_duration_seconds", &[phase]);
            assert!(cycles > 0.0, "no {phase} phase timed");
        }
        // rate(x0tta6bl4_requests_total{status=~"5.."}[5m])
        let server_errors: f64 = s
            .family("x0tta6bl4_requests_total")
            .iter()
            .filter(|(l, _)| l[2].starts_with('5') && l[2].len() == 3)
            .map(|(_, v)| v)
            .sum();
        assert!(server_errors > 0.0, "no 5xx");
        // 1 - x0tta6bl4_mesh_packet_loss_ratio; x0tta6bl4_graphsage_model_accuracy
        let loss = s.one("x0tta6bl4_mesh_packet_loss_ratio");
        assert!(loss > 0.0 && loss < 0.1, "packet loss {loss}");
        let accuracy = s.one("x0tta6bl4_graphsage_model_accuracy");
        assert!(accuracy > 0.9 && accuracy <= 1.0, "accuracy {accuracy}");
        // The usage examples' values.
        assert!(s.get("x0tta6bl4_mesh_connections_total", &["direct"]) > 0.0);
        assert!(s.get("x0tta6bl4_mesh_bandwidth_bytes_total", &["outbound"]) > 0.0);
        let health = s.get(
            "x0tta6bl4_rag_retrieval_results_total",
            &["network_health", "hit"],
        );
        assert!(health > 0.0);
        assert!(s.get("x0tta6bl4_graphsage_predictions_total", &["anomaly"]) > 0.0);
    }

    #[test]
    fn ten_minutes_keep_the_systems_invariants() {
        let mut sim = start(60);
        let warm = sim.snapshot();
        let first_ids = warm.label_values("x0tta6bl4_graphsage_anomaly_score", 0);
        let mut before = warm.clone();
        for _ in 0..18 {
            run(&mut sim.drives, 30, 1.0);
            let s = sim.snapshot();
            check_invariants(&s);
            check_growth(&before, &s);
            before = s;
        }
        let end = before;
        let (warm_count, end_count) = (warm.series_count(), end.series_count());
        let change = (end_count as f64 - warm_count as f64).abs() / warm_count as f64;
        assert!(
            change < 0.05,
            "series went from {warm_count} to {end_count}"
        );

        // Peers came and went, and took their series with them.
        let end_ids = end.label_values("x0tta6bl4_graphsage_anomaly_score", 0);
        assert_ne!(first_ids, end_ids, "no peer was replaced");

        // Slow improvement: the federated model's loss went down.
        let loss = end.one("x0tta6bl4_fl_global_model_loss");
        assert!(
            loss < FL_LOSS_START * 0.9 && loss > FL_LOSS_FLOOR,
            "FL loss {loss}"
        );
    }

    #[test]
    fn failures_show_at_small_rates_over_ten_minutes() {
        let s = start(600).snapshot();
        let sum = |family: &str, label: usize, value: &str| s.sum_where(family, label, value);
        let ratio = |failed: f64, all: f64| {
            assert!(failed > 0.0, "no failure");
            failed / all
        };
        let cycles = sum("x0tta6bl4_mapek_cycles_total", 0, "success");
        for status in ["failed", "partial"] {
            let n = s.get("x0tta6bl4_mapek_cycles_total", &[status]);
            assert!(ratio(n, cycles) < 0.1, "{n} {status} cycles of {cycles}");
        }
        let all = s.sum("x0tta6bl4_mapek_recovery_actions_total");
        let failed = sum("x0tta6bl4_mapek_recovery_actions_total", 1, "failed");
        assert!(
            ratio(failed, all) < 0.2,
            "{failed} failed recoveries of {all}"
        );
        let requests = s.sum("x0tta6bl4_requests_total");
        let server_errors =
            sum("x0tta6bl4_requests_total", 2, "500") + sum("x0tta6bl4_requests_total", 2, "503");
        let share = ratio(server_errors, requests);
        assert!((0.005..0.02).contains(&share), "5xx share {share}");
        for (family, label, value) in [
            ("x0tta6bl4_crdt_sync_operations_total", 1, "failed"),
            ("x0tta6bl4_storage_operations_total", 1, "error"),
            ("x0tta6bl4_contract_calls_total", 2, "reverted"),
        ] {
            let all = s.sum(family);
            let share = ratio(sum(family, label, value), all);
            assert!((0.002..0.05).contains(&share), "{family} {value}: {share}");
        }
        let error_rate = s.one("x0tta6bl4_error_rate_ratio");
        assert!(
            error_rate > 0.0 && error_rate < 0.05,
            "error rate {error_rate}"
        );
    }

    /// What holds at any moment.
    fn check_invariants(s: &Snapshot) {
        let in_unit = |family: &str, v: f64| {
            assert!((0.0..=1.0).contains(&v), "{family} = {v} is not in [0, 1]");
        };
        for family in [
            "x0tta6bl4_mesh_packet_loss_ratio",
            "x0tta6bl4_graphsage_model_accuracy",
            "x0tta6bl4_rag_vector_similarity",
            "x0tta6bl4_dao_vote_participation_ratio",
            "x0tta6bl4_error_rate_ratio",
        ] {
            in_unit(family, s.one(family));
        }
        let scores = s.family("x0tta6bl4_graphsage_anomaly_score");
        assert_eq!(scores.len(), PEERS, "one score per current peer");
        for v in scores.values() {
            in_unit("x0tta6bl4_graphsage_anomaly_score", *v);
        }
        let suspects = scores
            .iter()
            .filter(|(_, v)| **v > SUSPECT_THRESHOLD)
            .count();
        assert_eq!(s.one("x0tta6bl4_suspect_nodes_count"), suspects as f64);
        for v in s.family("x0tta6bl4_cpu_usage_percent").values() {
            assert!((0.0..=100.0).contains(v), "CPU {v}%");
        }

        // FL updates come from current peers only, at most the participants.
        let peers: BTreeSet<&str> = scores.keys().map(|l| l[0].as_str()).collect();
        let updates = s.family("x0tta6bl4_fl_local_updates_total");
        assert!(
            updates.len() <= FL_PARTICIPANTS,
            "{} FL nodes",
            updates.len()
        );
        for l in updates.keys() {
            assert!(peers.contains(l[0].as_str()), "{} left the mesh", l[0]);
        }
        let participants = s.one("x0tta6bl4_fl_participant_count");
        assert!((1.0..=FL_PARTICIPANTS as f64).contains(&participants));

        let nodes = s.one("x0tta6bl4_mesh_nodes_active");
        assert!(nodes >= 1.0 && nodes <= (PEERS + 1) as f64, "{nodes} nodes");
        let followers = s.one("x0tta6bl4_raft_followers_count");
        assert!((0.0..=RAFT_PEERS as f64).contains(&followers));
        // Every leader change took at least one term.
        let changes = s.one("x0tta6bl4_raft_leader_changes_total");
        assert!(s.one("x0tta6bl4_raft_term") >= TERM_START as f64 + changes);

        // The certificate: age and time left add up to its lifetime, renewed at half of it.
        let age = s.one("x0tta6bl4_mtls_certificate_age_seconds");
        let expiry = s.one("x0tta6bl4_mtls_certificate_expiry_seconds");
        assert!((age + expiry - SVID_TTL).abs() < 1e-6, "{age} + {expiry}");
        assert!((0.0..RENEW_AT).contains(&age), "age {age}");

        // The stores are sized by what they hold.
        let chain = s.one("x0tta6bl4_ledger_chain_length");
        assert_eq!(
            s.get("x0tta6bl4_storage_size_bytes", &["ledger"]),
            chain * 620.0
        );
        let vectors = s.one("x0tta6bl4_rag_index_size_vectors");
        let vector_bytes = s.get("x0tta6bl4_storage_size_bytes", &["vector"]);
        assert_eq!(vector_bytes, vectors * VECTOR_BYTES as f64);

        // Label values are real-looking, never `<label>-N`.
        for (family, f) in s.families() {
            for labels in f.series.keys() {
                for l in labels {
                    let placeholder = l.rsplit_once('-').is_some_and(|(word, n)| {
                        word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                            && n.chars().all(|c| c.is_ascii_digit())
                    });
                    assert!(!placeholder, "{family} has the placeholder {l}");
                }
            }
        }
    }

    /// What only grows between two snapshots.
    fn check_growth(before: &Snapshot, now: &Snapshot) {
        for family in [
            "x0tta6bl4_raft_term",
            "x0tta6bl4_ledger_chain_length",
            "x0tta6bl4_rag_index_size_vectors",
            "x0tta6bl4_mapek_knowledge_base_size_entries",
        ] {
            let (b, n) = (before.one(family), now.one(family));
            assert!(n >= b, "{family} went back from {b} to {n}");
        }
        assert!(
            now.one("x0tta6bl4_ledger_chain_length") > before.one("x0tta6bl4_ledger_chain_length")
        );
    }

    #[test]
    fn counters_and_histograms_never_go_back() {
        let mut sim = start(0);
        let mut before = sim.snapshot();
        for _ in 0..10 {
            run(&mut sim.drives, 30, 1.0);
            let now = sim.snapshot();
            assert_counters_never_go_back(&before, &now);
            before = now;
        }
    }

    #[test]
    fn resource_gauges_mirror_the_process() {
        let s = start(60).snapshot();
        let real = ProcessStats::read();
        let memory = s.sum("x0tta6bl4_memory_usage_bytes");
        let off = (memory - real.resident_bytes).abs() / real.resident_bytes;
        assert!(
            off < 0.25,
            "components hold {memory} bytes, the process {}",
            real.resident_bytes
        );
        let cpu = s.sum("x0tta6bl4_cpu_usage_percent");
        assert!(cpu > 0.0 && cpu <= 100.0, "CPU {cpu}%");
        let cpus = std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64);
        let lifetime = 100.0 * real.cpu_seconds / real.uptime_seconds / cpus;
        assert!(
            cpu <= lifetime * 2.0 + 1.0,
            "CPU {cpu}% against {lifetime}% over the process's life"
        );
    }

    #[test]
    fn node_ids_look_like_node_ids() {
        let ids: BTreeSet<String> = (0..1000)
            .map(|n| node_id(&format!("{PEER_PREFIX}{n}")))
            .collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            let key = id.strip_prefix("node-").unwrap();
            assert_eq!(key.len(), 8);
            assert!(key
                .chars()
                .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
        }
    }
}
