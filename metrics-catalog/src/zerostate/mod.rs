//! zerostate: the metrics of the zerostate agent marketplace API.
//!
//! Seed: `shared/seeds/zerostate-prometheus-metrics.md` (the Sprint 9 "Prometheus Metrics"
//! report). It describes the economic metrics of `libs/economic/metrics.go` (payment
//! channels, payments, reputation, settlements, auctions, task execution, escrow), exposed
//! under `zerostate_economic_*` with the names its PromQL queries and alert rules use; the
//! P2P and cache families its `/metrics` sample shows (unprefixed); the four standard bucket
//! sets of `libs/metrics/registry.go` ([`buckets`]); its alert rules ([`alerts`]); and the
//! Go helpers (`RecordPayment`, ...) as inherent methods of the category structs.
//!
//! The Go runtime families of the sample (`go_gc_duration_seconds`, `go_goroutines`, ...) come
//! from the Go client's runtime collector and are not declared here.

use std::fmt;
use std::sync::Arc;

use promdecl::{FamilyDesc, Metrics, Registry, RegistryError};

pub mod alerts;
pub mod auctions;
pub mod buckets;
pub mod cache;
pub mod escrow;
pub mod labels;
pub mod p2p;
pub mod payment_channels;
pub mod payments;
pub mod reputation;
pub mod settlements;
pub mod tasks;

pub use auctions::Auctions;
pub use cache::Cache;
pub use escrow::Escrow;
pub use p2p::P2p;
pub use payment_channels::PaymentChannels;
pub use payments::Payments;
pub use reputation::Reputation;
pub use settlements::Settlements;
pub use tasks::Tasks;

/// All zerostate metric families, one registered category struct per field.
pub struct Zerostate {
    /// `zerostate_economic_channel*`: payment channels.
    pub payment_channels: Arc<PaymentChannels>,
    /// `zerostate_economic_payment*`: payments.
    pub payments: Arc<Payments>,
    /// Reputation scores and per-agent task statistics.
    pub reputation: Arc<Reputation>,
    /// Settlements and disputes.
    pub settlements: Arc<Settlements>,
    /// Auctions and bids.
    pub auctions: Arc<Auctions>,
    /// Task execution.
    pub tasks: Arc<Tasks>,
    /// Escrows.
    pub escrow: Arc<Escrow>,
    /// Unprefixed P2P families.
    pub p2p: Arc<P2p>,
    /// Unprefixed cache families.
    pub cache: Arc<Cache>,
}

impl Zerostate {
    /// Registers every zerostate category in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, RegistryError> {
        Ok(Self {
            payment_channels: registry.register(PaymentChannels::new())?,
            payments: registry.register(Payments::new())?,
            reputation: registry.register(Reputation::new())?,
            settlements: registry.register(Settlements::new())?,
            auctions: registry.register(Auctions::new())?,
            tasks: registry.register(Tasks::new())?,
            escrow: registry.register(Escrow::new())?,
            p2p: registry.register(P2p::new())?,
            cache: registry.register(Cache::new())?,
        })
    }

    /// The static descriptors of every zerostate family, category by category.
    pub fn families() -> impl Iterator<Item = &'static FamilyDesc> {
        [
            <PaymentChannels as Metrics>::FAMILIES,
            <Payments as Metrics>::FAMILIES,
            <Reputation as Metrics>::FAMILIES,
            <Settlements as Metrics>::FAMILIES,
            <Auctions as Metrics>::FAMILIES,
            <Tasks as Metrics>::FAMILIES,
            <Escrow as Metrics>::FAMILIES,
            <P2p as Metrics>::FAMILIES,
            <Cache as Metrics>::FAMILIES,
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Debug for Zerostate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Zerostate").finish_non_exhaustive()
    }
}

/// The alert rules the document gives (group `zerostate_economic`).
pub fn alert_rules() -> &'static [crate::rules::RuleGroup] {
    alerts::RULE_GROUPS
}
