use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram)]
    latency_seconds: Histogram,
    /// Count
    #[metric(gauge)]
    latency_seconds_count: Gauge,
}

fn main() {}
