//! Registration: errors as values that name both sides, const labels, prefixes, zero series.

use std::sync::Arc;

use promdecl::{Counter, Format, Gauge, Metrics, Registry, RegistryError};

#[derive(Metrics)]
struct Orders {
    /// Orders placed
    #[metric(counter, labels = [region = [eu, us]])]
    orders_total: Counter,
}

#[derive(Metrics)]
struct OtherOrders {
    /// Orders placed
    // The enum generated for `Orders` is reused by type: one module, one `Region`.
    #[metric(counter, labels = [region: orders_labels::Region])]
    orders_total: Counter,
}

#[derive(Metrics)]
struct GaugeOrders {
    /// Orders in flight
    // Named like the counter on purpose: the registry, not the derive, must catch the clash.
    #[metric(gauge, name = "orders_total", allow_reserved_suffix)]
    orders: Gauge,
}

#[test]
fn duplicate_registration_names_both_structs() {
    let r = Registry::new();
    r.register(Orders::new()).unwrap();
    let err = r.register(OtherOrders::new()).map(drop).unwrap_err();
    assert!(matches!(err, RegistryError::Duplicate { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("`orders_total`") && msg.contains("Orders") && msg.contains("OtherOrders"),
        "{msg}"
    );
}

#[test]
fn same_name_other_type_is_a_conflict_naming_both_shapes() {
    let r = Registry::new();
    r.register(Orders::new()).unwrap();
    let msg = r
        .register(GaugeOrders::new())
        .map(drop)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("counter `orders_total` {region}") && msg.contains("gauge `orders_total` {}"),
        "{msg}"
    );
    assert!(
        msg.contains("OtherOrders") || msg.contains("GaugeOrders"),
        "{msg}"
    );
}

#[test]
fn a_const_label_clash_is_still_refused_with_a_registry_cap_set() {
    let r = Registry::builder()
        .const_label("region", "x")
        .max_label_value_bytes(16)
        .build()
        .unwrap();
    let msg = r.register(Orders::new()).map(drop).unwrap_err().to_string();
    assert!(
        msg.contains("region") && msg.contains("const label"),
        "{msg}"
    );
}

#[test]
fn registering_the_same_arc_twice_is_idempotent_and_unregister_removes_it() {
    let r = Registry::new();
    let o = Arc::new(Orders::new());
    r.register_arc(o.clone()).unwrap();
    r.register_arc(o.clone()).unwrap();
    assert_eq!(
        r.encode(Format::Text)
            .matches("# TYPE orders_total")
            .count(),
        1
    );
    assert!(r.unregister(&o));
    assert!(!r.encode(Format::Text).contains("orders_total"));
    r.register(OtherOrders::new()).unwrap();
}

#[test]
fn const_label_clashing_with_a_family_label_is_an_error() {
    let r = Registry::builder()
        .const_label("region", "x")
        .build()
        .unwrap();
    let msg = r.register(Orders::new()).map(drop).unwrap_err().to_string();
    assert!(msg.contains("region"), "{msg}");
    let bad = Registry::builder()
        .const_label("__x", "y")
        .build()
        .unwrap_err();
    assert!(bad.to_string().contains("__x"));
}

#[test]
fn prefix_and_const_labels_apply_to_every_series_and_enum_series_start_at_zero() {
    let r = Registry::builder()
        .prefix("shop")
        .const_label("cluster", "c1")
        .build()
        .unwrap();
    r.register(Orders::new()).unwrap();
    let text = r.encode(Format::Text);
    assert!(
        text.contains("# TYPE shop_orders_total counter\n"),
        "{text}"
    );
    assert!(
        text.contains("shop_orders_total{cluster=\"c1\",region=\"eu\"} 0\n"),
        "{text}"
    );
    assert!(
        text.contains("shop_orders_total{cluster=\"c1\",region=\"us\"} 0\n"),
        "{text}"
    );
}

#[test]
fn dynamic_updates_check_labels_and_return_errors() {
    let o = Orders::new();
    let mut result = Vec::new();
    o.visit(&mut |f| {
        result.push(f.record(&["eu"], 2.0));
        result.push(f.record(&["mars"], 1.0));
        result.push(f.record(&[], 1.0));
    });
    assert_eq!(result[0], Ok(()));
    let bad_value = result[1].clone().unwrap_err().to_string();
    assert!(
        bad_value.contains("no value `mars`") && bad_value.contains("eu, us"),
        "{bad_value}"
    );
    assert!(result[2]
        .clone()
        .unwrap_err()
        .to_string()
        .contains("takes 1 label values"));
    assert_eq!(
        promdecl::testing::value(&o, "orders_total", &["eu"]),
        Some(2.0)
    );
}
