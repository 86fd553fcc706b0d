use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, native(factr = 1.1))]
    payload_bytes: Histogram,
}

fn main() {}
