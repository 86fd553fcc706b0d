use promdecl::*;

#[derive(Metrics)]
#[metrics(prefix = "9app")]
struct M {
    /// Things
    #[metric(counter)]
    things_total: Counter,
}

fn main() {}
