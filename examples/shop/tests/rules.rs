//! The rules declared beside the structs: checked against the declarations by `promql::check`,
//! and the committed rule files and rule tests by promtool.

use std::path::{Path, PathBuf};

use promdecl_gen::{cli, promql, Alert, RuleGroup};
use shop_example::project;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_rule_reads_only_declared_names() {
    if let Err(errors) = promql::check(&project()) {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{}", errors.join("\n"));
    }
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&project(), ["gen", "check-rules"], &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
}

/// The errors of `project()` with `alert` added to the orders group, as text.
fn errors_with(alert: Alert) -> Vec<String> {
    let mut project = project();
    project.groups[0]
        .rules
        .push(RuleGroup::new("shop-orders-extra").alert(alert));
    let errors = promql::check(&project).expect_err("the added rule is wrong");
    errors.iter().map(ToString::to_string).collect()
}

/// One error, naming the rule and the unknown name: each of `parts`.
fn assert_one(errors: &[String], parts: &[&str]) {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    for part in parts {
        assert!(errors[0].contains(part), "no {part} in {}", errors[0]);
    }
}

#[test]
fn a_rule_naming_an_undeclared_metric_fails() {
    let errors =
        errors_with(Alert::new("ShopRefundsSpiking").expr("sum(rate(shop_refunds_total[5m])) > 1"));
    assert_one(
        &errors,
        &[
            "rule `shop-orders-extra/ShopRefundsSpiking`",
            "`shop_refunds_total` is not a declared metric",
        ],
    );
}

#[test]
fn a_rule_naming_an_undeclared_label_value_fails() {
    let errors = errors_with(
        Alert::new("ShopOrdersCancelled")
            .expr(r#"sum(rate(shop_orders_total{outcome="cancelled"}[5m])) > 1"#),
    );
    assert_one(
        &errors,
        &[
            "rule `shop-orders-extra/ShopOrdersCancelled`",
            "label `outcome` of `shop_orders_total` has no value `cancelled`",
        ],
    );
}

/// The committed files under `docs/alerts` whose names end with `suffix`, sorted.
fn committed(suffix: &str) -> Vec<PathBuf> {
    let dir = root().join("docs/alerts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    // One per group: shop-inventory, shop-orders, shop-service.
    assert_eq!(files.len(), 3, "{files:?}");
    files
}

/// Runs `promtool args.. path` on each of `paths`, failing with its output.
fn promtool_each(args: &[&str], paths: &[PathBuf]) {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return;
    }
    for path in paths {
        let path = path.to_str().expect("a UTF-8 path");
        let mut all = args.to_vec();
        all.push(path);
        let Some((ok, output)) = tests::promtool(&all) else {
            return;
        };
        assert!(ok, "promtool {}:\n{output}", all.join(" "));
        assert!(output.contains("SUCCESS"), "{output}");
    }
}

#[test]
fn promtool_accepts_the_committed_rule_files() {
    promtool_each(&["check", "rules"], &committed(".rules.yml"));
}

#[test]
fn promtool_passes_the_committed_rule_tests() {
    promtool_each(&["test", "rules"], &committed(".rules.test.yml"));
}

#[test]
fn promtool_accepts_the_committed_scrape_config() {
    promtool_each(&["check", "config"], &[root().join("docs/prometheus.yml")]);
}

#[test]
fn every_alert_declares_firing_and_quiet_input() {
    let project = project();
    let untested: Vec<String> = project
        .groups
        .iter()
        .flat_map(|g| g.rules.iter().flat_map(|r| r.alerts()))
        .filter(|a| a.fires_with.is_empty() || a.quiet_with.is_empty())
        .map(|a| a.alert.clone())
        .collect();
    assert!(
        untested.is_empty(),
        "alerts without `fires_with` or `quiet_with` input: {untested:?}"
    );
}
