use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = [0.1, 1e999])]
    latency_seconds: Histogram,
}

fn main() {}
