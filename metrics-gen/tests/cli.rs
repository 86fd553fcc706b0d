//! The command line, run in-process with its output captured.

mod common;

use common::{project, scratch, with_alert};
use promdecl_gen::{cli, Alert, Project};

fn run(p: &Project, args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("gen").chain(args.iter().copied());
    let code = cli::run(p, argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn generate_then_check_then_a_change_fails_check_with_a_diff() {
    let dir = scratch("cli");
    let root = dir.to_str().unwrap();
    let (code, _, err) = run(&project(), &["generate", "--root", root]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 6 files under"), "{err}");
    let (code, _, err) = run(&project(), &["check", "--root", root]);
    assert_eq!(code, 0, "{err}");

    // the declarations change: a new rule group, so the committed files are stale
    let changed = with_alert(Alert::new("ShopDown").expr(r#"up{job="shop"} == 0"#));
    let (code, _, err) = run(&changed, &["check", "--root", root]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("gen generate --root {root}")),
        "{err}"
    );
    assert!(err.contains("+  - alert: ShopDown"), "{err}");

    let (code, _, _) = run(&changed, &["generate", "--root", root]);
    assert_eq!(code, 0);
    assert_eq!(run(&changed, &["check", "--root", root]).0, 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn export_prints_json() {
    let (code, out, _) = run(&project(), &["export"]);
    assert_eq!(code, 0);
    let value = promdecl_gen::export::read(&out).unwrap();
    assert_eq!(value["families"][0]["name"], "shop_orders_total");
}

#[test]
fn check_rules_fails_with_each_error() {
    let (code, _, err) = run(&project(), &["check-rules"]);
    assert_eq!(code, 0, "{err}");
    let bad = with_alert(Alert::new("Typo").expr("rate(shop_order_total[5m]) > 0"));
    let (code, _, err) = run(&bad, &["check-rules"]);
    assert_eq!(code, 1);
    assert!(err.contains("rule `extra/Typo`: `shop_order_total` is not a declared metric (did you mean `shop_orders_total`?)\n"), "{err}");
}

#[test]
fn help_and_usage_errors() {
    let (code, out, _) = run(&project(), &["--help"]);
    assert_eq!(code, 0);
    for sub in ["generate", "check", "export", "check-rules"] {
        assert!(out.contains(sub), "{out}");
    }
    let (code, _, err) = run(&project(), &["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("frobnicate"), "{err}");
}

#[test]
fn diff_compares_exports_and_fails_on_breaking_changes() {
    let dir = scratch("cli-diff");
    let old = dir.join("old.json");
    let (_, json, _) = run(&project(), &["export"]);
    std::fs::write(&old, &json).unwrap();
    let old = old.to_str().unwrap();
    // against the declarations now: nothing changed
    let (code, out, err) = run(&project(), &["diff", old]);
    assert_eq!((code, out.as_str()), (0, "no schema changes\n"), "{err}");
    // a value of an enumerated label removed: breaking, and the alert selecting it is named
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["families"][0]["labels"][1]["values"] = serde_json::json!(["accepted"]);
    let new = dir.join("new.json");
    std::fs::write(&new, value.to_string()).unwrap();
    let (code, out, _) = run(&project(), &["diff", old, new.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("CheckoutErrors"), "{out}");
    // an unreadable export is an error naming the file
    std::fs::write(&new, "{}").unwrap();
    let (code, _, err) = run(&project(), &["diff", old, new.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("new.json: no `families` list"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
