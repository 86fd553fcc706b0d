use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [dir: String])]
    things_total: Counter,
}

fn main() {}
