use promdecl::*;

#[derive(Metrics)]
struct M {
    #[metric(counter, help = "  ")]
    things_total: Counter,
}

fn main() {}
