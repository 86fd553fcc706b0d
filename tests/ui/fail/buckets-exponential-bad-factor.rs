use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = exponential(0.001, 1.0, 10))]
    latency_seconds: Histogram,
}

fn main() {}
