use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [peer], idle_timeout = "ten minutes")]
    things_total: Counter,
}

fn main() {}
