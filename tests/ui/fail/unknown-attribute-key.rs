use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, description = "things done")]
    things_total: Counter,
}

fn main() {}
