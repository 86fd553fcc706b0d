use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [dir = [up, down, up]])]
    things_total: Counter,
}

fn main() {}
