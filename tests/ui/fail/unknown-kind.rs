use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(countr)]
    things_total: Counter,
}

fn main() {}
