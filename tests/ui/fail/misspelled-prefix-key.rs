use promdecl::*;

#[derive(Metrics)]
#[metrics(prefx = "shop")]
struct M {
    /// Things
    #[metric(counter)]
    things_total: Counter,
}

fn main() {}
