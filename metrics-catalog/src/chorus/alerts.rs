//! The alerting rules given by the CHORUS `pkg/metrics` document ("Alerting Rules"), group
//! `chorus_alerts`, each with input that must fire it and input that must not (for the generated
//! `promtool test rules` cases; values are one per 30 s, the group's interval).
//!
//! Expressions, `for` durations, labels and annotations are verbatim, except
//! `HighDHTFailureRate`, which is corrected (the document's expression is kept beside it, with
//! the reason). Two textual details:
//! - `HighDHTFailureRate` is a YAML `|` block in the document; its two lines are kept with the
//!   newline between them (the block's trailing newline is dropped; PromQL ignores it).
//! - `HighMemoryUsage` is followed by the YAML comment `# 8GB` in the document; a YAML comment is
//!   not part of the value, so it is not part of the expression.

use promdecl_gen::{Alert, RuleGroup};

/// `HighDHTFailureRate` as the document gives it.
pub const DHT_FAILURE_RATE_ORIGINAL: &str = r#"rate(chorus_dht_get_operations_total{status="failure"}[5m]) /
rate(chorus_dht_get_operations_total[5m]) > 0.1"#;

/// The rule groups of CHORUS (one group, `chorus_alerts`), rules in document order.
pub fn rules() -> Vec<RuleGroup> {
    vec![RuleGroup::new("chorus_alerts")
        .interval("30s")
        // P2P connectivity alerts
        .alert(
            Alert::new("LowPeerCount")
                .expr("chorus_p2p_connected_peers < 2")
                .for_("5m")
                .label("severity", "warning")
                .annotation("summary", "Low P2P peer count on {{ $labels.instance }}")
                .annotation("description", "Node has {{ $value }} peers (minimum: 2)")
                .fires_with("chorus_p2p_connected_peers", "1x20")
                .quiet_with("chorus_p2p_connected_peers", "3x20"),
        )
        // DHT performance alerts
        .alert(
            Alert::new("HighDHTFailureRate")
                .expr(
                    r#"sum without (status) (rate(chorus_dht_get_operations_total{status="failure"}[5m])) /
sum without (status) (rate(chorus_dht_get_operations_total[5m])) > 0.1"#,
                )
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "High DHT failure rate on {{ $labels.instance }}")
                .annotation(
                    "description",
                    "DHT failure rate: {{ $value | humanizePercentage }}",
                )
                // 20% of gets fail (12 of 60 per 30 s).
                .fires_with(
                    r#"chorus_dht_get_operations_total{status="failure"}"#,
                    "0+12x40",
                )
                .fires_with(
                    r#"chorus_dht_get_operations_total{status="success"}"#,
                    "0+48x40",
                )
                // 5% of gets fail (3 of 60 per 30 s): the document's expression fires here too.
                .quiet_with(
                    r#"chorus_dht_get_operations_total{status="failure"}"#,
                    "0+3x40",
                )
                .quiet_with(
                    r#"chorus_dht_get_operations_total{status="success"}"#,
                    "0+57x40",
                )
                .corrects(
                    DHT_FAILURE_RATE_ORIGINAL,
                    "The document divides `rate(...{status=\"failure\"})` by `rate(...)` series by \
                     series: both sides keep `status`, so each failure series is divided by itself \
                     and the success series find no partner. The ratio is 1 whenever any get fails: \
                     the alert fires at any non-zero failure rate and reports 100%. Both sides are \
                     now summed without `status`, so failures are divided by all gets of the same \
                     instance: 5% failures stay quiet and 20% fire (the rule tests show both, and \
                     `metrics-catalog/tests/corrections.rs` shows the document's expression firing \
                     at 5% with the value 1).",
                ),
        )
        // Election stability alerts
        .alert(
            Alert::new("FrequentLeadershipChanges")
                .expr("rate(chorus_leadership_changes_total[1h]) * 3600 > 5")
                .for_("15m")
                .label("severity", "warning")
                .annotation("summary", "Frequent leadership changes")
                .annotation("description", "{{ $value }} leadership changes per hour")
                // One change a minute (60 an hour), then 3.6 an hour.
                .fires_with("chorus_leadership_changes_total", "0+0.5x180")
                .quiet_with("chorus_leadership_changes_total", "0+0.03x180"),
        )
        // Task management alerts
        .alert(
            Alert::new("HighTaskQueueDepth")
                .expr("chorus_tasks_queued > 100")
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "High task queue depth on {{ $labels.instance }}")
                .annotation("description", "{{ $value }} tasks queued")
                .fires_with("chorus_tasks_queued", "150x30")
                .quiet_with("chorus_tasks_queued", "80x30"),
        )
        // Resource alerts
        .alert(
            Alert::new("HighMemoryUsage")
                .expr("chorus_memory_usage_bytes > 8 * 1024 * 1024 * 1024")
                .for_("5m")
                .label("severity", "warning")
                .annotation("summary", "High memory usage on {{ $labels.instance }}")
                .annotation("description", "Memory usage: {{ $value | humanize1024 }}B")
                // 9 GB, then 4 GB (the threshold is 8 GiB).
                .fires_with("chorus_memory_usage_bytes", "9000000000x20")
                .quiet_with("chorus_memory_usage_bytes", "4000000000x20"),
        )
        .alert(
            Alert::new("HighDiskUsage")
                .expr("chorus_disk_usage_ratio > 0.9")
                .for_("10m")
                .label("severity", "critical")
                .annotation("summary", "High disk usage on {{ $labels.instance }}")
                .annotation(
                    "description",
                    "Disk usage: {{ $value | humanizePercentage }}",
                )
                .fires_with(r#"chorus_disk_usage_ratio{mount_point="/data"}"#, "0.95x30")
                .quiet_with(r#"chorus_disk_usage_ratio{mount_point="/data"}"#, "0.5x30"),
        )
        // Health monitoring alerts
        .alert(
            Alert::new("LowSystemHealth")
                .expr("chorus_system_health_score < 0.75")
                .for_("5m")
                .label("severity", "warning")
                .annotation(
                    "summary",
                    "Low system health score on {{ $labels.instance }}",
                )
                .annotation("description", "Health score: {{ $value }}")
                .fires_with("chorus_system_health_score", "0.5x20")
                .quiet_with("chorus_system_health_score", "0.9x20"),
        )
        .alert(
            Alert::new("ComponentUnhealthy")
                .expr("chorus_component_health_score < 0.5")
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "Component {{ $labels.component }} unhealthy")
                .annotation("description", "Health score: {{ $value }}")
                .fires_with(r#"chorus_component_health_score{component="dht"}"#, "0.2x30")
                .quiet_with(r#"chorus_component_health_score{component="dht"}"#, "0.8x30"),
        )]
}
