use promdecl::*;

#[derive(Metrics)]
struct M {
    /// Peers seen
    #[metric(gauge, labels = [peer])]
    peers: Gauge,
    /// Peers removed
    #[metric(counter, name = "peers_removed_total")]
    remove_peers: Counter,
}

fn main() {
    let m = M::new();
    m.remove_peers().inc();
    m.peers("a").set(1.0);
}
