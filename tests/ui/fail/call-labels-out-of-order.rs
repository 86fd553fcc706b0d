use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [topic, dir = [up, down]])]
    things_total: Counter,
}

fn main() {
    let m = M::new();
    m.things_total(m_labels::Dir::Up, "t").inc();
}
