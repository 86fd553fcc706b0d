//! The schema released as v0.1.0 (`schema/v0.1.0.json`, the `export` of that version) against
//! the declarations now: nothing since breaks a query, and removing a value that a rule selects
//! would.

use std::path::{Path, PathBuf};

use promdecl_gen::diff::{diff, ChangeKind};
use promdecl_gen::{cli, export};
use serde_json::Value;
use shop_example::project;

fn released_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/v0.1.0.json")
}

fn released() -> Value {
    let path = released_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    export::read(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn nothing_since_v0_1_0_breaks_a_query() {
    let d = diff(&released(), &export::export(&project()));
    assert!(!d.is_breaking(), "{d}");

    // What CI runs: `gen diff schema/v0.1.0.json` exits 0.
    let old = released_path();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        &project(),
        ["gen".as_ref(), "diff".as_ref(), old.as_os_str()],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
}

/// The current export with value `value` of label `label` of family `family` removed.
fn without_value(family: &str, label: &str, value: &str) -> Value {
    let mut new = export::export(&project());
    let families = new["families"].as_array_mut().expect("a list");
    let f = families
        .iter_mut()
        .find(|f| f["name"] == family)
        .unwrap_or_else(|| panic!("no family {family}"));
    let labels = f["labels"].as_array_mut().expect("a list");
    let l = labels
        .iter_mut()
        .find(|l| l["name"] == label)
        .unwrap_or_else(|| panic!("no label {label}"));
    let values = l["values"].as_array_mut().expect("an enumerated label");
    let before = values.len();
    values.retain(|v| v != value);
    assert_eq!(
        values.len(),
        before - 1,
        "{family}{{{label}}} has no value {value}"
    );
    new
}

#[test]
fn removing_a_value_a_rule_selects_is_breaking_and_names_the_rule() {
    let d = diff(
        &released(),
        &without_value("shop_orders_total", "outcome", "failed"),
    );
    assert!(d.is_breaking(), "{d}");
    let removed = ChangeKind::ValueRemoved {
        label: "outcome".into(),
        value: "failed".into(),
    };
    let change = d
        .breaking()
        .find(|c| c.family == "shop_orders_total" && c.kind == removed)
        .unwrap_or_else(|| panic!("no removal of outcome=\"failed\" in\n{d}"));
    let rules: Vec<&str> = change.rules.iter().map(|r| r.name.as_str()).collect();
    // The alert that selects `outcome="failed"` by name; not those that select other values.
    assert_eq!(rules, ["ShopOrdersFailing"], "{d}");
    let report = d.to_string();
    assert!(
        report.contains(
            "shop_orders_total: label `outcome` lost value `failed`\n    breaks alert `shop-orders/ShopOrdersFailing`"
        ),
        "{report}"
    );
}

#[test]
fn generator_diff_fails_on_the_breaking_export() {
    let new = without_value("shop_orders_total", "outcome", "failed");
    let path =
        std::env::temp_dir().join(format!("shop-example-schema-{}.json", std::process::id()));
    std::fs::write(&path, format!("{new:#}\n")).expect("a temporary file");
    let old = released_path();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        &project(),
        [
            "gen".as_ref(),
            "diff".as_ref(),
            old.as_os_str(),
            path.as_os_str(),
        ],
        &mut out,
        &mut err,
    );
    let _ = std::fs::remove_file(&path);
    let out = String::from_utf8_lossy(&out);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("breaks alert `shop-orders/ShopOrdersFailing`"),
        "{out}"
    );
}
