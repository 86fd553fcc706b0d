use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(labels = [a])]
    things_total: Counter,
}

fn main() {}
