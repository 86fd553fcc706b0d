use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, native(factor = 1.0))]
    payload_bytes: Histogram,
}

fn main() {}
