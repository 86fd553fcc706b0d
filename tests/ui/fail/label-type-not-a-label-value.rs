use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [code: u16])]
    things_total: Counter,
}

fn main() {}
