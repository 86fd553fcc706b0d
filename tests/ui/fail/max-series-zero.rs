use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [peer], max_series = 0)]
    things_total: Counter,
}

fn main() {}
