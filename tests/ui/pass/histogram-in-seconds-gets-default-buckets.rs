// A histogram in seconds declared without `buckets` gets `promdecl::buckets::DEFAULT`, whether the
// unit comes from the name or from `unit = "seconds"`.
use promdecl::{Histogram, Metrics};

#[derive(Metrics)]
struct Rpc {
    /// Call latency
    #[metric(histogram)]
    call_seconds: Histogram,
    /// Queue wait
    #[metric(histogram, name = "queue_wait_seconds", unit = "seconds")]
    queue_wait: Histogram,
}

fn main() {
    for family in <Rpc as Metrics>::FAMILIES {
        assert_eq!(family.buckets, Some(promdecl::buckets::DEFAULT));
    }
    Rpc::new().call_seconds().observe(0.2);
}
