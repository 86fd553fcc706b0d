use metrics_core::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [tópico])]
    things_total: Counter,
}

fn main() {}
