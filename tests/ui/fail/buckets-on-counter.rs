use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, buckets = [1.0, 2.0])]
    things_total: Counter,
}

fn main() {}
