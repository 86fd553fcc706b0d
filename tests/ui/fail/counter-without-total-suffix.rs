use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter)]
    things: Counter,
}

fn main() {}
