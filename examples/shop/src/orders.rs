//! Orders: the metrics of checkout, and the rules that watch them, declared side by side.

use promdecl::{Counter, Gauge, Histogram, Metrics};
use promdecl_gen::slo::{family, Sli, Slo, SloError};
use promdecl_gen::{Alert, RuleGroup};

pub use orders_labels::Outcome;

/// Checkout: how orders end, how long they take, how many are open.
#[derive(Debug, Metrics)]
#[metrics(prefix = "shop")]
pub struct Orders {
    /// Orders placed, by payment method and outcome
    #[metric(counter, labels = [payment, outcome = [accepted, rejected, failed]], max_series = 20,
             note = "`payment` comes from the URL: past 20 methods, new ones fold into `__overflow__`")]
    orders_total: Counter,
    /// Time from the checkout request to the order's outcome
    #[metric(histogram, labels = [outcome = [accepted, rejected, failed]])]
    checkout_duration_seconds: Histogram,
    /// Orders being checked out now
    #[metric(gauge)]
    orders_in_flight: Gauge,
}

/// The rules over [`Orders`]: each alert with the input that must fire it and the input that
/// must not, from which `docs/alerts/shop-orders.rules.test.yml` is generated.
pub fn rules() -> RuleGroup {
    RuleGroup::new("shop-orders")
        .record(
            "shop:orders:rate5m",
            "sum by (outcome) (rate(shop_orders_total[5m]))",
        )
        .alert(
            Alert::new("ShopOrdersFailing")
                .expr(
                    r#"sum(rate(shop_orders_total{outcome="failed"}[5m])) / sum(rate(shop_orders_total[5m])) > 0.05"#,
                )
                .for_("10m")
                .label("severity", "page")
                .annotation("summary", "More than 5% of checkouts fail")
                .fires_with(r#"shop_orders_total{payment="card",outcome="failed"}"#, "0+6x30")
                .fires_with(r#"shop_orders_total{payment="card",outcome="accepted"}"#, "0+60x30")
                .quiet_with(r#"shop_orders_total{payment="card",outcome="failed"}"#, "0+1x30")
                .quiet_with(r#"shop_orders_total{payment="card",outcome="accepted"}"#, "0+60x30"),
        )
        .alert(
            Alert::new("ShopOrdersRejected")
                .expr(
                    r#"shop:orders:rate5m{outcome="rejected"} / ignoring (outcome) sum without (outcome) (shop:orders:rate5m) > 0.5"#,
                )
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "More than half of the orders are rejected")
                .fires_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+120x30")
                .fires_with(r#"shop_orders_total{payment="card",outcome="accepted"}"#, "0+60x30")
                .quiet_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+30x30")
                .quiet_with(r#"shop_orders_total{payment="card",outcome="accepted"}"#, "0+120x30"),
        )
        .alert(
            Alert::new("ShopCheckoutSlow")
                .expr(
                    r#"histogram_quantile(0.95, sum by (le) (rate(shop_checkout_duration_seconds_bucket{outcome="accepted"}[5m]))) > 2"#,
                )
                .for_("10m")
                .label("severity", "warning")
                .annotation("summary", "The slowest 5% of accepted checkouts take more than 2s")
                .fires_with(r#"shop_checkout_duration_seconds_bucket{outcome="accepted",le="1"}"#, "0+0x30")
                .fires_with(r#"shop_checkout_duration_seconds_bucket{outcome="accepted",le="5"}"#, "0+10x30")
                .fires_with(r#"shop_checkout_duration_seconds_bucket{outcome="accepted",le="+Inf"}"#, "0+10x30")
                .quiet_with(r#"shop_checkout_duration_seconds_bucket{outcome="accepted",le="1"}"#, "0+10x30")
                .quiet_with(r#"shop_checkout_duration_seconds_bucket{outcome="accepted",le="5"}"#, "0+10x30")
                .quiet_with(r#"shop_checkout_duration_seconds_bucket{outcome="accepted",le="+Inf"}"#, "0+10x30"),
        )
        .alert(
            Alert::new("ShopOrdersPilingUp")
                .expr("shop_orders_in_flight > 50")
                .for_("5m")
                .label("severity", "warning")
                .annotation("summary", "More than 50 checkouts are open at once")
                .fires_with("shop_orders_in_flight", "60+0x20")
                .quiet_with("shop_orders_in_flight", "3+0x20"),
        )
}

/// The objective of checkout, beside the families it reads: 99 % of orders end without
/// failing (rejections are the customer's doing, not ours), over 30 days. Its rules, their tests
/// and its dashboard are generated as `docs/alerts/shop-orders.slo.yml`, `...slo.*.test.yml`
/// and `docs/dashboards/shop-orders-slo.json`.
pub fn slo() -> Result<Slo, SloError> {
    let orders = family::<Orders>("shop_orders_total")?;
    Slo::builder("checkout", Sli::errors_where(orders, "outcome", "failed"))
        .objective(0.99)
        .description("99 % of checkouts do not fail")
        .build()
}
