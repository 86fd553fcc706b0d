//! Histogram bucket presets for x0tta6bl4.
//!
//! The seed document gives no bucket boundaries. Except where noted, these presets are the
//! boundaries that the upstream implementation (`src/monitoring/metrics.py` of
//! x0tta6bl4-ai/x0tta6bl4) passes to prometheus_client, so the `le` values stay the same as on
//! the Python service.

/// `x0tta6bl4_request_duration_seconds`.
pub const HTTP_REQUEST: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// `x0tta6bl4_mapek_cycle_duration_seconds` (all phases, including `total`).
pub const MAPEK_PHASE: &[f64] = &[0.01, 0.05, 0.1, 0.2, 0.5, 1.0];

/// Short operations: GraphSAGE inference, RAG retrieval, SPIRE server latency, contract execution.
pub const FAST_OPERATION: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5, 1.0];

/// Slower operations: RAG generation, ledger sync.
pub const SLOW_OPERATION: &[f64] = &[0.1, 0.5, 1.0, 2.0, 5.0];

/// Long-running work: GraphSAGE training, federated-learning rounds.
pub const TRAINING: &[f64] = &[1.0, 5.0, 10.0, 30.0, 60.0];

/// Replication and sync steps: CRDT sync, Raft log replication.
pub const SYNC: &[f64] = &[0.01, 0.05, 0.1, 0.25, 0.5];

/// Storage/KV operations.
pub const STORAGE: &[f64] = &[0.001, 0.01, 0.05, 0.1, 0.5];

/// Garbage-collection pauses.
pub const GC_PAUSE: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1];

/// Mesh link latency.
pub const MESH_LATENCY: &[f64] = &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0];

/// Mesh path hop counts. Our own choice: upstream uses the client's default buckets, which are
/// meant for seconds (0.005 to 10) and tell little about integer hop counts.
pub const HOP_COUNT: &[f64] = &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 16.0];

/// Gas used per smart-contract call. Our own choice: upstream uses the client's default
/// buckets, which are meant for seconds.
pub const GAS_USED: &[f64] = &[
    1_000.0,
    10_000.0,
    21_000.0,
    50_000.0,
    100_000.0,
    500_000.0,
    1_000_000.0,
    5_000_000.0,
    10_000_000.0,
];
