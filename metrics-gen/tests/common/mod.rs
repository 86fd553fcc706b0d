//! A small project shared by the integration tests: two structs, rules, a correction; and
//! helpers reading generated files and dashboards.
#![allow(dead_code)]

use promdecl::{Counter, Gauge, Histogram, Info, LabelValue, Metrics};
use promdecl_gen::{Alert, File, Group, Project, RuleGroup};
use serde_json::Value;

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

/// The contents of the file generated at `path`.
pub fn file<'a>(files: &'a [File], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not generated"))
        .contents
}

/// The panels of a Grafana dashboard.
pub fn panels(board: &Value) -> &Vec<Value> {
    board["panels"].as_array().expect("panels")
}

/// The number at `key` of `v`.
pub fn u64_of(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} of {v} is not a number"))
}

/// Where a panel is on the grid: `(x, y, w, h)`.
pub type Rect = (u64, u64, u64, u64);

/// The place of every panel of a dashboard, in order.
pub fn rects(board: &Value) -> Vec<Rect> {
    panels(board)
        .iter()
        .map(|p| {
            let g = &p["gridPos"];
            (
                u64_of(g, "x"),
                u64_of(g, "y"),
                u64_of(g, "w"),
                u64_of(g, "h"),
            )
        })
        .collect()
}

/// Fails when two of the panels placed at `rects` overlap.
pub fn assert_no_overlap(rects: &[Rect]) {
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            let apart =
                a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
}
