use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [peer], idle_timeout = "0s")]
    things_total: Counter,
}

fn main() {}
