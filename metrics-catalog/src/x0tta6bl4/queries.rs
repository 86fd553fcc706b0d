//! The PromQL queries given by the x0tta6bl4 metrics expansion document ("Prometheus Queries"),
//! in document order, each titled by its heading there. All five are kept as the document
//! writes them (line breaks included; the MAPE-K one keeps the space the document leaves after
//! `0.95,`). The first is headed "CPU Utilization Trend" in the document though it reads the
//! rate of successful MAPE-K cycles; the heading is kept as given.

use crate::queries::Query;

const QUERIES: &str = "Prometheus Queries";

/// The queries of the x0tta6bl4 document, in document order.
pub fn queries() -> Vec<Query> {
    vec![
        Query::new(
            QUERIES,
            "CPU Utilization Trend",
            r#"rate(x0tta6bl4_mapek_cycles_total{status="success"}[5m])"#,
        ),
        Query::new(
            QUERIES,
            "MAPE-K Phase Performance",
            "histogram_quantile(0.95, \n  rate(x0tta6bl4_mapek_cycle_duration_seconds_bucket[5m])\n)",
        ),
        Query::new(
            QUERIES,
            "Mesh Network Health",
            "1 - x0tta6bl4_mesh_packet_loss_ratio",
        ),
        Query::new(
            QUERIES,
            "Model Accuracy Trend",
            "x0tta6bl4_graphsage_model_accuracy",
        ),
        Query::new(
            QUERIES,
            "Error Rate",
            r#"rate(x0tta6bl4_requests_total{status=~"5.."}[5m])"#,
        ),
    ]
}
