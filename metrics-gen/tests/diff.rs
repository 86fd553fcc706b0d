//! The schema diff between the exports of two versions of the same declarations.

use promdecl_gen::diff::{diff, ChangeKind, Severity};
use promdecl_gen::{export, Alert, Group, Project, RuleGroup};
use serde_json::Value;

mod v1 {
    use promdecl::{Counter, Histogram, Metrics};

    #[derive(Metrics)]
    #[metrics(prefix = "shop")]
    pub struct Orders {
        /// Orders placed, by payment method and outcome
        #[metric(counter, labels = [payment, outcome = [accepted, rejected, cancelled]], max_series = 100)]
        orders_total: Counter,
        /// Checkout latency
        #[metric(histogram)]
        checkout_seconds: Histogram,
    }
}

mod v2 {
    use promdecl::{Counter, Histogram, Metrics};

    #[derive(Metrics)]
    #[metrics(prefix = "shop")]
    pub struct Orders {
        /// Orders placed, by outcome
        #[metric(counter, labels = [outcome = [accepted, rejected]])]
        orders_total: Counter,
        /// Checkout latency
        #[metric(histogram)]
        checkout_duration_seconds: Histogram,
        /// Refunds issued
        #[metric(counter)]
        refunds_total: Counter,
    }
}

/// The rules of the old version.
fn rules() -> RuleGroup {
    let alert = |name: &str, expr: &str| Alert::new(name).expr(expr);
    RuleGroup::new("shop")
        .alert(alert(
            "Cancellations",
            r#"sum(rate(shop_orders_total{outcome="cancelled"}[5m])) > 1"#,
        ))
        .alert(alert(
            "Unhappy",
            r#"sum(rate(shop_orders_total{outcome=~"rejected|cancelled"}[5m])) > 1"#,
        ))
        .alert(alert(
            "Rejections",
            r#"sum(rate(shop_orders_total{outcome="rejected"}[5m])) > 1"#,
        ))
        .alert(alert(
            "AnyOutcome",
            r#"sum(rate(shop_orders_total{outcome=~".*"}[5m])) > 100"#,
        ))
        .alert(alert(
            "ByPayment",
            "sum by (payment) (rate(shop_orders_total[5m])) > 5",
        ))
        .alert(alert(
            "SlowCheckout",
            "histogram_quantile(0.95, sum by (le) (rate(shop_checkout_seconds_bucket[5m]))) > 2",
        ))
}

fn old() -> Value {
    let group = Group::new("shop", "Shop")
        .metrics::<v1::Orders>("Orders")
        .rules(rules());
    export::export(&Project::new("Shop", "shop").group(group))
}

fn new() -> Value {
    let group = Group::new("shop", "Shop").metrics::<v2::Orders>("Orders");
    export::export(&Project::new("Shop", "shop").group(group))
}

fn rule_names(d: &promdecl_gen::diff::Diff, family: &str, kind: &ChangeKind) -> Vec<String> {
    let change = d
        .changes
        .iter()
        .find(|c| c.family == family && &c.kind == kind)
        .unwrap_or_else(|| panic!("no change {kind:?} of {family} in\n{d}"));
    change.rules.iter().map(|r| r.name.clone()).collect()
}

#[test]
fn removing_a_selected_value_breaks_the_rules_that_select_it() {
    let d = diff(&old(), &new());
    assert!(d.is_breaking());
    let removed = ChangeKind::ValueRemoved {
        label: "outcome".into(),
        value: "cancelled".into(),
    };
    assert_eq!(removed.severity(), Severity::Breaking);
    // Selected by name or by a regex naming it; not by `=~".*"` nor by another value.
    assert_eq!(
        rule_names(&d, "shop_orders_total", &removed),
        ["Cancellations", "Unhappy"]
    );
    let report = d.to_string();
    assert!(
        report.contains(
            "shop_orders_total: label `outcome` lost value `cancelled`\n    breaks alert `shop/Cancellations`, alert `shop/Unhappy`"
        ),
        "{report}"
    );
}

#[test]
fn removing_a_label_breaks_the_rules_that_group_by_it() {
    let d = diff(&old(), &new());
    let removed = ChangeKind::LabelRemoved("payment".into());
    assert_eq!(rule_names(&d, "shop_orders_total", &removed), ["ByPayment"]);
}

#[test]
fn renaming_a_family_is_breaking_and_named() {
    let d = diff(&old(), &new());
    let renamed = ChangeKind::Removed {
        renamed_to: vec!["shop_checkout_duration_seconds".into()],
    };
    assert_eq!(renamed.severity(), Severity::Breaking);
    assert_eq!(
        rule_names(&d, "shop_checkout_seconds", &renamed),
        ["SlowCheckout"]
    );
    let change = d
        .breaking()
        .find(|c| c.family == "shop_checkout_seconds")
        .unwrap();
    assert_eq!(
        change.panels,
        [
            "shop_checkout_seconds (Orders)",
            "shop_checkout_seconds rate (Orders)",
            "shop_checkout_seconds buckets (Orders)"
        ]
    );
    assert!(d
        .to_string()
        .contains("shop_checkout_seconds: removed (renamed to shop_checkout_duration_seconds?)"));
    // The new name is listed as added, and that alone breaks nothing.
    assert!(d
        .compatible()
        .any(|c| c.family == "shop_checkout_duration_seconds" && c.kind == ChangeKind::Added));
}

#[test]
fn adding_a_family_is_compatible() {
    let old = old();
    let mut new = old.clone();
    let added = new["families"][0].clone();
    let mut added = added.as_object().unwrap().clone();
    added.insert("name".into(), "shop_refunds_total".into());
    new["families"].as_array_mut().unwrap().push(added.into());
    let d = diff(&old, &new);
    assert!(!d.is_breaking(), "{d}");
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].kind, ChangeKind::Added);
    assert!(d
        .to_string()
        .starts_with("0 breaking, 1 compatible change(s)"));
    assert_eq!(diff(&old, &old).to_string(), "no schema changes\n");
}

#[test]
fn type_unit_and_bucket_changes() {
    let old = old();
    let mut new = old.clone();
    let checkout = new["families"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["name"] == "shop_checkout_seconds")
        .unwrap();
    let buckets = checkout["buckets"].as_array().unwrap().clone();
    // Drop the first bound and add one past the last.
    let mut changed: Vec<Value> = buckets[1..].to_vec();
    changed.push(1000.0.into());
    checkout["buckets"] = changed.into();
    checkout["unit"] = Value::Null;
    let d = diff(&old, &new);
    let kinds: Vec<&ChangeKind> = d.breaking().map(|c| &c.kind).collect();
    assert!(matches!(kinds[0], ChangeKind::UnitChanged { .. }), "{d}");
    assert!(
        matches!(kinds[1], ChangeKind::BucketsChanged { removed, added } if removed.len() == 1 && added == &[1000.0]),
        "{d}"
    );
    // Only added bounds: every old `le` series is still there.
    let mut more = old.clone();
    more["families"][1]["buckets"]
        .as_array_mut()
        .unwrap()
        .push(1000.0.into());
    assert!(!diff(&old, &more).is_breaking());
    let mut gauge = old.clone();
    gauge["families"][1]["type"] = "gauge".into();
    let d = diff(&old, &gauge);
    let change = d.breaking().next().unwrap();
    assert_eq!(
        change.to_string().lines().next(),
        Some("shop_checkout_seconds: type changed from histogram to gauge")
    );
}
