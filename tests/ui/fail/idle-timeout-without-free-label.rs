use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Things
    #[metric(counter, labels = [dir = [up, down]], idle_timeout = "10m")]
    things_total: Counter,
}

fn main() {}
