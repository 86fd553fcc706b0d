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

pub mod alerts;
pub mod auctions;
pub mod buckets;
pub mod cache;
pub mod dashboards;
pub mod escrow;
pub mod labels;
pub mod p2p;
pub mod payment_channels;
pub mod payments;
pub mod queries;
pub mod reputation;
pub mod settlements;
pub mod tasks;
pub mod workload;

pub use auctions::Auctions;
pub use cache::Cache;
pub use escrow::Escrow;
pub use p2p::P2p;
pub use payment_channels::PaymentChannels;
pub use payments::Payments;
pub use reputation::Reputation;
pub use settlements::Settlements;
pub use tasks::Tasks;

crate::macros::system! {
    /// All zerostate metric families, one registered category struct per field.
    pub struct Zerostate {
        /// `zerostate_economic_channel*`: payment channels.
        payment_channels: PaymentChannels = "Payment Channel Metrics",
        /// `zerostate_economic_payment*`: payments.
        payments: Payments = "Payment Metrics",
        /// Reputation scores and per-agent task statistics.
        reputation: Reputation = "Reputation Metrics",
        /// Settlements and disputes.
        settlements: Settlements = "Settlement Metrics",
        /// Auctions and bids.
        auctions: Auctions = "Auction Metrics",
        /// Task execution.
        tasks: Tasks = "Task Execution Metrics",
        /// Escrows.
        escrow: Escrow = "Escrow Metrics",
        /// Unprefixed P2P families.
        p2p: P2p = "P2P Metrics",
        /// Unprefixed cache families.
        cache: Cache = "Cache Metrics",
    }
}
