use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = [0.1, 1.0, 0.5])]
    latency_seconds: Histogram,
}

fn main() {}
