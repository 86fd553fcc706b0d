//! The seed rules the catalog corrects, and why: each document expression is run by promtool on
//! the input its correction is tested with, and misbehaves there as the correction says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use promdecl_catalog::{chorus, project, zerostate};
use promdecl_gen::{Alert, Group, Project, Rule, RuleGroup, TestSeries};

/// The alert named `name`, with the rule group it is in.
fn alert(name: &str) -> (RuleGroup, Alert) {
    let project = project();
    let groups = project.groups.iter().flat_map(|g| &g.rules);
    for group in groups {
        if let Some(a) = group.alerts().find(|a| a.alert == name) {
            return (group.clone(), a.clone());
        }
    }
    panic!("no alert {name}")
}

/// A fresh scratch directory, removed when dropped; one per process and use, since other
/// test runs may share the target directory.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, what: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("corrections")
            .join(format!("{name}-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The document's version of corrected alert `name`, with `fires_with` and `quiet_with` input
/// chosen from the corrected alert's by `input`; runs the rule tests promdecl-gen generates for
/// it with promtool and returns whether they passed, with promtool's output and the test file.
fn test_original(
    name: &str,
    input: impl FnOnce(&Alert) -> (Vec<TestSeries>, Vec<TestSeries>),
) -> Option<(bool, String, String)> {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return None;
    }
    let (group, corrected) = alert(name);
    let correction = corrected.correction.clone().expect("a corrected alert");
    let (fires_with, quiet_with) = input(&corrected);
    let original = Alert {
        expr: correction.original,
        fires_with,
        quiet_with,
        correction: None,
        ..corrected
    };
    let rules = RuleGroup {
        rules: vec![Rule::Alert(original)],
        ..group
    };
    let project = Project::new("Originals", "originals")
        .group(Group::new("original", "Original").rules(rules));
    let dir = Scratch::new(name, "original");
    let files = promdecl_gen::generate(&project);
    promdecl_gen::write(&dir.0, &files).unwrap();
    let test = files
        .iter()
        .find(|f| f.path.ends_with(".rules.test.yml"))
        .expect("a rule test file");
    let path = dir.0.join(&test.path).display().to_string();
    let (ok, out) = tests::promtool(&["test", "rules", &path])?;
    Some((ok, out, test.contents.clone()))
}

/// Runs `promtool test rules` on one case evaluating each `(expr, samples)` on `input` at
/// `eval_time`; `samples` are `(labels, value)`, none for an empty result.
fn evaluate(
    name: &str,
    interval: &str,
    input: &[TestSeries],
    eval_time: &str,
    exprs: &[(&str, &[(&str, f64)])],
) -> Option<(bool, String)> {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return None;
    }
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut yaml = format!(
        "evaluation_interval: {interval}\ntests:\n- interval: {interval}\n  input_series:\n"
    );
    for s in input {
        yaml += &format!(
            "  - series: {}\n    values: {}\n",
            quote(&s.series),
            quote(&s.values)
        );
    }
    yaml += "  promql_expr_test:\n";
    for (expr, samples) in exprs {
        yaml += &format!(
            "  - expr: {}\n    eval_time: {eval_time}\n",
            quote(&expr.replace('\n', " "))
        );
        if samples.is_empty() {
            yaml += "    exp_samples: []\n";
        } else {
            yaml += "    exp_samples:\n";
            for (labels, value) in *samples {
                yaml += &format!("    - labels: {}\n      value: {value}\n", quote(labels));
            }
        }
    }
    let dir = Scratch::new(name, "evaluate");
    let path = dir.0.join("evaluate.test.yml");
    std::fs::write(&path, yaml).unwrap();
    tests::promtool(&["test", "rules", &path.display().to_string()])
}

