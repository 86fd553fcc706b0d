use promdecl::*;

#[derive(Metrics)]
struct M {
    #[metric(counter)]
    things_total: Counter,
    /// Stuff
    #[metric(gauge, buckets = [1.0])]
    stuff: Gauge,
}

fn main() {}
