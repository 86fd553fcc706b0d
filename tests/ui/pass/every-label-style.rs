use promdecl::{testing, Counter, FloatCounter, IntGauge, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
#[label(rename_all = "kebab-case")]
enum Tier {
    HotCache,
    #[label(rename = "cold")]
    ColdStorage,
}

#[derive(Metrics)]
#[metrics(namespace = "app", subsystem = "store")]
struct Store {
    /// Reads by tier, typed with `=` as well as `:`
    #[metric(counter, labels = [tier = Tier, hit: bool, region], max_series = 5)]
    reads_total: Counter,
    /// Amount paid
    #[metric(counter, name = "paid_amount_total", labels = [currency = [usd, eur]])]
    paid: FloatCounter,
    /// Queue depth
    #[metric(gauge)]
    queue_depth: IntGauge,
    not_a_metric: u32,
}

fn main() {
    let s = Store::new();
    s.reads_total(Tier::HotCache, true, "eu").inc();
    s.paid(store_labels::Currency::Eur).inc_by(2.5);
    s.queue_depth().set(-3);
    assert_eq!(s.not_a_metric, 0);
    assert_eq!(testing::value(&s, "app_store_reads_total", &["hot-cache", "true", "eu"]), Some(1.0));
    assert_eq!(testing::value(&s, "app_store_paid_amount_total", &["eur"]), Some(2.5));
    assert_eq!(testing::value(&s, "app_store_queue_depth", &[]), Some(-3.0));
    assert_eq!(Tier::ColdStorage.as_str(), "cold");
    assert_eq!(store_labels::Currency::ALL.len(), 2);
    assert_eq!(store_labels::Currency::Usd.to_string(), "usd");
}
