//! The five dashboards the x0tta6bl4 document recommends ("Grafana Dashboard Configuration ›
//! Recommended Dashboards"), each with the panels it lists, titled and ordered as listed.
//!
//! The document names the panels but gives them no queries. Where its "Prometheus Queries"
//! section has one for a panel, the panel uses it verbatim: "MAPE-K Phase Performance" (the
//! p95 of the cycle-duration panel), "Model Accuracy Trend", "Mesh Network Health" (beside the
//! packet loss ratio) and "Error Rate". Every other query is the plain one for the family the
//! panel names, written like the document's (percentiles as `histogram_quantile(q,
//! rate(x_bucket[5m]))`, counters as `rate(...[5m])` summed by their labels). The section's
//! "CPU Utilization Trend" query reads MAPE-K cycles, not CPU
//! (`rate(x0tta6bl4_mapek_cycles_total{status="success"}[5m])`): the "CPU usage" panel reads
//! `x0tta6bl4_cpu_usage_percent` instead, and "Cycles per minute" charts the cycles.
//!
//! Titles are the document's, after `x0tta6bl4 - ` (its "Security Dashboard" would otherwise
//! read like the bridge's). The document gives no layout: the four panels of each are laid two
//! to a line, in its order.

use promdecl_gen::layout_dashboard::{Kind, Layout, Panel};

/// The document's "MAPE-K Phase Performance" query, verbatim.
pub const PHASE_PERFORMANCE: &str =
    "histogram_quantile(0.95, \n  rate(x0tta6bl4_mapek_cycle_duration_seconds_bucket[5m])\n)";

/// The dashboards, in the order the document lists them.
pub fn dashboards() -> Vec<Layout> {
    vec![
        mapek_health(),
        ml_performance(),
        mesh_network(),
        system_health(),
        security(),
    ]
}

fn layout(slug: &str, title: &str, queries: &str) -> Layout {
    Layout::new(format!("x0tta6bl4-{slug}"), format!("x0tta6bl4 - {title}"))
        .description(format!(
            "The document's \"{title}\" (`x0tta6bl4-metrics-expansion.md`, \"Grafana Dashboard \
             Configuration › Recommended Dashboards\"): its panels, titled and ordered as listed. \
             The document gives the panels no queries; {queries}"
        ))
        .tag("x0tta6bl4")
        .tag("document")
}

/// The 50th, 95th and 99th percentiles of histogram `family`, written like the document's
/// "MAPE-K Phase Performance" query, with `labels` (`{{phase}}`) after each legend.
fn quantiles(title: &str, family: &str, labels: &str) -> Panel {
    ["0.50", "0.95", "0.99"]
        .iter()
        .fold(Panel::new(Kind::Timeseries, title).unit("s"), |p, q| {
            let legend = format!("p{} {labels}", &q[2..]);
            p.query(
                format!("histogram_quantile({q}, rate({family}_bucket[5m]))"),
                legend.trim_end(),
            )
        })
}

/// Per-second rate of counter `family`, summed by `labels`, each series named by them.
fn rate_by(title: &str, family: &str, labels: &[&str]) -> Panel {
    let legend: Vec<String> = labels.iter().map(|l| format!("{{{{{l}}}}}")).collect();
    Panel::new(Kind::Timeseries, title)
        .query(
            format!("sum by ({}) (rate({family}[5m]))", labels.join(", ")),
            legend.join(" "),
        )
        .unit("ops")
}

/// "MAPE-K Health Dashboard".
fn mapek_health() -> Layout {
    let family = "x0tta6bl4_mapek_cycle_duration_seconds";
    let duration = Panel::new(Kind::Timeseries, "Cycle duration (p50, p95, p99)")
        .query(
            format!("histogram_quantile(0.50, rate({family}_bucket[5m]))"),
            "p50 {{phase}}",
        )
        // The document's "MAPE-K Phase Performance" query, verbatim (line breaks included).
        .query(PHASE_PERFORMANCE, "p95 {{phase}}")
        .query(
            format!("histogram_quantile(0.99, rate({family}_bucket[5m]))"),
            "p99 {{phase}}",
        )
        .unit("s")
        .description(
            "Percentiles of each phase's duration (`total` is the whole cycle). The p95 is the \
             document's \"MAPE-K Phase Performance\" query, verbatim; p50 and p99 are written the \
             same way.",
        );
    layout(
        "mapek-health",
        "MAPE-K Health Dashboard",
        "the cycle-duration p95 is the document's \"MAPE-K Phase Performance\" query, the others \
         are the plain queries of the families the panels name.",
    )
    .panel(duration)
    .panel(
        Panel::new(Kind::Timeseries, "Cycles per minute")
            .query(
                "sum by (status) (rate(x0tta6bl4_mapek_cycles_total[5m])) * 60",
                "{{status}}",
            )
            .unit("opm")
            .description(
                "MAPE-K cycles completed per minute, by outcome. The document's \"CPU \
                 Utilization Trend\" query, `rate(x0tta6bl4_mapek_cycles_total{status=\"success\"}[5m])`, \
                 is the `success` line per second.",
            ),
    )
    .panel(
        rate_by(
            "Anomalies detected",
            "x0tta6bl4_mapek_anomalies_detected_total",
            &["anomaly_type", "severity"],
        )
        .description("Anomalies detected per second, by type and severity."),
    )
    .panel(
        rate_by(
            "Recovery actions executed",
            "x0tta6bl4_mapek_recovery_actions_total",
            &["action_type", "status"],
        )
        .description("Recovery actions executed per second, by action and outcome."),
    )
}

