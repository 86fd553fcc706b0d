use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [topic, topic])]
    things_total: Counter,
}

fn main() {}
