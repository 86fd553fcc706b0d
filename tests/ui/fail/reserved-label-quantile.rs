use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(gauge, labels = [quantile])]
    things: Gauge,
}

fn main() {}
