use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, native)]
    things_total: Counter,
}

fn main() {}
