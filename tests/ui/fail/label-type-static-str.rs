use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Requests by route
    #[metric(counter, labels = [route: &'static str])]
    requests_total: Counter,
}

fn main() {}
