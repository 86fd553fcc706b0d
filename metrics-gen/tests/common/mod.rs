//! A small project shared by the integration tests: two structs, rules, a correction.
#![allow(dead_code)]

use promdecl::{Counter, Gauge, Histogram, Info, LabelValue, Metrics};
use promdecl_gen::{Alert, Group, Project, RuleGroup};

/// Where a cache lookup was answered.
#[derive(Clone, Copy, LabelValue)]
pub enum Tier {
    Memory,
    Disk,
}

#[derive(Metrics)]
#[metrics(prefix = "shop")]
pub struct Orders {
    /// Orders placed, by payment method and outcome
    #[metric(counter, labels = [payment, outcome = [accepted, rejected]], max_series = 100)]
    orders_total: Counter,
    /// Checkout latency
    #[metric(histogram, labels = [outcome = [accepted, rejected]])]
    checkout_seconds: Histogram,
    /// Orders being processed now
    #[metric(gauge, note = "sampled at the end of each request")]
    orders_in_flight: Gauge,
    /// Build information
    #[metric(info, labels = [version])]
    build_info: Info,
}

#[derive(Metrics)]
#[metrics(prefix = "shop")]
pub struct Cache {
    /// Cache lookups, by tier and whether they hit
    #[metric(counter, labels = [tier: Tier, hit: bool])]
    cache_lookups_total: Counter,
}

pub fn rules() -> RuleGroup {
    RuleGroup::new("shop")
        .interval("30s")
        .alert(
            Alert::new("CheckoutErrors")
                .expr(r#"sum(rate(shop_orders_total{outcome="rejected"}[5m])) > 1"#)
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "More than one rejected order per second")
                .fires_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+120x20")
                .quiet_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+30x20"),
        )
        .record(
            "shop:orders:rate5m",
            "sum by (outcome) (rate(shop_orders_total[5m]))",
        )
        .alert(
            Alert::new("SlowCheckout")
                .expr(
                    "histogram_quantile(0.95, sum by (le) (rate(shop_checkout_seconds_bucket[5m]))) > 2",
                )
                .for_("5m")
                .label("severity", "page")
                .annotation("summary", "p95 checkout above 2s")
                .corrects(
                    "histogram_quantile(0.95, rate(shop_checkout_seconds[5m])) > 2",
                    "a histogram exposes only its `_bucket`, `_sum` and `_count` samples",
                ),
        )
}

pub fn project() -> Project {
    Project::new("Shop metrics", "shop")
        .target("127.0.0.1:3000")
        .group(
            Group::new("shop", "Shop")
                .intro("Families of the shop service.")
                .metrics::<Orders>("Orders")
                .metrics::<Cache>("Cache")
                .rules(rules()),
        )
}

/// `project()` with one more rule group holding `alert`.
pub fn with_alert(alert: Alert) -> Project {
    let mut p = project();
    p.groups[0].rules.push(RuleGroup::new("extra").alert(alert));
    p
}

/// A fresh empty directory for one test, removed first if a previous run left it.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("promdecl-gen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}
