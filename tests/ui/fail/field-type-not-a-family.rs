use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter)]
    things_total: u64,
}

fn main() {}
