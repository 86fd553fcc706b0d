use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [dir = [up, down]], max_series = 100)]
    things_total: Counter,
}

fn main() {}
