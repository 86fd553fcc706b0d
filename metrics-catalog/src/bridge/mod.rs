//! Chorus Bridge: the federation bridge between Chorus stage instances and the Conductor
//! (ActivityPub export, moderation, trust store).
//!
//! Seed: `chorus-bridge-monitoring-guide.md` ("Chorus Bridge - Monitoring Guide"). Every
//! `bridge_*` family its Python `prometheus_client` code defines is declared under its exposed
//! name (the document's Counter names already end in `_total`, which prometheus_client keeps
//! as is), with the document's HELP texts verbatim. The three security counters that only its
//! Grafana dashboard and alert rules use are declared too ([`security`]). The alert rules are
//! in [`alerts`], verbatim.

use std::fmt;
use std::sync::Arc;

use promdecl::{FamilyDesc, Metrics, Registry, RegistryError};

pub mod alerts;
pub mod buckets;
pub mod business;
pub mod conductor;
pub mod custom;
pub mod database;
pub mod performance;
pub mod requests;
pub mod security;
pub mod system;

use business::Business;
use conductor::Conductor;
use custom::Custom;
use database::Database;
use performance::Performance;
use requests::Requests;
use security::Security;
use system::System;

/// All Chorus Bridge metric families, one registered struct per category.
pub struct Bridge {
    /// Federation event counters (`# Request metrics`).
    pub requests: Arc<Requests>,
    /// HTTP request latency and size (`# Performance metrics`).
    pub performance: Arc<Performance>,
    /// Conductor client, circuit breaker and connection pool.
    pub conductor: Arc<Conductor>,
    /// Peers, blacklist and trust store (`# Business metrics`).
    pub business: Arc<Business>,
    /// Memory and CPU (`# System metrics`).
    pub system: Arc<System>,
    /// Database metrics.
    pub database: Arc<Database>,
    /// Custom business metrics (`BridgeMetrics`).
    pub custom: Arc<Custom>,
    /// Security counters used by the dashboards and alerts.
    pub security: Arc<Security>,
}

impl Bridge {
    /// Registers every Chorus Bridge family in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, RegistryError> {
        Ok(Self {
            requests: registry.register(Requests::new())?,
            performance: registry.register(Performance::new())?,
            conductor: registry.register(Conductor::new())?,
            business: registry.register(Business::new())?,
            system: registry.register(System::new())?,
            database: registry.register(Database::new())?,
            custom: registry.register(Custom::new())?,
            security: registry.register(Security::new())?,
        })
    }

    /// Static descriptors of every Chorus Bridge family, category by category.
    pub fn families() -> impl Iterator<Item = &'static FamilyDesc> {
        [
            <Requests as Metrics>::FAMILIES,
            <Performance as Metrics>::FAMILIES,
            <Conductor as Metrics>::FAMILIES,
            <Business as Metrics>::FAMILIES,
            <System as Metrics>::FAMILIES,
            <Database as Metrics>::FAMILIES,
            <Custom as Metrics>::FAMILIES,
            <Security as Metrics>::FAMILIES,
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Debug for Bridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bridge").finish_non_exhaustive()
    }
}

/// The document's alert rules (group `chorus-bridge`).
pub fn alert_rules() -> &'static [crate::rules::RuleGroup] {
    alerts::RULE_GROUPS
}
