use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [__name])]
    things_total: Counter,
}

fn main() {}
