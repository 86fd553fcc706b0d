use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter)]
    things_total: Counter,
    /// Other things
    #[metric(counter, name = "things_total")]
    other_total: Counter,
}

fn main() {}
