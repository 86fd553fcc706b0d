use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [dir = []])]
    things_total: Counter,
}

fn main() {}
