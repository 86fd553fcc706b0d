use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, native(max_buckets = 0))]
    payload_bytes: Histogram,
}

fn main() {}
