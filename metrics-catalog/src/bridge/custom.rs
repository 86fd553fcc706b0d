//! Custom business metrics (seed: "Custom Metrics", class `BridgeMetrics`).

use promdecl::{Counter, Metrics};

/// Federation, ActivityPub export and moderation event counters (`BridgeMetrics` in the
/// document).
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge")]
pub struct Custom {
    /// Federation messages by type
    #[metric(counter, labels = [message_type, source_instance])]
    pub federation_messages_by_type_total: Counter,

    /// Total ActivityPub exports
    #[metric(counter, labels = [status, target_instance])]
    pub activitypub_exports_total: Counter,

    /// Total moderation events
    #[metric(counter, labels = [action, target_type])]
    pub moderation_events_total: Counter,
}

impl Custom {
    /// Record federation message metrics.
    pub fn record_federation_message(&self, message_type: &str, source_instance: &str) {
        self.federation_messages_by_type_total(message_type, source_instance)
            .inc();
    }

    /// Record ActivityPub export metrics.
    pub fn record_activitypub_export(&self, status: &str, target_instance: &str) {
        self.activitypub_exports_total(status, target_instance)
            .inc();
    }

    /// Record a moderation event (the document defines the family but no helper for it).
    pub fn record_moderation_event(&self, action: &str, target_type: &str) {
        self.moderation_events_total(action, target_type).inc();
    }
}
