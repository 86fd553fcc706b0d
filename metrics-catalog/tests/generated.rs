//! The generated docs, rule files, rule tests and dashboards: committed, fresh, and valid.

use std::path::{Path, PathBuf};

use promdecl_catalog::{project, REGENERATE, SYSTEMS};

/// The repository root, which `docs/` is under.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generated() -> Vec<promdecl_gen::File> {
    promdecl_gen::generate(&project())
}

#[test]
fn committed_generated_files_are_up_to_date() {
    promdecl_gen::check_fresh(&root(), &generated(), REGENERATE).unwrap();
}

/// The generated paths ending in `suffix`, under the repository root.
fn paths(suffix: &str) -> Vec<String> {
    generated()
        .into_iter()
        .filter(|f| f.path.ends_with(suffix))
        .map(|f| root().join(f.path).display().to_string())
        .collect()
}

#[test]
fn one_rule_file_with_tests_per_system_that_gives_rules() {
    let with_rules: Vec<&str> = SYSTEMS
        .iter()
        .filter(|s| !(s.rules)().is_empty())
        .map(|s| s.name)
        .collect();
    assert_eq!(with_rules, ["chorus", "zerostate", "bridge"]);
    let expect = |suffix: &str| -> Vec<String> {
        let files = with_rules
            .iter()
            .map(|s| format!("docs/alerts/{s}{suffix}"));
        files
            .map(|f| root().join(f).display().to_string())
            .collect()
    };
    assert_eq!(paths(".rules.yml"), expect(".rules.yml"));
    assert_eq!(paths(".rules.test.yml"), expect(".rules.test.yml"));
}

#[test]
fn every_alert_has_firing_and_quiet_input() {
    for group in project().groups {
        for alert in group.rules.iter().flat_map(|g| g.alerts()) {
            assert!(
                !alert.fires_with.is_empty() && !alert.quiet_with.is_empty(),
                "{}: alert {} needs `fires_with` and `quiet_with` input",
                group.name,
                alert.alert
            );
        }
    }
    for test in paths(".rules.test.yml") {
        let text = std::fs::read_to_string(&test).unwrap();
        assert!(!text.contains("untested"), "{test}");
        assert!(!text.contains("less than `for`"), "{test}: input too short");
    }
}

#[test]
fn rule_files_and_config_pass_promtool_check() {
    let rule_files = paths(".rules.yml");
    let mut args = vec!["check", "rules"];
    args.extend(rule_files.iter().map(String::as_str));
    let Some((ok, out)) = tests::promtool(&args) else {
        return;
    };
    assert!(ok, "{out}");
    let config = root().join("docs/prometheus.yml").display().to_string();
    let Some((ok, out)) = tests::promtool(&["check", "config", &config]) else {
        return;
    };
    assert!(ok, "{out}");
}

#[test]
fn every_alert_fires_and_stays_quiet_under_promtool_test_rules() {
    for test in paths(".rules.test.yml") {
        let Some((ok, out)) = tests::promtool(&["test", "rules", &test]) else {
            return;
        };
        assert!(ok, "{test}:\n{out}");
    }
}

#[test]
fn chorus_reference_documents_each_family_with_its_rules() {
    let chorus = generated()
        .into_iter()
        .find(|f| f.path == "docs/metrics/chorus.md")
        .expect("chorus has a page");
    let md = chorus.contents;
    assert!(md.starts_with("# CHORUS pkg/metrics\n"));
    assert!(md.contains(
        "Declared in `metrics-catalog/src/chorus/` from the seed document `chorus-pkg-metrics.md`."
    ));
    assert!(md.contains("\n## DHT (Distributed Hash Table) Metrics\n"));
    assert!(md.contains(
        "### `chorus_dht_operation_latency_seconds`\n\nDHT operation latency distribution"
    ));
    assert!(md.contains("  - `operation`: one of `put`, `get`\n"));
    assert!(
        md.contains("- **Rules:** [`LowPeerCount`](#alert-lowpeercount) (alert)"),
        "rules are linked from the families they read"
    );
    assert!(md.contains("histogram_quantile(0.95, sum by (le, operation, status) (rate(chorus_dht_operation_latency_seconds_bucket[5m])))"));
    // The corrected rule keeps the document's text beside it.
    assert!(md.contains(
        "`` rate(chorus_dht_get_operations_total{status=\"failure\"}[5m]) / rate(chorus_dht_get_operations_total[5m]) > 0.1 ``"
    ) || md.contains(
        "`rate(chorus_dht_get_operations_total{status=\"failure\"}[5m]) / rate(chorus_dht_get_operations_total[5m]) > 0.1`"
    ));
}
