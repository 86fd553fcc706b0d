use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Jobs run
    #[metric(counter)]
    jobs_total: Counter,
    /// Jobs running now
    // OpenMetrics names the counter's family `jobs`: the gauge would take the same name.
    #[metric(gauge)]
    jobs: Gauge,
}

fn main() {}
