//! HTTP API metrics (seed: "HTTP Request Metrics").

use promdecl::{Counter, Histogram, Metrics};

use super::buckets::HTTP_REQUEST;

/// HTTP API request metrics.
///
/// The category table also lists `mesh_nodes_active` under "HTTP API". It is declared once, in
/// [`super::mesh::Mesh`].
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4")]
pub struct Http {
    /// Total HTTP requests
    #[metric(
        counter,
        labels = [method, endpoint, status],
        note = "`status` is the numeric HTTP status code as a string (the document's error-rate query matches `status=~\"5..\"`); the category table's `request_count` is this family; upstream adds a `tenant_id` label that the document's reference does not list, so it is not declared"
    )]
    pub requests_total: Counter,

    /// HTTP request latency in seconds
    #[metric(
        histogram,
        labels = [method, endpoint],
        buckets = HTTP_REQUEST,
        unit = "seconds",
        note = "the category table's `request_duration` is this family"
    )]
    pub request_duration_seconds: Histogram,
}

impl Http {
    /// Records one served request: counts it and observes its latency.
    ///
    /// `status` is the status code as text, e.g. `"200"`.
    pub fn record_request(
        &self,
        method: &str,
        endpoint: &str,
        status: &str,
        duration_seconds: f64,
    ) {
        self.requests_total(method, endpoint, status).inc();
        self.request_duration_seconds(method, endpoint)
            .observe(duration_seconds);
    }
}
