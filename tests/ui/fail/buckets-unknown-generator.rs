use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = geometric(0.001, 2.0, 10))]
    latency_seconds: Histogram,
}

fn main() {}
