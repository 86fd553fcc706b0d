use promdecl::*;

#[derive(Metrics)]
#[metrics(crate = 7)]
struct M {
    /// Things
    #[metric(counter)]
    things_total: Counter,
}

fn main() {}
