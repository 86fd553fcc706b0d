use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, bucket = [0.1, 1.0])]
    latency_seconds: Histogram,
}

fn main() {}
