use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Connected peers
    #[metric(gauge)]
    peers_total: Gauge,
}

fn main() {}
