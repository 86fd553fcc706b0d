//! Security and threat-detection metrics (seed: category table "Security/Threats", collector
//! `SecurityMetricsCollector`).
//!
//! The Metrics Reference omits this category. Names follow the table's examples and the
//! reference's pattern; labels follow upstream (x0tta6bl4-ai/x0tta6bl4
//! `src/monitoring/metrics.py`).

use promdecl::{Counter, IntGauge, Metrics};

/// Threat alert, suspect node and Byzantine-behaviour metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4")]
pub struct Security {
    /// Total threat alerts, by threat type and severity
    #[metric(
        counter,
        labels = [threat_type, severity],
        note = "derived name: table lists `threat_alerts_total`, not in the Metrics Reference; labels as upstream"
    )]
    pub threat_alerts_total: Counter,

    /// Number of suspect nodes
    #[metric(
        gauge,
        allow_reserved_suffix,
        note = "derived name: table lists `suspect_nodes_count`, not in the Metrics Reference; a gauge whose name ends in `_count`"
    )]
    pub suspect_nodes_count: IntGauge,

    /// Total Byzantine behaviour detections, by behaviour type
    #[metric(
        counter,
        labels = [behavior_type],
        note = "derived name: table lists `byzantine_detections`, not in the Metrics Reference; `_total` added per the reference's counter pattern; label as upstream"
    )]
    pub byzantine_detections_total: Counter,
}

impl Security {
    /// Counts one threat alert.
    pub fn record_threat_alert(&self, threat_type: &str, severity: &str) {
        self.threat_alerts_total(threat_type, severity).inc();
    }

    /// Sets the number of suspect nodes.
    pub fn update_suspect_nodes(&self, count: i64) {
        self.suspect_nodes_count().set(count);
    }

    /// Counts one Byzantine behaviour detection.
    pub fn record_byzantine_detection(&self, behavior_type: &str) {
        self.byzantine_detections_total(behavior_type).inc();
    }
}
