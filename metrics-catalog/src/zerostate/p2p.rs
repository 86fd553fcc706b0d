//! P2P metrics shown in the document's `/metrics` sample ("P2P Metrics"). These families are
//! exposed without the `zerostate` namespace, exactly as the sample shows them.

use promdecl::{Histogram, IntGauge, Metrics};

/// Peer monitoring, connection pooling and content verification.
#[derive(Debug, Metrics)]
pub struct P2p {
    /// Number of actively monitored peers
    #[metric(gauge)]
    pub active_peer_monitors: IntGauge,

    /// Total number of pooled connections
    #[metric(
        gauge,
        note = "type, labels and help not given by the document (only the name, in the list of families served); a gauge of pooled connections, help from zerostate's p2p connection pool"
    )]
    pub connection_pool_size: IntGauge,

    /// Content verification latency
    #[metric(
        histogram,
        buckets = crate::zerostate::buckets::DURATION,
        note = "name exactly as the document lists it, without a unit suffix (values are seconds; zerostate's source names it `content_verification_latency_seconds`); type, labels and help not given: a histogram in seconds, DurationBuckets"
    )]
    pub content_verification_latency: Histogram,
}
