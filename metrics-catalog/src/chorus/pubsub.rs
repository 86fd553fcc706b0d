//! PubSub messaging metrics (`chorus_pubsub_*`).

use std::time::Duration;

use promdecl::{Counter, Histogram, IntGauge, Metrics};

use super::buckets::{LATENCY, SIZE};

pub use pub_sub_labels::Direction;

/// PubSub metrics: topics, subscribers, message volume, latency and size.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus_pubsub")]
pub struct PubSub {
    /// Number of active PubSub topics
    #[metric(gauge)]
    pub topics: IntGauge,

    /// Number of subscribers per topic
    #[metric(gauge, labels = [topic])]
    pub subscribers: IntGauge,

    /// Total PubSub messages
    #[metric(counter, labels = [topic, direction = [sent, received], message_type])]
    pub messages_total: Counter,

    /// PubSub message delivery latency
    #[metric(
        histogram,
        labels = [topic],
        buckets = LATENCY,
        unit = "seconds",
        note = "the document gives no buckets; uses the MetricsConfig latency default"
    )]
    pub message_latency_seconds: Histogram,

    /// PubSub message size distribution
    #[metric(histogram, labels = [topic], buckets = SIZE, unit = "bytes")]
    pub message_size_bytes: Histogram,
}

impl PubSub {
    /// `ObservePubSubMessageLatency(topic, latency)`.
    pub fn observe_message_latency(&self, topic: &str, latency: Duration) {
        self.message_latency_seconds(topic)
            .observe(latency.as_secs_f64());
    }

    /// Records the size of one message on `topic`.
    pub fn observe_message_size(&self, topic: &str, size_bytes: usize) {
        // Sizes are far below 2^53, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let size = size_bytes as f64;
        self.message_size_bytes(topic).observe(size);
    }
}
