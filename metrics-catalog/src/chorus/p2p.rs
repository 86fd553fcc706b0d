//! P2P network metrics (`chorus_p2p_*`).

use std::time::Duration;

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

use super::buckets::{CONNECTION_DURATION, LATENCY};

/// P2P network metrics: peers, message volume, latency and connection quality.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus_p2p")]
pub struct P2p {
    /// Number of currently connected P2P peers
    #[metric(gauge)]
    pub connected_peers: IntGauge,

    /// Total number of P2P messages sent
    #[metric(counter, labels = [message_type, peer_id], max_series = 10_000)]
    pub messages_sent_total: Counter,

    /// Total number of P2P messages received
    #[metric(counter, labels = [message_type, peer_id], max_series = 10_000)]
    pub messages_received_total: Counter,

    /// P2P message round-trip latency distribution
    #[metric(histogram, labels = [message_type], buckets = LATENCY, unit = "seconds")]
    pub message_latency_seconds: Histogram,

    /// Duration of P2P connections
    #[metric(
        histogram,
        labels = [peer_id],
        buckets = CONNECTION_DURATION,
        unit = "seconds",
        note = "the document gives no buckets; 1s..1d chosen because connections outlive the 1ms..10s latency preset"
    )]
    pub connection_duration_seconds: Histogram,

    /// Peer quality score
    #[metric(gauge, labels = [peer_id], note = "value between 0.0 (poor) and 1.0 (excellent)")]
    pub peer_score: Gauge,
}

impl P2p {
    /// `ObserveMessageLatency(messageType, latency)`: records a message round-trip time.
    pub fn observe_message_latency(&self, message_type: &str, latency: Duration) {
        self.message_latency_seconds(message_type)
            .observe(latency.as_secs_f64());
    }

    /// Records how long a connection to `peer_id` lasted.
    pub fn observe_connection_duration(&self, peer_id: &str, duration: Duration) {
        self.connection_duration_seconds(peer_id)
            .observe(duration.as_secs_f64());
    }
}
