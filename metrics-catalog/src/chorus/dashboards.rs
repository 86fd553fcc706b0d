//! The CHORUS document's dashboard: it describes no Grafana dashboard as such, but its
//! "Prometheus Integration › Example Queries" section is laid out as one, six headed groups of
//! queries, each query under a comment naming what it shows. Here each heading is a row and
//! each query a panel titled by its comment, in document order.
//!
//! Queries are verbatim (line breaks and the `# Convert to GB` comment, which PromQL reads as a
//! comment, included), except the two success rates, corrected like the `HighDHTFailureRate`
//! alert ([`super::alerts`]): the document's text is kept in the panel description with the
//! reason. The document gives no legends, so Grafana names each series by its labels; a panel
//! of a single unlabelled value is a `stat`, every other a `timeseries`.

use promdecl_gen::layout_dashboard::{Kind, Layout, Panel, Query};

/// Why a `rate(x{status="success"}) / rate(x)` ratio as the document writes it is always 1.
const SUCCESS_RATIO_WHY: &str = "The document divides `rate(...{status=\"success\"})` by \
     `rate(...)` series by series: both sides keep `status`, so each success series is divided \
     by itself and the failure series find no partner; the ratio is 1 whenever anything \
     succeeds, whatever the share of failures. Both sides are now summed without `status`, so \
     successes are divided by all operations with the same other labels.";

/// The dashboards: `chorus-example-queries`.
pub fn dashboards() -> Vec<Layout> {
    vec![example_queries()]
}

/// A third of the grid: each heading's three queries on one line.
const WIDTH: u32 = 8;

fn timeseries(title: &str, expr: &str) -> Panel {
    Panel::new(Kind::Timeseries, title)
        .query(expr, "")
        .width(WIDTH)
}

fn stat(title: &str, expr: &str) -> Panel {
    Panel::new(Kind::Stat, title).query(expr, "").width(WIDTH)
}

/// A success ratio corrected from the document's `original` (see [`SUCCESS_RATIO_WHY`]).
fn success_ratio(title: &str, family: &str) -> Panel {
    let expr = format!(
        "sum without (status) (rate({family}{{status=\"success\"}}[5m])) /\n\
         sum without (status) (rate({family}[5m]))"
    );
    let original = format!("rate({family}{{status=\"success\"}}[5m]) /\nrate({family}[5m])");
    Panel::new(Kind::Timeseries, title)
        .target(Query::new(expr, "").corrects(original, SUCCESS_RATIO_WHY))
        .unit("percentunit")
        .width(WIDTH)
}

/// "Example Queries", one row per heading.
fn example_queries() -> Layout {
    Layout::new("chorus-example-queries", "CHORUS - Example Queries")
        .description(
            "The example queries of `chorus-pkg-metrics.md` (\"Prometheus Integration › Example \
             Queries\") as a dashboard: one row per heading, one panel per query titled by the \
             comment above it, in document order. Queries are verbatim except the two success \
             rates, corrected (each panel's description keeps the document's text and the \
             reason).",
        )
        .tag("chorus")
        .tag("document")
        .row("P2P Network Health")
        .panel(stat(
            "Average connected peers across cluster",
            "avg(chorus_p2p_connected_peers)",
        ))
        .panel(
            timeseries(
                "Message rate per second",
                "rate(chorus_p2p_messages_sent_total[5m])",
            )
            .unit("ops"),
        )
        .panel(
            timeseries(
                "95th percentile message latency",
                "histogram_quantile(0.95, rate(chorus_p2p_message_latency_seconds_bucket[5m]))",
            )
            .unit("s"),
        )
        .row("DHT Performance")
        .panel(success_ratio(
            "DHT operation success rate",
            "chorus_dht_get_operations_total",
        ))
        .panel(
            timeseries(
                "Average DHT operation latency",
                "rate(chorus_dht_operation_latency_seconds_sum[5m]) /\n\
                 rate(chorus_dht_operation_latency_seconds_count[5m])",
            )
            .unit("s"),
        )
        .panel(
            timeseries(
                "DHT cache hit rate",
                "rate(chorus_dht_cache_hits_total[5m]) /\n\
                 (rate(chorus_dht_cache_hits_total[5m]) + rate(chorus_dht_cache_misses_total[5m]))",
            )
            .unit("percentunit"),
        )
        .row("Election Stability")
        .panel(timeseries(
            "Leadership changes per hour",
            "rate(chorus_leadership_changes_total[1h]) * 3600",
        ))
        .panel(timeseries(
            "Nodes by election state",
            "sum by (state) (chorus_election_state)",
        ))
        .panel(timeseries("Heartbeat rate", "rate(chorus_heartbeats_sent_total[5m])").unit("ops"))
        .row("Task Management")
        .panel(success_ratio(
            "Task success rate",
            "chorus_tasks_completed_total",
        ))
        .panel(
            timeseries(
                "Average task duration",
                "histogram_quantile(0.50, rate(chorus_task_duration_seconds_bucket[5m]))",
            )
            .unit("s"),
        )
        .panel(timeseries("Task queue depth", "chorus_tasks_queued"))
        .row("Resource Utilization")
        .panel(timeseries("CPU usage by node", "chorus_cpu_usage_ratio").unit("percentunit"))
        .panel(
            timeseries(
                "Memory usage by node",
                "chorus_memory_usage_bytes / (1024 * 1024 * 1024)  # Convert to GB",
            )
            // Divided by 1024³: Grafana's `gbytes` (GiB).
            .unit("gbytes"),
        )
        .panel(
            timeseries("Disk usage alert (>90%)", "chorus_disk_usage_ratio > 0.9")
                .unit("percentunit"),
        )
        .row("System Health")
        .panel(stat(
            "Overall system health score",
            "chorus_system_health_score",
        ))
        .panel(timeseries(
            "Component health scores",
            "chorus_component_health_score",
        ))
        .panel(
            timeseries(
                "Health check failure rate",
                "rate(chorus_health_checks_failed_total[5m])",
            )
            .unit("ops"),
        )
}
