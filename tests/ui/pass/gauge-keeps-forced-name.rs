// `allow_reserved_suffix` keeps a gauge name an existing system forces, exactly as declared.
use promdecl::{testing, IntGauge, Metrics};

#[derive(Metrics)]
#[metrics(prefix = "bridge")]
struct Business {
    /// Number of connected peers
    #[metric(gauge, allow_reserved_suffix)]
    peer_count: IntGauge,
}

fn main() {
    let b = Business::new();
    b.peer_count().set(3);
    assert_eq!(testing::value(&b, "bridge_peer_count", &[]), Some(3.0));
}
