use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, unit = "bytes")]
    payload_size_bytes: Histogram,
}

fn main() {}
