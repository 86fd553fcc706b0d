//! x0tta6bl4: self-healing mesh platform (MAPE-K loop, GraphSAGE/RAG, ledger, CRDT, Raft,
//! mTLS/SPIFFE, federated learning, DAO).
//!
//! Seed: `x0tta6bl4-metrics-expansion.md` ("P1 #1: Prometheus Metrics Expansion"). Every name
//! in its Metrics Reference is declared with its labels. The category table also names CRDT
//! sync, smart contract, storage/KV, infrastructure, security/threat and performance families
//! that the reference omits; those are derived with the reference's naming pattern and carry
//! a `note` saying so. The document gives no HELP texts, metric types or buckets: HELP is
//! written from its descriptions, types follow its collectors, and buckets follow the upstream
//! implementation (see [`buckets`]).
//!
//! The document defines no alert rules, so this system has none.
//!
//! Collector flows from the document are inherent methods on the category structs, e.g.
//! [`mapek::Mapek::start_cycle`] (per-phase timing), [`fl::Fl::start_round`],
//! [`ml::Ml::record_rag_retrieval`], [`mesh::Mesh::record_bandwidth`].

pub mod buckets;
pub mod contracts;
pub mod crdt;
pub mod dao;
pub mod dashboards;
pub mod fl;
pub mod http;
pub mod infrastructure;
pub mod labels;
pub mod ledger;
pub mod mapek;
pub mod mesh;
pub mod ml;
pub mod mtls;
pub mod performance;
pub mod queries;
pub mod raft;
pub mod security;
pub mod storage;
pub mod workload;

crate::macros::system! {
    /// All x0tta6bl4 metric families, one registered struct per category.
    pub struct X0tta6bl4 {
        /// HTTP API request metrics.
        http: http::Http = "HTTP Request Metrics",
        /// MAPE-K cycle metrics.
        mapek: mapek::Mapek = "MAPE-K Cycle Metrics",
        /// GraphSAGE and RAG metrics.
        ml: ml::Ml = "ML Metrics",
        /// Mesh network metrics.
        mesh: mesh::Mesh = "Mesh Network Metrics",
        /// mTLS and SPIFFE/SPIRE metrics.
        mtls: mtls::Mtls = "mTLS & SPIFFE Metrics",
        /// Raft consensus metrics.
        raft: raft::Raft = "Consensus (Raft) Metrics",
        /// Distributed ledger metrics.
        ledger: ledger::Ledger = "Ledger Metrics",
        /// Federated learning metrics.
        fl: fl::Fl = "Federated Learning Metrics",
        /// DAO governance metrics.
        dao: dao::Dao = "DAO Governance Metrics",
        /// CRDT sync metrics (derived names).
        crdt: crdt::Crdt = "CRDT Sync",
        /// Smart contract metrics (derived names).
        contracts: contracts::Contracts = "Smart Contracts",
        /// Storage/KV metrics (derived names).
        storage: storage::Storage = "Storage/KV",
        /// Infrastructure metrics (derived names).
        infrastructure: infrastructure::Infrastructure = "Infrastructure",
        /// Security/threat metrics (derived names).
        security: security::Security = "Security/Threats",
        /// Performance metrics (derived names).
        performance: performance::Performance = "Performance",
    }
}
