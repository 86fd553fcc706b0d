use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [tópico])]
    things_total: Counter,
}

fn main() {}
