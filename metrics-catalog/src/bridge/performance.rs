//! HTTP request performance metrics (seed: "Application Metrics", `# Performance metrics`).

use promdecl::{Histogram, Metrics};

use super::buckets::{PROMETHEUS_CLIENT_DEFAULT, REQUEST_SIZE};

/// HTTP request latency and size, by method and endpoint.
#[derive(Debug, Metrics)]
#[metrics(prefix = "bridge")]
pub struct Performance {
    /// Request duration in seconds
    #[metric(
        histogram,
        labels = [method, endpoint, status_code],
        buckets = PROMETHEUS_CLIENT_DEFAULT,
        unit = "seconds",
        note = "the status label is `status_code` (numeric code as text), as the document defines it"
    )]
    pub request_duration_seconds: Histogram,

    /// Request size in bytes
    #[metric(
        histogram,
        labels = [method, endpoint],
        buckets = REQUEST_SIZE,
        unit = "bytes",
        note = "buckets are ours (64 B to 16 MiB); the document's code uses prometheus_client's default buckets, which are meant for seconds"
    )]
    pub request_size_bytes: Histogram,
}

impl Performance {
    /// Records one served HTTP request: observes its duration and, when known, its size.
    /// `status_code` is the code as text, e.g. `"200"`.
    pub fn record_request(
        &self,
        method: &str,
        endpoint: &str,
        status_code: &str,
        duration_seconds: f64,
        size_bytes: Option<u64>,
    ) {
        self.request_duration_seconds(method, endpoint, status_code)
            .observe(duration_seconds);
        if let Some(bytes) = size_bytes {
            // u64 -> f64 is exact up to 2^53 bytes, far beyond any request size.
            let size = bytes as f64;
            self.request_size_bytes(method, endpoint).observe(size);
        }
    }
}
