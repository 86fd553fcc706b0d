use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(summary, quantiles = [0.5, 99.0])]
    rpc_seconds: Summary,
}

fn main() {}
