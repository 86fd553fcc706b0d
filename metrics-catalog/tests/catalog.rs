//! The whole catalog: every family exported once, and an exposition with every family populated
//! that independent parsers accept.

use std::collections::HashSet;

use promdecl::{Format, Kind, Metrics, Registry};
use promdecl_catalog::{system, SYSTEMS};

/// The systems the seed documents describe, each looked up by name.
const SEEDED: &[&str] = &["chorus", "zerostate", "x0tta6bl4", "semstreams", "bridge"];

/// Number of families across all systems.
fn declared_families() -> usize {
    SYSTEMS.iter().map(|s| s.families().len()).sum()
}

#[test]
fn every_seeded_system_is_found_by_name_and_names_are_unique() {
    for name in SEEDED {
        let found = system(name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(found.name, *name);
        assert!(!found.families().is_empty(), "{name} declares no families");
    }
    let names: HashSet<&str> = SYSTEMS.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), SYSTEMS.len(), "two systems share a name");
    assert!(system("nope").is_none());
}

#[test]
fn json_export_lists_every_family_once_with_its_shape() {
    let json = promdecl_gen::export::export(&promdecl_catalog::project());
    let families = json["families"].as_array().unwrap();
    // The bridge's group also documents the host gauges its resource alerts read.
    let host = promdecl_server::collectors::SystemMetrics::FAMILIES.len();
    assert_eq!(families.len(), declared_families() + host);
    let mut names = HashSet::new();
    for f in families {
        let name = f["name"].as_str().unwrap();
        assert!(names.insert(name.to_string()), "{name} exported twice");
        let kind = Kind::from_name(f["type"].as_str().unwrap());
        assert!(kind.is_some(), "{name}: unknown type {}", f["type"]);
        assert!(
            !f["help"].as_str().unwrap().is_empty(),
            "{name} has no help"
        );
        assert_eq!(
            f["buckets"].is_null(),
            kind != Some(Kind::Histogram),
            "{name}: buckets iff histogram"
        );
    }
    for s in SYSTEMS {
        let exported = families.iter().filter(|f| f["group"] == s.name).count();
        let extra = if s.name == "bridge" { host } else { 0 };
        assert_eq!(exported, s.families().len() + extra, "{}", s.name);
    }
    // Spot checks against the seed documents' own words.
    let find = |n: &str| {
        families
            .iter()
            .find(|f| f["name"] == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    let put = find("chorus_dht_put_operations_total");
    assert_eq!(put["type"], "counter");
    assert_eq!(put["labels"][0]["name"], "status");
    assert_eq!(
        find("chorus_p2p_message_latency_seconds")["type"],
        "histogram"
    );
    assert_eq!(
        find("zerostate_economic_payments_total")["labels"][0]["name"],
        "status"
    );
    assert_eq!(find("semstreams_service_status")["type"], "gauge");
}

fn populated() -> Registry {
    let registry = Registry::new();
    promdecl_catalog::register_all(&registry).expect("the five systems register side by side");
    for step in 0..3 {
        registry.visit(&mut |f| {
            let values: Vec<String> = f
                .desc()
                .labels
                .iter()
                .map(|l| {
                    l.values
                        .map_or_else(|| format!("v{step}"), |v| v[step % v.len()].to_string())
                })
                .collect();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            f.record(&values, 1.0 + step as f64).unwrap();
        });
    }
    registry
}

#[test]
fn every_family_populated_parses_in_both_formats() {
    let registry = populated();
    let families = declared_families();
    for format in [Format::Text, Format::OpenMetrics] {
        let text = registry.encode(format);
        let Some(parsed) = tests::python_parse(&text, format) else {
            return;
        };
        let parsed = parsed.unwrap_or_else(|e| panic!("{format:?} rejected: {e}"));
        // +1: the framework's own overflow family.
        assert_eq!(parsed.len(), families + 1, "{format:?}");
        assert!(
            parsed.iter().all(|f| !f.samples.is_empty()),
            "every family has samples"
        );
    }
}

/// promtool lints names the seed documents force on us; these are the documented exceptions.
const FORCED_BY_SEEDS: &[&str] = &[
    "x0tta6bl4_suspect_nodes_count",
    "x0tta6bl4_raft_followers_count",
    "x0tta6bl4_fl_participant_count",
    "x0tta6bl4_dao_voting_power_total",
    "semstreams_nats_rtt_milliseconds",
    "bridge_peer_count",
];

#[test]
fn whole_catalog_passes_promtool_except_seed_forced_names() {
    let text = populated().encode(Format::Text);
    let Some(result) = tests::promtool_check_metrics(&text) else {
        return;
    };
    let out = match result {
        Ok(out) | Err(out) => out,
    };
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            FORCED_BY_SEEDS
                .iter()
                .any(|n| line.starts_with(&format!("{n} "))),
            "promtool: {line}"
        );
    }
}

#[test]
fn every_rule_query_and_test_input_names_only_declared_metrics_labels_and_values() {
    let project = promdecl_catalog::project();
    if let Err(errors) = promdecl_gen::promql::check(&project) {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{}", errors.join("\n"));
    }
    let rules: usize = project
        .groups
        .iter()
        .flat_map(|g| &g.rules)
        .map(|g| g.rules.len())
        .sum();
    assert!(rules >= 19, "only {rules} rules checked");
}

#[test]
fn a_misspelled_metric_or_label_in_a_rule_fails_the_check() {
    let project = promdecl_catalog::project();
    let checker = promdecl_gen::promql::Checker::new(&project);
    let check = |expr: &str| checker.check_expr(expr).map_err(|e| e.join("; "));
    assert_eq!(
        check("rate(chorus_dht_put_operations_total{status=\"failure\"}[5m]) > 0.1"),
        Ok(())
    );
    let metric = check("rate(chorus_dht_put_operaitons_total[5m]) > 0.1");
    assert!(metric
        .unwrap_err()
        .contains("chorus_dht_put_operaitons_total"));
    let label = check("rate(chorus_dht_put_operations_total{stauts=\"failure\"}[5m])");
    assert!(label.unwrap_err().contains("stauts"));
    let value = check("rate(chorus_dht_put_operations_total{status=\"failed\"}[5m])");
    assert!(value.unwrap_err().contains("failed"));
    let grouping = check("sum by (peer) (rate(chorus_dht_put_operations_total[5m]))");
    assert!(grouping.unwrap_err().contains("`peer`"));
    let bucket = "histogram_quantile(0.95, sum by (le) (rate(chorus_p2p_message_latency_seconds_bucket[5m])))";
    assert_eq!(check(bucket), Ok(()));
    // A classic histogram exposes no sample under its own name, and only its buckets carry `le`.
    assert!(check("rate(chorus_p2p_message_latency_seconds[5m])").is_err());
    let le_on_sum = check("chorus_p2p_message_latency_seconds_sum{le=\"1\"}");
    assert!(le_on_sum.unwrap_err().contains("`le`"));
}
