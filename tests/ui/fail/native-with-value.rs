use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Payload sizes
    #[metric(histogram, native = true)]
    payload_bytes: Histogram,
}

fn main() {}
