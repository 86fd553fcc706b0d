use promdecl::*;

const BAD: &[f64] = &[1.0, 0.5];

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, buckets = BAD)]
    latency_seconds: Histogram,
}

fn main() {}