/// "ML Performance Dashboard".
fn ml_performance() -> Layout {
    layout(
        "ml-performance",
        "ML Performance Dashboard",
        "\"Model accuracy trend\" is the document's \"Model Accuracy Trend\" query, the others \
         are the plain queries of the families the panels name.",
    )
    .panel(
        quantiles(
            "GraphSAGE inference latency",
            "x0tta6bl4_graphsage_inference_duration_seconds",
            "",
        )
        .description("Percentiles of GraphSAGE inference time."),
    )
    .panel(
        Panel::new(Kind::Timeseries, "Model accuracy trend")
            .query("x0tta6bl4_graphsage_model_accuracy", "accuracy")
            .unit("percentunit")
            .description(
                "GraphSAGE model accuracy: the document's \"Model Accuracy Trend\" query.",
            ),
    )
    .panel(
        quantiles(
            "RAG retrieval performance",
            "x0tta6bl4_rag_retrieval_duration_seconds",
            "",
        )
        .description("Percentiles of RAG retrieval time."),
    )
    .panel(
        Panel::new(Kind::Timeseries, "Training loss progression")
            .query("x0tta6bl4_graphsage_training_loss", "loss")
            .description("GraphSAGE training loss."),
    )
}

/// "Mesh Network Dashboard".
fn mesh_network() -> Layout {
    layout(
        "mesh-network",
        "Mesh Network Dashboard",
        "\"Packet loss ratio\" also draws the document's \"Mesh Network Health\" query, the \
         others are the plain queries of the families the panels name.",
    )
    .panel(
        Panel::new(Kind::Stat, "Active nodes")
            .query("x0tta6bl4_mesh_nodes_active", "")
            .width(12)
            .description("Mesh nodes active now."),
    )
    .panel(
        rate_by(
            "Connection count",
            "x0tta6bl4_mesh_connections_total",
            &["connection_type"],
        )
        .description("Mesh connections made per second, by connection type."),
    )
    .panel(
        Panel::new(Kind::Timeseries, "Packet loss ratio")
            .query("x0tta6bl4_mesh_packet_loss_ratio", "packet loss")
            .query(
                "1 - x0tta6bl4_mesh_packet_loss_ratio",
                "Mesh Network Health",
            )
            .unit("percentunit")
            .description(
                "The share of packets lost, and its complement, the document's \"Mesh Network \
                 Health\" query.",
            ),
    )
    .panel(
        Panel::new(Kind::Heatmap, "Latency histogram")
            .query(
                "sum by (le) (rate(x0tta6bl4_mesh_latency_seconds_bucket[5m]))",
                "{{le}}",
            )
            .unit("s")
            .description("Mesh latency observations per second, bucket by bucket."),
    )
}

/// "System Health Dashboard".
fn system_health() -> Layout {
    layout(
        "system-health",
        "System Health Dashboard",
        "\"Error rates\" is the document's \"Error Rate\" query, the others are the plain \
         queries of the families the panels name.",
    )
    .panel(
        Panel::new(Kind::Timeseries, "Error rates")
            .query(
                r#"rate(x0tta6bl4_requests_total{status=~"5.."}[5m])"#,
                "{{method}} {{endpoint}} {{status}}",
            )
            .unit("reqps")
            .description(
                "HTTP requests answered with a 5xx status per second: the document's \"Error \
                 Rate\" query.",
            ),
    )
    .panel(
        quantiles(
            "Request latency",
            "x0tta6bl4_request_duration_seconds",
            "{{method}} {{endpoint}}",
        )
        .description("Percentiles of HTTP request latency, by method and endpoint."),
    )
    .panel(
        Panel::new(Kind::Timeseries, "Memory usage")
            .query("x0tta6bl4_memory_usage_bytes", "{{component}}")
            .unit("bytes")
            .description("Memory used, by component."),
    )
    .panel(
        Panel::new(Kind::Timeseries, "CPU usage")
            .query("x0tta6bl4_cpu_usage_percent", "{{component}}")
            .unit("percent")
            .description("CPU used, by component."),
    )
}

/// "Security Dashboard".
fn security() -> Layout {
    layout(
        "security",
        "Security Dashboard",
        "they are the plain queries of the families the panels name.",
    )
    .panel(
        rate_by(
            "Threat alerts",
            "x0tta6bl4_threat_alerts_total",
            &["threat_type", "severity"],
        )
        .description("Threat alerts raised per second, by type and severity."),
    )
    .panel(
        Panel::new(Kind::Stat, "Suspect nodes")
            .query("x0tta6bl4_suspect_nodes_count", "")
            .width(12)
            .description("Nodes currently suspected."),
    )
    .panel(
        rate_by(
            "Byzantine detections",
            "x0tta6bl4_byzantine_detections_total",
            &["behavior_type"],
        )
        .description("Byzantine behaviour detected per second, by behaviour."),
    )
    .panel(
        Panel::new(Kind::Timeseries, "SPIFFE SVID issuance")
            .query(
                "rate(x0tta6bl4_spiffe_svid_issuance_total[5m])",
                "SVIDs/sec",
            )
            .unit("ops")
            .description("SPIFFE SVIDs issued per second."),
    )
}
