use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Searches by query
    #[metric(counter, labels = [q: String], max_series = 100)]
    searches_total: Counter,
}

fn main() {}
