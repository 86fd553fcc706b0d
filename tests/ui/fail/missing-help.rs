use promdecl::*;

#[derive(Metrics)]
struct M {
    #[metric(counter)]
    things_total: Counter,
}

fn main() {}
