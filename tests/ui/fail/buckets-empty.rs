use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = [])]
    latency_seconds: Histogram,
}

fn main() {}
