use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Latency
    #[metric(summary, max_age = "600", age_buckets = 0)]
    rpc_seconds: Summary,
}

fn main() {}
