use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, lables = [dir = [up, down]])]
    things_total: Counter,
}

fn main() {}
