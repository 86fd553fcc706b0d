use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(summary)]
    rpc_seconds: Histogram,
}

fn main() {}
