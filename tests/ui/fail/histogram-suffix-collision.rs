use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram)]
    latency_seconds: Histogram,
    /// Count
    // Keeping a reserved suffix does not let a name take a histogram's sample.
    #[metric(gauge, allow_reserved_suffix)]
    latency_seconds_count: Gauge,
}

fn main() {}
