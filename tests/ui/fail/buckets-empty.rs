use metrics_core::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = [])]
    latency_seconds: Histogram,
}

fn main() {}
