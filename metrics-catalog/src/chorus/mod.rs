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
//! generation buckets); alerting rules in [`alerts`]. The document's category headings title
//! the sections of the generated reference.

use promdecl::{Registry, RegistryError};

pub mod alerts;
pub mod buckets;
pub mod dashboards;
pub mod dht;
pub mod election;
pub mod errors;
pub mod health;
pub mod labels;
pub mod p2p;
pub mod pubsub;
pub mod queries;
pub mod resources;
pub mod shhh;
pub mod slurp;
pub mod system;
pub mod tasks;
pub mod ucxi;
pub mod workload;

pub use labels::Status;
pub use system::NodeInfo;

crate::macros::system! {
    /// All CHORUS metric families, one registered struct per category (the Go `CHORUSMetrics`).
    pub struct Chorus {
        /// `chorus_system_info`, `chorus_uptime_seconds`.
        system: system::System = "System Metrics",
        /// `chorus_p2p_*`.
        p2p: p2p::P2p = "P2P Network Metrics",
        /// `chorus_dht_*`.
        dht: dht::Dht = "DHT (Distributed Hash Table) Metrics",
        /// `chorus_pubsub_*`.
        pubsub: pubsub::PubSub = "PubSub Messaging Metrics",
        /// Election term/state, heartbeats, leadership.
        election: election::Election = "Election System Metrics",
        /// Health checks and health scores.
        health: health::Health = "Health Monitoring Metrics",
        /// Task management.
        tasks: tasks::Tasks = "Task Management Metrics",
        /// `chorus_slurp_*`.
        slurp: slurp::Slurp = "SLURP (Context Generation) Metrics",
        /// `chorus_shhh_*`.
        shhh: shhh::Shhh = "SHHH (Secret Sentinel) Metrics",
        /// `chorus_ucxi_*`.
        ucxi: ucxi::Ucxi = "UCXI (Protocol Resolution) Metrics",
        /// CPU, memory, disk, network, goroutines.
        resources: resources::Resources = "Resource Utilization Metrics",
        /// `chorus_errors_total`, `chorus_panics_total`.
        errors: errors::Errors = "Error Metrics",
    }
}

impl Chorus {
    /// Registers every family and sets `chorus_system_info` for this node.
    ///
    /// # Errors
    /// A [`RegistryError`] when a family clashes with one already registered.
    pub fn register_node(registry: &Registry, node: &NodeInfo<'_>) -> Result<Self, RegistryError> {
        let chorus = Self::register(registry)?;
        chorus.system.set_info(node);
        Ok(chorus)
    }
}
