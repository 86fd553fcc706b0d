//! The generated docs, rule files and dashboards: committed, fresh, and valid.

use std::path::{Path, PathBuf};

use promdecl_catalog::generate::{self, REGENERATE};
use promdecl_catalog::{system, SYSTEMS};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn committed_generated_files_are_up_to_date() {
    let mut stale = Vec::new();
    for (path, content) in generate::all() {
        match std::fs::read_to_string(root().join(&path)) {
            Ok(on_disk) if on_disk == content => {}
            _ => stale.push(path),
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}; regenerate with `{REGENERATE}`"
    );
}

#[test]
fn generated_rule_files_and_config_pass_promtool() {
    let files: Vec<String> = generate::all()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.starts_with("docs/alerts/"))
        .map(|p| root().join(p).display().to_string())
        .collect();
    let with_rules: Vec<String> = SYSTEMS
        .iter()
        .filter(|s| !(s.alerts)().is_empty())
        .map(|s| {
            root()
                .join(format!("docs/alerts/{}.rules.yml", s.name))
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        files, with_rules,
        "one rule file per system that gives rules"
    );
    for name in ["chorus", "zerostate", "bridge"] {
        let s = system(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(
            !(s.alerts)().is_empty(),
            "{name}'s document gives alert rules"
        );
    }
    let mut args = vec!["check", "rules"];
    args.extend(files.iter().map(String::as_str));
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
fn every_dashboard_query_names_only_declared_metrics_and_labels() {
    for system in SYSTEMS {
        let families = (system.families)();
        let dashboard: serde_json::Value =
            serde_json::from_str(&generate::dashboard(system)).unwrap();
        let panels = dashboard["panels"].as_array().unwrap();
        assert_eq!(panels.len(), families.len(), "one panel per family");
        for panel in panels {
            let expr = panel["targets"][0]["expr"].as_str().unwrap();
            // Grafana substitutes these before Prometheus sees the query.
            let mut concrete = expr.replace("$__rate_interval", "5m");
            for var in dashboard["templating"]["list"].as_array().unwrap() {
                concrete = concrete.replace(&format!("${}", var["name"].as_str().unwrap()), ".*");
            }
            promdecl_catalog::promql::check(&concrete, &families)
                .unwrap_or_else(|e| panic!("{} panel {}: {e}", system.name, panel["title"]));
        }
    }
}

#[test]
fn chorus_reference_documents_each_family_with_its_alerts() {
    let md = generate::docs(system("chorus").expect("chorus is in the catalog"));
    assert!(md.starts_with("# CHORUS pkg/metrics metrics reference"));
    assert!(md
        .contains("## chorus_dht_operation_latency_seconds\n\nDHT operation latency distribution"));
    assert!(md.contains("  - `operation`: one of `put`, `get`\n"));
    assert!(
        md.contains("- **Alerts:** `LowPeerCount`"),
        "alerts are linked to the families they watch"
    );
    assert!(md.contains("histogram_quantile(0.95, sum by (le, operation, status) (rate(chorus_dht_operation_latency_seconds_bucket[5m])))"));
}
