use metrics_core::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(gauge, labels = [quantile])]
    things: Gauge,
}

fn main() {}
