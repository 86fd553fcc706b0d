use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(gauge, unit = "bytes")]
    latency_seconds: Gauge,
}

fn main() {}
