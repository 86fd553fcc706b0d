use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(summary, quantiles = [0.99, 0.5])]
    rpc_seconds: Summary,
}

fn main() {}
