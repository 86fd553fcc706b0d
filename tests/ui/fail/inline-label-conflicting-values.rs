use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [dir = [up, down]])]
    things_total: Counter,
    /// Stuff
    #[metric(counter, labels = [dir = [left, right]])]
    stuff_total: Counter,
}

fn main() {}
