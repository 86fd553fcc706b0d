use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, lables = [a])]
    things_total: Counter,
}

fn main() {}