/// (a) The document's `HighDHTFailureRate` fires where 5% of gets fail, the corrected rule's
/// quiet input, and reports 100% there (and at 20%), since it divides each failure series by
/// itself; the corrected ratio is 5%.
#[test]
fn dht_failure_rate_as_documented_fires_at_five_percent_and_reports_one() {
    let Some((ok, out, test)) =
        test_original("HighDHTFailureRate", |a| (a.quiet_with.clone(), Vec::new()))
    else {
        return;
    };
    assert!(
        test.contains(r#"severity="warning",status="failure"}"#),
        "fires per failure series:\n{test}"
    );
    assert!(
        ok,
        "the document's rule did not fire on 5% failures:\n{out}\n{test}"
    );

    let (_, corrected) = alert("HighDHTFailureRate");
    let ratio = |expr: &str| expr.rsplit_once('>').unwrap().0.trim().to_string();
    let (original, fixed) = (
        ratio(chorus::alerts::DHT_FAILURE_RATE_ORIGINAL),
        ratio(&corrected.expr),
    );
    for (input, share) in [(&corrected.quiet_with, 0.05), (&corrected.fires_with, 0.2)] {
        let Some((ok, out)) = evaluate(
            "HighDHTFailureRate",
            "30s",
            input,
            "10m",
            &[
                (&original, &[(r#"{status="failure"}"#, 1.0)]),
                (&fixed, &[("{}", share)]),
            ],
        ) else {
            return;
        };
        assert!(ok, "{out}");
    }
}

/// (b) The document's `PaymentChannelLeaks` stays silent where channels go unsettled (its two
/// sides share no labels), and so does it before the first settlement.
#[test]
fn channel_leaks_as_documented_never_fires() {
    let Some((ok, out, test)) = test_original("PaymentChannelLeaks", |a| {
        (Vec::new(), a.fires_with.clone())
    }) else {
        return;
    };
    assert!(ok, "the document's rule fired:\n{out}\n{test}");
    // Channels opened, none settled yet: the corrected rule fires, the document's has nothing
    // to subtract.
    let (_, corrected) = alert("PaymentChannelLeaks");
    let opened: Vec<TestSeries> = corrected
        .fires_with
        .iter()
        .filter(|s| s.series.starts_with("zerostate_economic_channels_total"))
        .cloned()
        .collect();
    assert_eq!(opened.len(), 1);
    let Some((ok, out)) = evaluate(
        "PaymentChannelLeaks",
        "1m",
        &opened,
        "2h",
        &[
            (zerostate::alerts::CHANNEL_LEAKS_ORIGINAL, &[]),
            (&corrected.expr, &[("{}", 60.0)]),
        ],
    ) else {
        return;
    };
    assert!(ok, "{out}");
}

/// (c) The document's `SlowTaskExecution` stays silent when every task takes 30 s: the p99
/// reads as 10, the top finite bucket, which is never greater than 10.
#[test]
fn slow_tasks_as_documented_never_fires() {
    let Some((ok, out, test)) =
        test_original("SlowTaskExecution", |a| (Vec::new(), a.fires_with.clone()))
    else {
        return;
    };
    assert!(ok, "the document's rule fired:\n{out}\n{test}");
    let (_, corrected) = alert("SlowTaskExecution");
    let p99 = zerostate::alerts::SLOW_TASKS_ORIGINAL
        .rsplit_once('>')
        .unwrap()
        .0
        .trim()
        .to_string();
    let Some((ok, out)) = evaluate(
        "SlowTaskExecution",
        "1m",
        &corrected.fires_with,
        "15m",
        &[(&p99, &[(r#"{type="inference"}"#, 10.0)])],
    ) else {
        return;
    };
    assert!(ok, "{out}");
}

/// (d) No two alerts share a name: Alertmanager (the bridge document's routes by `alertname`)
/// would group them as one. The bridge's memory alert keeps the seed's name in its correction.
#[test]
fn alert_names_are_unique_across_the_catalog() {
    let project = project();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for group in &project.groups {
        for alert in group.rules.iter().flat_map(|g| g.alerts()) {
            if let Some(other) = seen.insert(alert.alert.clone(), group.name.clone()) {
                panic!(
                    "alert {} is in both {other} and {}",
                    alert.alert, group.name
                );
            }
        }
    }
    assert_eq!(seen["HighMemoryUsage"], "chorus");
    let (_, bridge) = alert("BridgeHighMemoryUsage");
    let correction = bridge.correction.expect("the rename is recorded");
    assert_eq!(correction.original, bridge.expr, "only the name changed");
    assert!(correction.why.contains("`HighMemoryUsage`"));
}
