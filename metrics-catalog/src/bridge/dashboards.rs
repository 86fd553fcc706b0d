//! The document's two Grafana dashboards ("Grafana Dashboards": "Main Dashboard" and "Security
//! Dashboard"), panel by panel in its order: titles, queries, legends and axis labels verbatim.
//!
//! Every query is valid against the declarations and kept as written, including the two
//! percentiles of `Response Time`, which are per series (by `method`, `endpoint`,
//! `status_code` and instance) as the document's `HighLatency` alert is. The document's panel
//! type `graph` (Grafana's retired Graph panel) is drawn as `timeseries`, the panel that
//! replaced it; its JSON has no layout, so the panels follow each other two to a line, and no
//! units, so the units are those of what each query returns (`ops` for per-second rates, `s`
//! for latencies).

use promdecl_gen::layout_dashboard::{Kind, Layout, Panel, Query};

/// Where the document's dashboards come from.
const SOURCE: &str = "`chorus-bridge-monitoring-guide.md`, \"Grafana Dashboards\"";

/// What every description says about panel types, layout and units.
const RENDERING: &str = "Panel titles, queries, legends and axis labels are the document's, in \
     its order. Its panel type `graph` (Grafana's retired Graph panel) is drawn as `timeseries`, \
     which replaced it; its JSON gives no layout, so panels follow each other two to a line, and \
     no units, so each panel's unit is that of what its queries return.";

/// The dashboards: `bridge-main` and `bridge-security`.
pub fn dashboards() -> Vec<Layout> {
    vec![main(), security()]
}

fn graph(title: &str) -> Panel {
    Panel::new(Kind::Timeseries, title)
}

/// "Chorus Bridge - Main Dashboard".
fn main() -> Layout {
    Layout::new("bridge-main", "Chorus Bridge - Main Dashboard")
        .description(format!(
            "The document's main dashboard ({SOURCE} › \"Main Dashboard\"). {RENDERING}"
        ))
        .tag("bridge")
        .tag("document")
        .panel(
            graph("Request Rate")
                .query("rate(bridge_events_received_total[5m])", "Events/sec")
                .axis_label("Requests/sec")
                .unit("ops")
                .description(
                    "Federation events received per second (the document titles the panel \
                     Request Rate and its axis Requests/sec; the query counts events received).",
                ),
        )
        .panel(
            graph("Error Rate")
                .query("rate(bridge_events_failed_total[5m])", "Errors/sec")
                .axis_label("Errors/sec")
                .unit("ops")
                .description(
                    "Failed federation events per second, one series per `error_type` and \
                     `stage_instance`.",
                ),
        )
        .panel(
            graph("Response Time")
                .query(
                    "histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m]))",
                    "95th percentile",
                )
                .query(
                    "histogram_quantile(0.50, rate(bridge_request_duration_seconds_bucket[5m]))",
                    "50th percentile",
                )
                .axis_label("Seconds")
                .unit("s")
                .description(
                    "Request latency percentiles, one series per `method`, `endpoint` and \
                     `status_code` (the buckets are not summed, as in the document's \
                     `HighLatency` alert).",
                ),
        )
        .panel(
            graph("Conductor Health")
                .query("rate(bridge_conductor_requests_total[5m])", "Requests/sec")
                .target(
                    Query::new(
                        "histogram_quantile(0.95, rate(bridge_conductor_latency_seconds_bucket[5m]))",
                        "95th percentile latency",
                    )
                    .unit("s"),
                )
                .unit("ops")
                .description(
                    "Conductor requests per second (by `method`, `status`, `endpoint`) and their \
                     95th percentile latency (by `method`, `endpoint`), in seconds.",
                ),
        )
        .panel(
            graph("Circuit Breaker Status")
                .query(
                    "bridge_conductor_circuit_breaker_state",
                    "{{client_type}} - {{endpoint}}",
                )
                .description("Circuit breaker state per Conductor client and endpoint."),
        )
        .panel(
            graph("Database Connections")
                .query("bridge_database_connections_active", "Active connections")
                .query("bridge_database_connections_idle", "Idle connections")
                .description("Active and idle database connections."),
        )
}

/// "Chorus Bridge - Security Dashboard".
fn security() -> Layout {
    Layout::new("bridge-security", "Chorus Bridge - Security Dashboard")
        .description(format!(
            "The document's security dashboard ({SOURCE} › \"Security Dashboard\"). {RENDERING}"
        ))
        .tag("bridge")
        .tag("document")
        .panel(
            graph("Authentication Failures")
                .query("rate(bridge_auth_failures_total[5m])", "Auth failures/sec")
                .unit("ops")
                .description("Authentication failures per second."),
        )
        .panel(
            graph("Rate Limit Violations")
                .query(
                    "rate(bridge_rate_limit_violations_total[5m])",
                    "Rate limit violations/sec",
                )
                .unit("ops")
                .description("Rate limit violations per second."),
        )
        .panel(
            graph("Signature Verification Failures")
                .query(
                    "rate(bridge_signature_failures_total[5m])",
                    "Signature failures/sec",
                )
                .unit("ops")
                .description("Signature verification failures per second."),
        )
        .panel(
            graph("Blacklist Size")
                .query("bridge_blacklist_size", "Blacklisted instances")
                .description("Instances on the blacklist."),
        )
        .panel(
            graph("Trust Store Size")
                .query("bridge_trust_store_size", "Trusted instances")
                .description("Instances in the trust store."),
        )
}
