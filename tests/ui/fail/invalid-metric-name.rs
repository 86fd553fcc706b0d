use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, name = "things-done_total")]
    things_total: Counter,
}

fn main() {}
