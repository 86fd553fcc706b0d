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
//! The document defines no alert rules, so this system has no `alert_rules()`.
//!
//! Collector flows from the document are inherent methods on the category structs, e.g.
//! [`mapek::Mapek::start_cycle`] (per-phase timing), [`fl::Fl::start_round`],
//! [`ml::Ml::record_rag_retrieval`], [`mesh::Mesh::record_bandwidth`].

use std::fmt;
use std::sync::Arc;

use promdecl::{FamilyDesc, Metrics, Registry, RegistryError};

pub mod buckets;
pub mod contracts;
pub mod crdt;
pub mod dao;
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
pub mod raft;
pub mod security;
pub mod storage;

use contracts::Contracts;
use crdt::Crdt;
use dao::Dao;
use fl::Fl;
use http::Http;
use infrastructure::Infrastructure;
use ledger::Ledger;
use mapek::Mapek;
use mesh::Mesh;
use ml::Ml;
use mtls::Mtls;
use performance::Performance;
use raft::Raft;
use security::Security;
use storage::Storage;

/// All x0tta6bl4 metric families, one registered struct per category.
pub struct X0tta6bl4 {
    /// HTTP API request metrics.
    pub http: Arc<Http>,
    /// MAPE-K cycle metrics.
    pub mapek: Arc<Mapek>,
    /// GraphSAGE and RAG metrics.
    pub ml: Arc<Ml>,
    /// Mesh network metrics.
    pub mesh: Arc<Mesh>,
    /// mTLS and SPIFFE/SPIRE metrics.
    pub mtls: Arc<Mtls>,
    /// Raft consensus metrics.
    pub raft: Arc<Raft>,
    /// Distributed ledger metrics.
    pub ledger: Arc<Ledger>,
    /// Federated learning metrics.
    pub fl: Arc<Fl>,
    /// DAO governance metrics.
    pub dao: Arc<Dao>,
    /// CRDT sync metrics (derived names).
    pub crdt: Arc<Crdt>,
    /// Smart contract metrics (derived names).
    pub contracts: Arc<Contracts>,
    /// Storage/KV metrics (derived names).
    pub storage: Arc<Storage>,
    /// Infrastructure metrics (derived names).
    pub infrastructure: Arc<Infrastructure>,
    /// Security/threat metrics (derived names).
    pub security: Arc<Security>,
    /// Performance metrics (derived names).
    pub performance: Arc<Performance>,
}

impl X0tta6bl4 {
    /// Registers every x0tta6bl4 family in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, RegistryError> {
        Ok(Self {
            http: registry.register(Http::new())?,
            mapek: registry.register(Mapek::new())?,
            ml: registry.register(Ml::new())?,
            mesh: registry.register(Mesh::new())?,
            mtls: registry.register(Mtls::new())?,
            raft: registry.register(Raft::new())?,
            ledger: registry.register(Ledger::new())?,
            fl: registry.register(Fl::new())?,
            dao: registry.register(Dao::new())?,
            crdt: registry.register(Crdt::new())?,
            contracts: registry.register(Contracts::new())?,
            storage: registry.register(Storage::new())?,
            infrastructure: registry.register(Infrastructure::new())?,
            security: registry.register(Security::new())?,
            performance: registry.register(Performance::new())?,
        })
    }

    /// Static descriptors of every x0tta6bl4 family, category by category.
    pub fn families() -> impl Iterator<Item = &'static FamilyDesc> {
        [
            <Http as Metrics>::FAMILIES,
            <Mapek as Metrics>::FAMILIES,
            <Ml as Metrics>::FAMILIES,
            <Mesh as Metrics>::FAMILIES,
            <Mtls as Metrics>::FAMILIES,
            <Raft as Metrics>::FAMILIES,
            <Ledger as Metrics>::FAMILIES,
            <Fl as Metrics>::FAMILIES,
            <Dao as Metrics>::FAMILIES,
            <Crdt as Metrics>::FAMILIES,
            <Contracts as Metrics>::FAMILIES,
            <Storage as Metrics>::FAMILIES,
            <Infrastructure as Metrics>::FAMILIES,
            <Security as Metrics>::FAMILIES,
            <Performance as Metrics>::FAMILIES,
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Debug for X0tta6bl4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X0tta6bl4").finish_non_exhaustive()
    }
}
