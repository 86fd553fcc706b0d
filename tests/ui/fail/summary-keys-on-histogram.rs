use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(histogram, quantiles = [0.5, 0.99], max_age = "10m")]
    rpc_seconds: Histogram,
}

fn main() {}
