//! Chorus Bridge: the federation bridge between Chorus stage instances and the Conductor
//! (ActivityPub export, moderation, trust store).
//!
//! Seed: `chorus-bridge-monitoring-guide.md` ("Chorus Bridge - Monitoring Guide"). Every
//! `bridge_*` family its Python `prometheus_client` code defines is declared under its exposed
//! name (the document's Counter names already end in `_total`, which prometheus_client keeps
//! as is), with the document's HELP texts verbatim. The three security counters that only its
//! Grafana dashboard and alert rules use are declared too ([`security`]). The alert rules are
//! in [`alerts`], verbatim but for one name. Its performance KPIs are service-level objectives
//! and a CPU alert in [`slo`].

pub mod alerts;
pub mod buckets;
pub mod business;
pub mod conductor;
pub mod custom;
pub mod dashboards;
pub mod database;
pub mod performance;
pub mod queries;
pub mod requests;
pub mod security;
pub mod slo;
pub mod system;
pub mod workload;

crate::macros::system! {
    /// All Chorus Bridge metric families, one registered struct per category.
    pub struct Bridge {
        /// Federation event counters (`# Request metrics`).
        requests: requests::Requests = "Request metrics",
        /// HTTP request latency and size (`# Performance metrics`).
        performance: performance::Performance = "Performance metrics",
        /// Conductor client, circuit breaker and connection pool.
        conductor: conductor::Conductor = "Conductor, circuit breaker and connection pool metrics",
        /// Peers, blacklist and trust store (`# Business metrics`).
        business: business::Business = "Business metrics",
        /// Memory and CPU (`# System metrics`).
        system: system::System = "System metrics",
        /// Database metrics.
        database: database::Database = "Database Metrics",
        /// Custom business metrics (`BridgeMetrics`).
        custom: custom::Custom = "Custom Metrics",
        /// Security counters used by the dashboards and alerts.
        security: security::Security = "Security Dashboard metrics",
    }
}
