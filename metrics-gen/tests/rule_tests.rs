//! The generated `promtool test rules` files pass against the generated rule files, and fail
//! when a rule can no longer fire on its declared input.

use std::path::PathBuf;

use promdecl::{Counter, Gauge, Metrics};
use promdecl_gen::{rule_files, rule_tests, Alert, Group, Project, RuleGroup};

#[derive(Metrics)]
#[metrics(prefix = "work")]
struct Work {
    /// Jobs finished, by queue and outcome
    #[metric(counter, labels = [queue, outcome = [ok, failed]], max_series = 10)]
    jobs_total: Counter,
    /// Jobs waiting, by queue
    #[metric(gauge, labels = [queue], max_series = 10)]
    queue_depth: Gauge,
}

/// The declared rules; `threshold` is the failure rate above which `JobFailures` fires.
fn rules(threshold: &str) -> Vec<RuleGroup> {
    let failures = Alert::new("JobFailures")
        .expr(format!(
            r#"sum by (queue) (rate(work_jobs_total{{outcome="failed"}}[5m])) > {threshold}"#
        ))
        .label("severity", "warning")
        .annotation("summary", "Jobs keep failing in queue {{ $labels.queue }}")
        // Two queues above 1/s (2/s and 1.5/s); the `ok` series is not selected.
        .fires_with(
            r#"work_jobs_total{queue="email",outcome="failed"}"#,
            "0+120x20",
        )
        .fires_with(
            r#"work_jobs_total{queue="sms",outcome="failed"}"#,
            "0+90x20",
        )
        .fires_with(r#"work_jobs_total{queue="email",outcome="ok"}"#, "0+600x20")
        .quiet_with(
            r#"work_jobs_total{queue="email",outcome="failed"}"#,
            "0+30x20",
        );
    let backlog = Alert::new("QueueBacklog")
        .expr("work_queue_depth > 100")
        .for_("5m")
        .label("severity", "page")
        // `$value` is known only by evaluating: the test checks `ALERTS` instead.
        .annotation("summary", "{{ $labels.queue }} holds {{ $value }} jobs")
        .fires_with(r#"work_queue_depth{queue="email"}"#, "500x30")
        // Above the threshold for 2m only (values every 30s): shorter than `for`.
        .quiet_with(r#"work_queue_depth{queue="email"}"#, "50x5 500x3 50x20");
    let untested = Alert::new("QueueGone").expr("absent(work_queue_depth)");
    // Through a recorded series, which promtool records from the same input.
    let recorded = Alert::new("FailureRate")
        .expr(format!("work:jobs_failed:rate5m > {threshold}"))
        .fires_with(
            r#"work_jobs_total{queue="email",outcome="failed"}"#,
            "0+120x20",
        );
    vec![
        RuleGroup::new("work")
            .record(
                "work:jobs_failed:rate5m",
                r#"sum by (queue) (rate(work_jobs_total{outcome="failed"}[5m]))"#,
            )
            .alert(failures)
            .alert(untested)
            .alert(recorded),
        RuleGroup::new("work-fast").interval("30s").alert(backlog),
    ]
}

fn project(rules: Vec<RuleGroup>) -> Project {
    let group = Group::new("work", "Work").metrics::<Work>("Jobs");
    Project::new("Work", "work").group(rules.into_iter().fold(group, Group::rules))
}

/// Writes the rule file of `rules_of` and the test file of `tests_of` to a fresh directory and
/// runs `promtool test rules`; `None` when promtool is absent (locally).
fn promtool_test(name: &str, rules_of: &Project, tests_of: &Project) -> Option<(bool, String)> {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return None;
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("promdecl-rule-tests-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = rule_tests::files(tests_of);
    assert_eq!(files.len(), 1);
    let (path, contents) = (&files[0].path, &files[0].contents);
    let test_path = dir.join(path.rsplit('/').next().unwrap());
    let rules = rule_files::rule_file(&rules_of.groups[0]).expect("a rule file");
    std::fs::write(dir.join("work.rules.yml"), rules).unwrap();
    std::fs::write(&test_path, contents).unwrap();
    let out = tests::promtool(&["test", "rules", test_path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    out
}

#[test]
fn generated_file_describes_every_case() {
    let files = rule_tests::files(&project(rules("1")));
    assert_eq!(files.len(), 1);
    let (path, yaml) = (&files[0].path, &files[0].contents);
    assert_eq!(path, "docs/alerts/work.rules.test.yml");
    assert!(yaml.starts_with(&format!("# {}\n", promdecl_gen::layout::GENERATED)));
    assert!(yaml
        .contains("# untested alerts (declare `fires_with` or `quiet_with` input): QueueGone\n"));
    let doc: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    assert_eq!(doc["rule_files"][0], "work.rules.yml");
    // The 30s group makes promtool evaluate every 30s (it ignores group intervals).
    assert_eq!(doc["evaluation_interval"], "30s");
    let tests = doc["tests"].as_sequence().unwrap();
    let names: Vec<&str> = tests.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "JobFailures fires",
            "JobFailures stays quiet",
            "FailureRate fires",
            "QueueBacklog fires",
            "QueueBacklog stays quiet"
        ]
    );
    // Window 5m + one interval: the rate is over a full window.
    let fires = &tests[0]["alert_rule_test"][0];
    assert_eq!(fires["eval_time"], "6m");
    let expected = fires["exp_alerts"].as_sequence().unwrap();
    assert_eq!(expected.len(), 2, "one alert per queue: {expected:?}");
    assert_eq!(expected[0]["exp_labels"]["queue"], "email");
    assert_eq!(expected[0]["exp_labels"]["severity"], "warning");
    assert!(expected[0]["exp_labels"].get("outcome").is_none());
    assert_eq!(
        expected[1]["exp_annotations"]["summary"],
        "Jobs keep failing in queue sms"
    );
    // `for: 5m` + 30s interval; the labels are checked on `ALERTS`.
    // The recording rule's window counts; its `by` labels reach the alert.
    let recorded = &tests[2]["alert_rule_test"][0];
    assert_eq!(recorded["eval_time"], "6m");
    assert_eq!(recorded["exp_alerts"][0]["exp_labels"]["queue"], "email");
    let backlog = &tests[3];
    assert_eq!(backlog["interval"], "30s");
    let expr = &backlog["promql_expr_test"][0];
    assert_eq!(expr["eval_time"], "5m30s");
    assert_eq!(
        expr["exp_samples"][0]["labels"],
        r#"ALERTS{alertname="QueueBacklog",alertstate="firing",queue="email",severity="page"}"#
    );
    // Quiet input is checked when firing would be due and at its end.
    let quiet: Vec<&str> = tests[4]["alert_rule_test"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c["eval_time"].as_str().unwrap())
        .collect();
    assert_eq!(quiet, ["5m30s", "15m"]);
}

#[test]
fn promtool_passes_the_generated_tests() {
    let project = project(rules("1"));
    if let Some((ok, out)) = promtool_test("pass", &project, &project) {
        assert!(ok, "promtool test rules failed:\n{out}");
    }
}

#[test]
fn promtool_fails_when_a_rule_cannot_fire_on_its_input() {
    // The rule file holds a threshold the declared firing input never reaches.
    let tests_of = project(rules("1"));
    let broken = project(rules("5"));
    if let Some((ok, out)) = promtool_test("broken-rule", &broken, &tests_of) {
        assert!(!ok, "promtool passed a rule that cannot fire:\n{out}");
        assert!(
            out.contains("JobFailures") && out.contains("FailureRate"),
            "{out}"
        );
    }
    // The declared firing input is too small for the rule.
    let mut weak = rules("1");
    for rule in &mut weak[0].rules {
        if let promdecl_gen::Rule::Alert(a) = rule {
            if a.alert == "JobFailures" {
                a.fires_with.truncate(1);
                a.fires_with[0].values = "0+30x20".into();
            }
        }
    }
    let weak = project(weak);
    if let Some((ok, out)) = promtool_test("weak-input", &weak, &weak) {
        assert!(
            !ok,
            "promtool passed input that cannot fire the rule:\n{out}"
        );
        assert!(out.contains("JobFailures"), "{out}");
    }
}
