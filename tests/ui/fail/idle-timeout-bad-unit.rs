use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [peer], idle_timeout = "10min")]
    things_total: Counter,
}

fn main() {}
