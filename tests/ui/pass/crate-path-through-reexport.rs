// `crate = "..."` makes every generated path go through a re-export of promdecl.
mod corp {
    pub use ::promdecl;
}

use corp::promdecl::testing;

#[derive(Clone, Copy, corp::promdecl::LabelValue)]
#[label(crate = "corp::promdecl", rename_all = "kebab-case")]
enum Tier {
    HotCache,
    ColdStorage,
}

#[derive(corp::promdecl::Metrics)]
#[metrics(crate = "corp::promdecl", prefix = "corp")]
struct Store {
    /// Reads by route, tier and cache state
    #[metric(counter, labels = [route, tier: Tier, state = [hit, miss]], max_series = 10)]
    reads_total: corp::promdecl::Counter,
    /// Read latency
    #[metric(histogram, labels = [tier: Tier], buckets = [0.01, 0.1, 1.0])]
    read_seconds: corp::promdecl::Histogram,
    /// Build
    #[metric(info, labels = [version, tier: Tier])]
    build_info: corp::promdecl::Info,
}

fn main() {
    let s = Store::new();
    s.reads_total("/a", Tier::HotCache, store_labels::State::Miss).inc();
    s.read_seconds(Tier::ColdStorage).observe(0.05);
    s.build_info("1.0", Tier::HotCache);
    let value = testing::value(&s, "corp_reads_total", &["/a", "hot-cache", "miss"]);
    assert_eq!(value, Some(1.0));
    assert_eq!(<Store as corp::promdecl::Metrics>::FAMILIES.len(), 3);
}
