use metrics_core::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(gauge, unit = "bytes")]
    latency_seconds: Gauge,
}

fn main() {}
