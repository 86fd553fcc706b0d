use promdecl::*;

#[derive(Metrics)]
#[metrics(crate = "my corp::promdecl")]
struct M {
    /// Things
    #[metric(counter)]
    things_total: Counter,
}

fn main() {}
