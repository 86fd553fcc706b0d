use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, native(factor = 100000))]
    payload_bytes: Histogram,
}

fn main() {}
