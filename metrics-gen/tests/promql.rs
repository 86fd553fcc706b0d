//! The PromQL checker against a small project.

mod common;

use common::{project, with_alert};
use promdecl_gen::promql::{self, check, Checker};
use promdecl_gen::{Alert, RuleGroup};

fn errors_of(expr: &str) -> Vec<String> {
    match check(&with_alert(Alert::new("A").expr(expr))) {
        Ok(()) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn the_shared_project_passes() {
    check(&project()).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn unknown_metric_names_the_rule_and_suggests() {
    assert_eq!(
        errors_of("rate(shop_order_total[5m])"),
        ["rule `extra/A`: `shop_order_total` is not a declared metric (did you mean `shop_orders_total`?)"]
    );
    assert_eq!(
        errors_of("rate(payments_total[5m])"),
        ["rule `extra/A`: `payments_total` is not a declared metric"]
    );
}

#[test]
fn enumerated_values_are_checked() {
    assert_eq!(
        errors_of(r#"shop_orders_total{outcome="rejectd"}"#),
        ["rule `extra/A`: label `outcome` of `shop_orders_total` has no value `rejectd`; declared values: accepted, rejected"]
    );
    assert!(errors_of(r#"shop_orders_total{outcome=~"rej.*"}"#).is_empty());
    assert!(errors_of(r#"shop_orders_total{outcome!~"nothing"}"#).is_empty());
    assert_eq!(
        errors_of(r#"shop_orders_total{outcome=~"ok|fine"}"#),
        ["rule `extra/A`: label `outcome` of `shop_orders_total` has no value matching `ok|fine`; declared values: accepted, rejected"]
    );
    // bool labels and typed enums
    assert!(errors_of(r#"shop_cache_lookups_total{tier="memory",hit="true"}"#).is_empty());
    assert_eq!(errors_of(r#"shop_cache_lookups_total{hit="yes"}"#).len(), 1);
    // free-form labels take any value
    assert!(errors_of(r#"shop_orders_total{payment="anything"}"#).is_empty());
}

#[test]
fn labels_are_checked_per_sample() {
    let e = errors_of(r#"shop_orders_total{outcom="accepted"}"#);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(
            "rule `extra/A`: `shop_orders_total` has no label `outcom` (did you mean `outcome`?)"
        ),
        "{e:?}"
    );
    assert!(errors_of(r#"shop_orders_total{job="shop",instance="x"}"#).is_empty());
    // `le` only on the bucket sample
    assert!(errors_of(r#"shop_checkout_seconds_bucket{le="+Inf"}"#).is_empty());
    let e = errors_of(r#"shop_checkout_seconds_sum{le="+Inf"}"#);
    assert!(e[0].contains("has no label `le`"), "{e:?}");
    // a histogram's bare name is not a sample
    let e = errors_of("rate(shop_checkout_seconds[5m])");
    assert!(e[0].contains("`shop_checkout_seconds` is a histogram, which exposes only `shop_checkout_seconds_bucket`"), "{e:?}");
}

#[test]
fn prometheus_series_and_recorded_series() {
    assert!(errors_of(r#"up{job="shop"} == 0"#).is_empty());
    assert!(errors_of("scrape_duration_seconds > 1").is_empty());
    assert!(errors_of(r#"up{outcome="x"}"#)[0].contains("`up` has no label `outcome`"));
    // the recorded series keeps only `outcome`, with its declared values
    assert!(errors_of(r#"shop:orders:rate5m{outcome="rejected"} > 1"#).is_empty());
    let e = errors_of(r#"shop:orders:rate5m{outcome="rejectd"}"#);
    assert!(e[0].contains("has no value `rejectd`"), "{e:?}");
    let e = errors_of(r#"shop:orders:rate5m{payment="card"}"#);
    assert!(
        e[0].contains("recorded series `shop:orders:rate5m` has no label `payment`"),
        "{e:?}"
    );
}

#[test]
fn grouping_labels_must_exist() {
    let e = errors_of("sum by (outcom) (rate(shop_orders_total[5m]))");
    assert!(
        e[0].contains("`by` names label `outcom` (did you mean `outcome`?)"),
        "{e:?}"
    );
    assert!(errors_of("sum without (payment) (rate(shop_orders_total[5m]))").is_empty());
    // after `sum by (outcome)`, `payment` is gone
    let e = errors_of("sum by (payment) (sum by (outcome) (rate(shop_orders_total[5m])))");
    assert!(e[0].contains("`by` names label `payment`"), "{e:?}");
    // on / group_left
    assert!(errors_of(
        "sum by (outcome) (rate(shop_orders_total[5m])) / on (outcome) sum by (outcome) (rate(shop_checkout_seconds_count[5m]))"
    )
    .is_empty());
    let e = errors_of("shop_orders_in_flight * on (instance) group_left (version) shop_build_info");
    assert!(e.is_empty(), "{e:?}");
    let e =
        errors_of("shop_orders_in_flight * on (instance) group_left (revision) shop_build_info");
    assert!(
        e[0].contains("`group_left` names label `revision`"),
        "{e:?}"
    );
    // label_replace makes a label, and reads an existing one
    assert!(errors_of(
        r#"sum by (method) (label_replace(rate(shop_orders_total[5m]), "method", "$1", "payment", "(.*)"))"#
    )
    .is_empty());
    let e = errors_of(r#"label_replace(shop_orders_total, "m", "$1", "paymnt", "(.*)")"#);
    assert!(
        e[0].contains("`label_replace` names label `paymnt`"),
        "{e:?}"
    );
    // histogram_quantile needs le
    let e = errors_of("histogram_quantile(0.9, sum(rate(shop_checkout_seconds_bucket[5m])))");
    assert!(
        e[0].contains("`histogram_quantile` needs bucket samples"),
        "{e:?}"
    );
}

#[test]
fn every_problem_is_reported_with_parse_errors_too() {
    let e = errors_of(r#"rate(shop_order_total[5m]) + shop_orders_total{outcome="x"}"#);
    assert_eq!(e.len(), 2, "{e:?}");
    let e = errors_of("rate(shop_orders_total[5m]");
    assert!(
        e[0].starts_with("rule `extra/A`: `rate(shop_orders_total[5m]` does not parse"),
        "{e:?}"
    );
    let e = errors_of("");
    assert!(e[0].contains("has no expression"), "{e:?}");
}

#[test]
fn test_inputs_and_record_names_are_checked() {
    let e = errors_of_alert(
        Alert::new("A")
            .expr("up == 0")
            .fires_with(r#"shop_orders_total{outcome="rejectd"}"#, "1"),
    );
    assert!(
        e[0].starts_with(
            "rule `extra/A`: test input `shop_orders_total{outcome=\"rejectd\"}`: label `outcome`"
        ),
        "{e:?}"
    );
    let mut p = project();
    p.groups[0]
        .rules
        .push(RuleGroup::new("rec").record("shop_orders_total", "sum(shop_orders_in_flight)"));
    let e = check(&p).unwrap_err();
    assert!(e[0].to_string().contains("rule `rec/shop_orders_total`: records `shop_orders_total`, a sample of the declared family"), "{e:?}");
}

fn errors_of_alert(a: Alert) -> Vec<String> {
    check(&with_alert(a))
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn selectors_and_families_read() {
    let s = promql::selectors(r#"sum(rate(shop_orders_total{outcome=~"acc.*",payment!="x"}[5m]))"#)
        .unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0].to_string(),
        r#"shop_orders_total{outcome=~"acc.*",payment!="x"}"#
    );
    assert!(s[0].admits("outcome", "accepted"));
    assert!(!s[0].admits("outcome", "rejected"));
    assert!(s[0].admits("tier", "anything"));
    let s = promql::selectors(r#"{__name__="shop_orders_total"}"#).unwrap();
    assert_eq!(s[0].metric.as_deref(), Some("shop_orders_total"));
    let p = project();
    // through the recorded series, an alert reads the family it was recorded from
    let read = promql::families_read(&p, "shop:orders:rate5m > 1");
    assert_eq!(
        read.iter().map(|f| f.name).collect::<Vec<_>>(),
        ["shop_orders_total"]
    );
    assert!(Checker::new(&p)
        .check_expr("shop_orders_in_flight > 10")
        .is_ok());
}
