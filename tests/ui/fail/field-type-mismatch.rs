use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter)]
    things_total: Gauge,
}

fn main() {}
