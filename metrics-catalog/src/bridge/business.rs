//! Business metrics (seed: "Application Metrics", `# Business metrics`).

use promdecl::{IntGauge, Metrics};

/// Federation peers, blacklist and trust store sizes.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge")]
pub struct Business {
    /// Number of connected peers
    #[metric(gauge, allow_reserved_suffix)]
    pub peer_count: IntGauge,

    /// Number of blacklisted instances
    #[metric(gauge)]
    pub blacklist_size: IntGauge,

    /// Number of instances in trust store
    #[metric(gauge)]
    pub trust_store_size: IntGauge,
}
