//! The families the app exposes without declaring them itself: the server's request and
//! readiness metrics, registered under the app's prefix, and the registry's overflow counter.
//! They are part of the project like the app's own, so the reference lists every family
//! `/metrics` serves and rules over them are checked the same way.

use std::sync::OnceLock;

use promdecl::{FamilyDesc, Metrics, OVERFLOW_FAMILY};
use promdecl_gen::{Alert, RuleGroup, Section};
use promdecl_server::{HttpMetrics, ReadinessMetrics};

use crate::PREFIX;

/// The families of `M` as `Registry::register_prefixed(PREFIX, ..)` exposes them, as a section
/// titled `title`. The descriptors are built once per struct (`cache`) and live as long as the
/// program, as the derive's own do.
fn prefixed<M: Metrics>(title: &str, cache: &'static OnceLock<Vec<FamilyDesc>>) -> Section {
    let families = cache.get_or_init(|| {
        M::FAMILIES
            .iter()
            .map(|f| FamilyDesc {
                name: String::leak(format!("{PREFIX}_{}", f.name)),
                ..*f
            })
            .collect()
    });
    Section {
        title: title.into(),
        families: families.iter().collect(),
    }
}

/// `shop_http_server_*`: every request, by method, route template and status.
pub fn http() -> Section {
    static FAMILIES: OnceLock<Vec<FamilyDesc>> = OnceLock::new();
    prefixed::<HttpMetrics>("HTTP server", &FAMILIES)
}

/// `shop_readiness_*`: the `/ready` checks.
pub fn readiness() -> Section {
    static FAMILIES: OnceLock<Vec<FamilyDesc>> = OnceLock::new();
    prefixed::<ReadinessMetrics>("Readiness", &FAMILIES)
}

/// `metrics_series_overflow_total`: exposed once any family has free-form labels.
pub fn series_budgets() -> Section {
    Section {
        title: "Series budgets".into(),
        families: vec![&OVERFLOW_FAMILY],
    }
}

/// Test input: checkouts answered 502 and 201, the inventory readiness check, and the orders'
/// overflow count.
const CHECKOUT_502: &str = r#"shop_http_server_requests_total{method="POST",route="/checkout/{warehouse}/{payment}",status="502"}"#;
const CHECKOUT_201: &str = r#"shop_http_server_requests_total{method="POST",route="/checkout/{warehouse}/{payment}",status="201"}"#;
const INVENTORY_CHECK: &str = r#"shop_readiness_check_healthy{check="inventory",critical="true"}"#;
const ORDERS_OVERFLOW: &str = r#"metrics_series_overflow_total{family="shop_orders_total"}"#;

/// The rules over the server's families.
pub fn rules() -> RuleGroup {
    RuleGroup::new("shop-service")
        .alert(
            Alert::new("ShopHttpErrors")
                .expr(
                    r#"sum(rate(shop_http_server_requests_total{status=~"5.."}[5m])) / sum(rate(shop_http_server_requests_total[5m])) > 0.05"#,
                )
                .for_("5m")
                .label("severity", "page")
                .annotation("summary", "More than 5% of requests fail with a 5xx status")
                .fires_with(CHECKOUT_502, "0+10x20")
                .fires_with(CHECKOUT_201, "0+60x20")
                .quiet_with(CHECKOUT_201, "0+60x20"),
        )
        .alert(
            Alert::new("ShopNotReady")
                .expr(r#"shop_readiness_check_healthy{critical="true"} == 0"#)
                .for_("5m")
                .label("severity", "page")
                .annotation("summary", "Readiness check {{ $labels.check }} fails")
                .fires_with(INVENTORY_CHECK, "0+0x15")
                .quiet_with(INVENTORY_CHECK, "1+0x15"),
        )
        .alert(
            Alert::new("ShopSeriesBudgetReached")
                .expr("sum by (family) (increase(metrics_series_overflow_total[10m])) > 0")
                .label("severity", "warning")
                .annotation(
                    "summary",
                    "{{ $labels.family }} reached its series budget; new label values fold into one series",
                )
                .fires_with(ORDERS_OVERFLOW, "0+5x20")
                .quiet_with(ORDERS_OVERFLOW, "0+0x20"),
        )
}
