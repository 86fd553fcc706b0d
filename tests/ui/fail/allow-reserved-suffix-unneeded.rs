use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Connected peers
    #[metric(gauge, allow_reserved_suffix)]
    peers: Gauge,
}

fn main() {}
