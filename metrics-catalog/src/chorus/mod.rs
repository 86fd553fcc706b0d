//! CHORUS `pkg/metrics`: the Prometheus metrics of the CHORUS distributed system.
//!
//! Source of truth: `shared/seeds/chorus-pkg-metrics.md` (the Go package's documentation). Every
//! family is exposed under exactly the name, type and label names that document gives, so its
//! PromQL queries, alerting rules and dashboards work unchanged against a Rust service.
//!
//! One module per category of the document's "Metrics Catalog":
//!
//! | module        | category                          | exposed prefix          |
//! |---------------|-----------------------------------|-------------------------|
//! | [`system`]    | System Metrics                    | `chorus_`               |
//! | [`p2p`]       | P2P Network Metrics               | `chorus_p2p_`           |
//! | [`dht`]       | DHT Metrics                       | `chorus_dht_`           |
//! | [`pubsub`]    | PubSub Messaging Metrics          | `chorus_pubsub_`        |
//! | [`election`]  | Election System Metrics           | `chorus_`               |
//! | [`health`]    | Health Monitoring Metrics         | `chorus_`               |
//! | [`tasks`]     | Task Management Metrics           | `chorus_`               |
//! | [`slurp`]     | SLURP (Context Generation)        | `chorus_slurp_`         |
//! | [`shhh`]      | SHHH (Secret Sentinel)            | `chorus_shhh_`          |
//! | [`ucxi`]      | UCXI (Protocol Resolution)        | `chorus_ucxi_`          |
//! | [`resources`] | Resource Utilization Metrics      | `chorus_`               |
//! | [`errors`]    | Error Metrics                     | `chorus_`               |
//!
//! Histogram buckets are in [`buckets`] (the `MetricsConfig` latency/size defaults and the SLURP
//! generation buckets); alerting rules in [`alerts`].

use std::fmt;
use std::sync::Arc;

use promdecl::{FamilyDesc, Metrics, Registry, RegistryError};

pub mod alerts;
pub mod buckets;
pub mod dht;
pub mod election;
pub mod errors;
pub mod health;
pub mod labels;
pub mod p2p;
pub mod pubsub;
pub mod resources;
pub mod shhh;
pub mod slurp;
pub mod system;
pub mod tasks;
pub mod ucxi;

pub use labels::Status;
pub use system::NodeInfo;

/// All CHORUS metric families, one registered struct per category (the Go `CHORUSMetrics`).
#[derive(Clone)]
pub struct Chorus {
    /// `chorus_system_info`, `chorus_uptime_seconds`.
    pub system: Arc<system::System>,
    /// `chorus_p2p_*`.
    pub p2p: Arc<p2p::P2p>,
    /// `chorus_dht_*`.
    pub dht: Arc<dht::Dht>,
    /// `chorus_pubsub_*`.
    pub pubsub: Arc<pubsub::PubSub>,
    /// Election term/state, heartbeats, leadership.
    pub election: Arc<election::Election>,
    /// Health checks and health scores.
    pub health: Arc<health::Health>,
    /// Task management.
    pub tasks: Arc<tasks::Tasks>,
    /// `chorus_slurp_*`.
    pub slurp: Arc<slurp::Slurp>,
    /// `chorus_shhh_*`.
    pub shhh: Arc<shhh::Shhh>,
    /// `chorus_ucxi_*`.
    pub ucxi: Arc<ucxi::Ucxi>,
    /// CPU, memory, disk, network, goroutines.
    pub resources: Arc<resources::Resources>,
    /// `chorus_errors_total`, `chorus_panics_total`.
    pub errors: Arc<errors::Errors>,
}

impl fmt::Debug for Chorus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chorus").finish_non_exhaustive()
    }
}

impl Chorus {
    /// Registers every CHORUS family in `registry`.
    ///
    /// # Errors
    /// A [`RegistryError`] when a family clashes with one already registered.
    pub fn register(registry: &Registry) -> Result<Self, RegistryError> {
        Ok(Self {
            system: registry.register(system::System::new())?,
            p2p: registry.register(p2p::P2p::new())?,
            dht: registry.register(dht::Dht::new())?,
            pubsub: registry.register(pubsub::PubSub::new())?,
            election: registry.register(election::Election::new())?,
            health: registry.register(health::Health::new())?,
            tasks: registry.register(tasks::Tasks::new())?,
            slurp: registry.register(slurp::Slurp::new())?,
            shhh: registry.register(shhh::Shhh::new())?,
            ucxi: registry.register(ucxi::Ucxi::new())?,
            resources: registry.register(resources::Resources::new())?,
            errors: registry.register(errors::Errors::new())?,
        })
    }

    /// Registers every family and sets `chorus_system_info` for this node.
    ///
    /// # Errors
    /// A [`RegistryError`] when a family clashes with one already registered.
    pub fn register_node(registry: &Registry, node: &NodeInfo<'_>) -> Result<Self, RegistryError> {
        let chorus = Self::register(registry)?;
        chorus.system.set_info(node);
        Ok(chorus)
    }

    /// The static descriptors of every CHORUS family, category by category in document order.
    pub fn families() -> impl Iterator<Item = &'static FamilyDesc> {
        [
            <system::System as Metrics>::FAMILIES,
            <p2p::P2p as Metrics>::FAMILIES,
            <dht::Dht as Metrics>::FAMILIES,
            <pubsub::PubSub as Metrics>::FAMILIES,
            <election::Election as Metrics>::FAMILIES,
            <health::Health as Metrics>::FAMILIES,
            <tasks::Tasks as Metrics>::FAMILIES,
            <slurp::Slurp as Metrics>::FAMILIES,
            <shhh::Shhh as Metrics>::FAMILIES,
            <ucxi::Ucxi as Metrics>::FAMILIES,
            <resources::Resources as Metrics>::FAMILIES,
            <errors::Errors as Metrics>::FAMILIES,
        ]
        .into_iter()
        .flatten()
    }
}

/// The alerting rules of the document (group `chorus_alerts`).
#[must_use]
pub fn alert_rules() -> &'static [crate::rules::RuleGroup] {
    alerts::RULE_GROUPS
}
