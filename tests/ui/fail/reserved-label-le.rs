use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, labels = [le])]
    latency_seconds: Histogram,
}

fn main() {}
