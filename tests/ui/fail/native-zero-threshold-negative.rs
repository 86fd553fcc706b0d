use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, native(zero_threshold = -1e-9))]
    payload_bytes: Histogram,
}

fn main() {}
