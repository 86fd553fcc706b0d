use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [topic, dir = [up, down]])]
    things_total: Counter,
}

fn main() {
    let m = M::new();
    m.things_total("t", m_labels::Dir::Upp).inc();
}
