//! The alerting rules given by the CHORUS `pkg/metrics` document ("Alerting Rules"), group
//! `chorus_alerts`.
//!
//! Expressions, `for` durations, labels and annotations are verbatim. Two textual details:
//! - `HighDHTFailureRate` is a YAML `|` block in the document; its two lines are kept with the
//!   newline between them (the block's trailing newline is dropped; PromQL ignores it).
//! - `HighMemoryUsage` is followed by the YAML comment `# 8GB` in the document; a YAML comment is
//!   not part of the value, so it is not part of the expression.

use crate::rules::{AlertRule, RuleGroup};

/// Alert rule groups for CHORUS.
pub static RULE_GROUPS: &[RuleGroup] = &[RuleGroup {
    name: "chorus_alerts",
    interval: Some("30s"),
    rules: CHORUS_ALERTS,
}];

/// The rules of the `chorus_alerts` group, in document order.
pub static CHORUS_ALERTS: &[AlertRule] = &[
    // P2P connectivity alerts
    AlertRule {
        alert: "LowPeerCount",
        expr: "chorus_p2p_connected_peers < 2",
        for_: Some("5m"),
        labels: &[("severity", "warning")],
        annotations: &[
            ("summary", "Low P2P peer count on {{ $labels.instance }}"),
            ("description", "Node has {{ $value }} peers (minimum: 2)"),
        ],
    },
    // DHT performance alerts
    AlertRule {
        alert: "HighDHTFailureRate",
        expr: r#"rate(chorus_dht_get_operations_total{status="failure"}[5m]) /
rate(chorus_dht_get_operations_total[5m]) > 0.1"#,
        for_: Some("10m"),
        labels: &[("severity", "warning")],
        annotations: &[
            ("summary", "High DHT failure rate on {{ $labels.instance }}"),
            (
                "description",
                "DHT failure rate: {{ $value | humanizePercentage }}",
            ),
        ],
    },
    // Election stability alerts
    AlertRule {
        alert: "FrequentLeadershipChanges",
        expr: "rate(chorus_leadership_changes_total[1h]) * 3600 > 5",
        for_: Some("15m"),
        labels: &[("severity", "warning")],
        annotations: &[
            ("summary", "Frequent leadership changes"),
            ("description", "{{ $value }} leadership changes per hour"),
        ],
    },
    // Task management alerts
    AlertRule {
        alert: "HighTaskQueueDepth",
        expr: "chorus_tasks_queued > 100",
        for_: Some("10m"),
        labels: &[("severity", "warning")],
        annotations: &[
            ("summary", "High task queue depth on {{ $labels.instance }}"),
            ("description", "{{ $value }} tasks queued"),
        ],
    },
    // Resource alerts
    AlertRule {
        alert: "HighMemoryUsage",
        expr: "chorus_memory_usage_bytes > 8 * 1024 * 1024 * 1024",
        for_: Some("5m"),
        labels: &[("severity", "warning")],
        annotations: &[
            ("summary", "High memory usage on {{ $labels.instance }}"),
            ("description", "Memory usage: {{ $value | humanize1024 }}B"),
        ],
    },
    AlertRule {
        alert: "HighDiskUsage",
        expr: "chorus_disk_usage_ratio > 0.9",
        for_: Some("10m"),
        labels: &[("severity", "critical")],
        annotations: &[
            ("summary", "High disk usage on {{ $labels.instance }}"),
            (
                "description",
                "Disk usage: {{ $value | humanizePercentage }}",
            ),
        ],
    },
    // Health monitoring alerts
    AlertRule {
        alert: "LowSystemHealth",
        expr: "chorus_system_health_score < 0.75",
        for_: Some("5m"),
        labels: &[("severity", "warning")],
        annotations: &[
            (
                "summary",
                "Low system health score on {{ $labels.instance }}",
            ),
            ("description", "Health score: {{ $value }}"),
        ],
    },
    AlertRule {
        alert: "ComponentUnhealthy",
        expr: "chorus_component_health_score < 0.5",
        for_: Some("10m"),
        labels: &[("severity", "warning")],
        annotations: &[
            ("summary", "Component {{ $labels.component }} unhealthy"),
            ("description", "Health score: {{ $value }}"),
        ],
    },
];
