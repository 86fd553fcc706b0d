//! The PromQL queries given by the CHORUS `pkg/metrics` document ("Prometheus Integration ›
//! Example Queries"), in document order, each titled by the comment above it. Expressions are
//! verbatim (line breaks included), except the two success rates, which are corrected like the
//! `HighDHTFailureRate` alert (the document's text is kept beside them, with the reason). The
//! document's alert rules are in [`super::alerts`].

use crate::queries::Query;

const P2P: &str = "Example Queries › P2P Network Health";
const DHT: &str = "Example Queries › DHT Performance";
const ELECTION: &str = "Example Queries › Election Stability";
const TASKS: &str = "Example Queries › Task Management";
const RESOURCES: &str = "Example Queries › Resource Utilization";
const HEALTH: &str = "Example Queries › System Health";

/// Why a `rate(x{status="success"}) / rate(x)` ratio as the document writes it is always 1.
const SUCCESS_RATIO_WHY: &str = "The document divides `rate(...{status=\"success\"})` by \
     `rate(...)` series by series: both sides keep `status`, so each success series is divided \
     by itself and the failure series find no partner. The result is 1 whenever anything \
     succeeds, whatever the share of failures. Both sides are now summed without `status`, so \
     successes are divided by all operations with the same other labels \
     (`metrics-catalog/tests/queries.rs` evaluates both with promtool at 75% successes: the \
     document's gives 1, the correction 0.75).";

/// The queries of the CHORUS document, in document order.
pub fn queries() -> Vec<Query> {
    vec![
        Query::new(
            P2P,
            "Average connected peers across cluster",
            "avg(chorus_p2p_connected_peers)",
        ),
        Query::new(
            P2P,
            "Message rate per second",
            "rate(chorus_p2p_messages_sent_total[5m])",
        ),
        Query::new(
            P2P,
            "95th percentile message latency",
            "histogram_quantile(0.95, rate(chorus_p2p_message_latency_seconds_bucket[5m]))",
        ),
        Query::new(
            DHT,
            "DHT operation success rate",
            r#"sum without (status) (rate(chorus_dht_get_operations_total{status="success"}[5m])) /
sum without (status) (rate(chorus_dht_get_operations_total[5m]))"#,
        )
        .corrects(
            r#"rate(chorus_dht_get_operations_total{status="success"}[5m]) /
rate(chorus_dht_get_operations_total[5m])"#,
            SUCCESS_RATIO_WHY,
        ),
        Query::new(
            DHT,
            "Average DHT operation latency",
            "rate(chorus_dht_operation_latency_seconds_sum[5m]) /
rate(chorus_dht_operation_latency_seconds_count[5m])",
        ),
        Query::new(
            DHT,
            "DHT cache hit rate",
            "rate(chorus_dht_cache_hits_total[5m]) /
(rate(chorus_dht_cache_hits_total[5m]) + rate(chorus_dht_cache_misses_total[5m]))",
        ),
        Query::new(
            ELECTION,
            "Leadership changes per hour",
            "rate(chorus_leadership_changes_total[1h]) * 3600",
        ),
        Query::new(
            ELECTION,
            "Nodes by election state",
            "sum by (state) (chorus_election_state)",
        ),
        Query::new(
            ELECTION,
            "Heartbeat rate",
            "rate(chorus_heartbeats_sent_total[5m])",
        ),
        Query::new(
            TASKS,
            "Task success rate",
            r#"sum without (status) (rate(chorus_tasks_completed_total{status="success"}[5m])) /
sum without (status) (rate(chorus_tasks_completed_total[5m]))"#,
        )
        .corrects(
            r#"rate(chorus_tasks_completed_total{status="success"}[5m]) /
rate(chorus_tasks_completed_total[5m])"#,
            SUCCESS_RATIO_WHY,
        ),
        Query::new(
            TASKS,
            "Average task duration",
            "histogram_quantile(0.50, rate(chorus_task_duration_seconds_bucket[5m]))",
        ),
        Query::new(TASKS, "Task queue depth", "chorus_tasks_queued"),
        Query::new(RESOURCES, "CPU usage by node", "chorus_cpu_usage_ratio"),
        Query::new(
            RESOURCES,
            "Memory usage by node",
            "chorus_memory_usage_bytes / (1024 * 1024 * 1024)  # Convert to GB",
        ),
        Query::new(
            RESOURCES,
            "Disk usage alert (>90%)",
            "chorus_disk_usage_ratio > 0.9",
        ),
        Query::new(
            HEALTH,
            "Overall system health score",
            "chorus_system_health_score",
        ),
        Query::new(
            HEALTH,
            "Component health scores",
            "chorus_component_health_score",
        ),
        Query::new(
            HEALTH,
            "Health check failure rate",
            "rate(chorus_health_checks_failed_total[5m])",
        ),
    ]
}
