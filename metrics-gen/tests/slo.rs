//! Service-level objectives: declaration errors, the generated rules read back as YAML, and
//! the generated rule and test files checked by promtool.

use std::time::Instant;

use promdecl::{Counter, Format, Histogram, Metrics, Registry};
use promdecl_gen::slo::{self, family, Sli, Slo};
use promdecl_gen::{File, Group, Project};

#[derive(Metrics)]
#[metrics(prefix = "api")]
struct Api {
    /// Request latency
    #[metric(histogram, labels = [endpoint, status_code], buckets = [0.1, 0.25, 0.5, 1.0, 2.5])]
    request_duration_seconds: Histogram,
    /// Requests served
    #[metric(counter, labels = [endpoint])]
    requests_total: Counter,
    /// Requests failed
    #[metric(counter, labels = [endpoint])]
    failures_total: Counter,
    /// Requests answered from the cache
    #[metric(counter, labels = [tier = [memory, disk]])]
    cache_hits_total: Counter,
    /// Cache lookups
    #[metric(counter, labels = [tier = [memory, disk]])]
    cache_lookups_total: Counter,
}

fn duration() -> &'static promdecl::FamilyDesc {
    family::<Api>("api_request_duration_seconds").unwrap()
}

fn slos() -> Vec<Slo> {
    let requests = family::<Api>("api_requests_total").unwrap();
    let failures = family::<Api>("api_failures_total").unwrap();
    let hits = family::<Api>("api_cache_hits_total").unwrap();
    let lookups = family::<Api>("api_cache_lookups_total").unwrap();
    vec![
        Slo::builder("latency", Sli::latency(duration(), 0.5))
            .objective(0.95)
            .by(["endpoint"])
            .description("95 % of requests within 500 ms")
            .build()
            .unwrap(),
        Slo::builder(
            "availability",
            Sli::errors_where(duration(), "status_code", "5.."),
        )
        .objective(0.999)
        .build()
        .unwrap(),
        Slo::builder("failures", Sli::bad_over_total(failures, requests))
            .objective(0.99)
            .by(["endpoint"])
            .window("28d")
            .build()
            .unwrap(),
        // At 0.8 even every lookup missing burns at 5 times the budget rate: no page.
        Slo::builder("cache", Sli::good_over_total(hits, lookups))
            .objective(0.8)
            .by(["tier"])
            .build()
            .unwrap(),
    ]
}

fn project() -> Project {
    let group = Group::new("api", "API").metrics::<Api>("API");
    Project::new("API", "api").group(slos().into_iter().fold(group, Group::slo))
}

fn generated(path: &str) -> File {
    let files = promdecl_gen::generate(&project());
    files
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is generated"))
}

#[test]
fn a_latency_threshold_must_be_a_bucket_bound() {
    let err = Slo::builder("slow", Sli::latency(duration(), 0.3))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "slo `slow`: threshold 0.3 s of `api_request_duration_seconds` is not a bucket bound; \
         the nearest are 0.25 and 0.5"
    );
    let err = Slo::builder("fastest", Sli::latency(duration(), 0.05))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "slo `fastest`: threshold 0.05 s of `api_request_duration_seconds` is not a bucket bound; \
         the nearest is 0.1, the lowest"
    );
}

#[test]
fn labels_to_keep_must_be_declared() {
    let err = Slo::builder("latency", Sli::latency(duration(), 0.5))
        .by(["route"])
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "slo `latency`: `route` is not a label of `api_request_duration_seconds`; \
         its labels: endpoint, status_code"
    );
    // Every family of a ratio must have it.
    let hits = family::<Api>("api_cache_hits_total").unwrap();
    let requests = family::<Api>("api_requests_total").unwrap();
    let err = Slo::builder("mixed", Sli::good_over_total(hits, requests))
        .by(["tier"])
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "slo `mixed`: `tier` is not a label of `api_requests_total`; its labels: endpoint"
    );
    let err = Slo::builder("split", Sli::errors_where(duration(), "status", "5.."))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("`status` is not a label"), "{err}");
}

#[test]
fn other_declaration_errors() {
    let err = family::<Api>("api_request_seconds").unwrap_err();
    assert_eq!(
        err.to_string(),
        "`Api` declares no family `api_request_seconds`; the closest is `api_requests_total`"
    );
    let build = |objective: f64| {
        Slo::builder("x", Sli::latency(duration(), 0.5))
            .objective(objective)
            .build()
    };
    assert!(build(1.0).is_err() && build(0.0).is_err() && build(0.5).is_ok());
    let err = Slo::builder("x", Sli::errors_where(duration(), "status_code", ".*"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("matches the empty value"), "{err}");
}

#[test]
fn bucket_bounds_are_written_as_the_exposition_writes_le() {
    #[derive(Metrics)]
    #[metrics(prefix = "t")]
    struct Bounds {
        /// Sizes
        #[metric(histogram, buckets = [0.00005, 0.5, 1.0, 2.5, 1048576.0], unit = "bytes")]
        size_bytes: Histogram,
    }
    let registry = Registry::new();
    let _b = registry.register(Bounds::new()).unwrap();
    let text = registry.encode(Format::Text);
    let exposed: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split("le=\"").nth(1)?.split('"').next())
        .filter(|le| *le != "+Inf")
        .collect();
    let ours: Vec<String> = [0.00005, 0.5, 1.0, 2.5, 1048576.0]
        .into_iter()
        .map(slo::bound_text)
        .collect();
    assert_eq!(exposed, ours);
}

/// The rules of SLO `name` in the generated rule file.
fn rules_of(name: &str) -> serde_yaml::Value {
    let yaml = generated("docs/alerts/api.slo.yml").contents;
    let doc: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    let groups = doc["groups"].as_sequence().unwrap();
    let group = groups
        .iter()
        .find(|g| g["name"] == format!("slo-{name}").as_str())
        .unwrap_or_else(|| panic!("a rule group for {name}"));
    group["rules"].clone()
}

/// The `(window, factor)` pairs of each `or`-ed condition of alert `alert` of SLO `name`, and
/// the budget each compares with.
fn conditions(name: &str, alert: &str) -> Vec<Vec<(String, String, String)>> {
    let rules = rules_of(name);
    let rule = rules
        .as_sequence()
        .unwrap()
        .iter()
        .find(|r| r["alert"] == alert && r["labels"]["slo"] == name)
        .unwrap_or_else(|| panic!("alert {alert} of {name}"));
    let expr = rule["expr"].as_str().unwrap();
    let record = "slo:sli_error:ratio_rate";
    expr.split("\nor\n")
        .map(|condition| {
            condition
                .split("\nand\n")
                .map(|c| {
                    // `(\n  a > x\nand\n  b > x\n)`: each side without the grouping.
                    let c = c.trim();
                    let c = c.strip_prefix('(').unwrap_or(c);
                    let c = c.strip_suffix("\n)").unwrap_or(c).trim();
                    let (series, threshold) = c.split_once(" > ").unwrap();
                    let window = series
                        .strip_prefix(record)
                        .and_then(|s| s.strip_suffix(&format!("{{slo=\"{name}\"}}")))
                        .unwrap_or_else(|| panic!("{series}"));
                    let (factor, budget) = threshold.split_once(" * ").unwrap();
                    (window.to_string(), factor.to_string(), budget.to_string())
                })
                .collect()
        })
        .collect()
}

#[test]
fn burn_rate_alerts_follow_the_sre_workbook() {
    let pair = |w1: &str, w2: &str, factor: &str, budget: &str| {
        vec![
            (w1.to_string(), factor.to_string(), budget.to_string()),
            (w2.to_string(), factor.to_string(), budget.to_string()),
        ]
    };
    let page = conditions("latency", "SloErrorBudgetFastBurn");
    assert_eq!(
        page,
        [
            pair("1h", "5m", "14.4", "(1 - 0.95)"),
            pair("6h", "30m", "6", "(1 - 0.95)")
        ]
    );
    let ticket = conditions("availability", "SloErrorBudgetSlowBurn");
    assert_eq!(
        ticket,
        [
            pair("1d", "2h", "3", "(1 - 0.999)"),
            pair("3d", "6h", "1", "(1 - 0.999)")
        ]
    );
    let rules = rules_of("latency");
    let rules = rules.as_sequence().unwrap();
    let severity = |alert: &str| {
        let r = rules.iter().find(|r| r["alert"] == alert).unwrap();
        r["labels"]["severity"].as_str().unwrap().to_string()
    };
    assert_eq!(severity("SloErrorBudgetFastBurn"), "page");
    assert_eq!(severity("SloErrorBudgetSlowBurn"), "ticket");
    // The error ratio over each window, and the budget over the SLO's own.
    let recorded: Vec<&str> = rules.iter().filter_map(|r| r["record"].as_str()).collect();
    for w in ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"] {
        assert!(
            recorded.contains(&format!("slo:sli_error:ratio_rate{w}").as_str()),
            "{w}"
        );
    }
    let budget = rules
        .iter()
        .find(|r| r["record"] == "slo:error_budget:remaining")
        .unwrap();
    assert_eq!(
        budget["expr"],
        r#"1 - slo:sli_error:ratio_rate30d{slo="latency"} / (1 - 0.95)"#
    );
    let five = rules
        .iter()
        .find(|r| r["record"] == "slo:sli_error:ratio_rate5m")
        .unwrap();
    assert_eq!(five["labels"]["slo"], "latency");
    let expr = five["expr"].as_str().unwrap();
    assert!(
        expr.contains(r#"rate(api_request_duration_seconds_bucket{le="0.5"}[5m])"#)
            && expr.contains("rate(api_request_duration_seconds_count[5m])")
            && expr.contains("sum by (endpoint)"),
        "{expr}"
    );
    let failures = rules_of("failures");
    let windows: Vec<&str> = failures
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|r| r["record"].as_str())
        .collect();
    assert!(
        windows.contains(&"slo:sli_error:ratio_rate28d"),
        "{windows:?}"
    );
}

#[test]
fn the_checker_reads_the_slo_rules_and_dashboard() {
    promdecl_gen::promql::check(&project()).unwrap();
    // The recorded series are known to rules declared beside them.
    let mut project = project();
    project.groups[0].rules.push(
        promdecl_gen::RuleGroup::new("extra").alert(
            promdecl_gen::Alert::new("BudgetGone")
                .expr(r#"slo:error_budget:remaining{slo="latency",endpoint="/"} < 0"#),
        ),
    );
    promdecl_gen::promql::check(&project).unwrap();
    project.groups[0].rules[0].rules[0] = promdecl_gen::Rule::Alert(
        promdecl_gen::Alert::new("BudgetGone").expr(r#"slo:error_budget:remaining{route="/"} < 0"#),
    );
    let errors = promdecl_gen::promql::check(&project).unwrap_err();
    assert!(
        errors[0].to_string().contains("has no label `route`"),
        "{errors:?}"
    );
    let board: serde_json::Value =
        serde_json::from_str(&generated("docs/dashboards/api-slo.json").contents).unwrap();
    let titles: Vec<&str> = board["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("SLO latency")),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Burn rate (error ratio / budget)"),
        "{titles:?}"
    );
}

/// Writes the generated SLO files to a fresh directory: their paths there.
fn written(name: &str) -> Option<(std::path::PathBuf, Vec<String>)> {
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return None;
    }
    let dir = std::env::temp_dir().join(format!("promdecl-slo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files: Vec<File> = promdecl_gen::generate(&project())
        .into_iter()
        .filter(|f| f.path.contains(".slo."))
        .collect();
    promdecl_gen::write(&dir, &files).unwrap();
    let paths = files
        .iter()
        .map(|f| dir.join(&f.path).display().to_string())
        .collect();
    Some((dir, paths))
}

#[test]
fn promtool_checks_the_rules_and_passes_the_generated_tests() {
    let Some((dir, paths)) = written("pass") else {
        return;
    };
    let rules: Vec<&str> = paths
        .iter()
        .filter(|p| p.ends_with(".slo.yml"))
        .map(String::as_str)
        .collect();
    assert_eq!(rules.len(), 1);
    let mut args = vec!["check", "rules"];
    args.extend(&rules);
    let (ok, out) = tests::promtool(&args).unwrap();
    assert!(ok, "{out}");
    let test_files: Vec<&String> = paths.iter().filter(|p| p.ends_with(".test.yml")).collect();
    assert_eq!(test_files.len(), 2, "{paths:?}");
    for test in test_files {
        let started = Instant::now();
        let (ok, out) = tests::promtool(&["test", "rules", test]).unwrap();
        eprintln!("promtool test rules {test}: {:?}", started.elapsed());
        assert!(ok, "{test}:\n{out}");
    }
    let page = std::fs::read_to_string(dir.join("docs/alerts/api.slo.page.test.yml")).unwrap();
    // Every SLO that can page has a firing case; the cache SLO cannot and says so.
    for name in ["latency", "availability", "failures"] {
        assert!(
            page.contains(&format!("name: '{name}: SloErrorBudgetFastBurn fires ")),
            "{name}"
        );
    }
    assert!(page.contains("# SloErrorBudgetFastBurn of SLO cache: cannot fire"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn promtool_fails_when_the_alerts_cannot_fire() {
    let Some((dir, _)) = written("broken") else {
        return;
    };
    // The same tests against rules whose factors are ten times too high.
    let path = dir.join("docs/alerts/api.slo.yml");
    let rules = std::fs::read_to_string(&path).unwrap();
    let broken = rules
        .replace(" > 14.4 * ", " > 144 * ")
        .replace(" > 1 * ", " > 10 * ");
    assert_ne!(broken, rules);
    std::fs::write(&path, broken).unwrap();
    for severity in ["page", "ticket"] {
        let test = dir.join(format!("docs/alerts/api.slo.{severity}.test.yml"));
        let (ok, out) = tests::promtool(&["test", "rules", test.to_str().unwrap()]).unwrap();
        assert!(
            !ok,
            "{severity}: promtool passed rules that cannot fire:\n{out}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn two_slos_of_one_name_in_a_group_are_refused() {
    let twice = slos()[0].clone();
    let project = Project::new("API", "api").group(
        Group::new("api", "API")
            .metrics::<Api>("API")
            .slo(twice.clone())
            .slo(twice),
    );
    let errors = promdecl_gen::promql::check(&project).unwrap_err();
    let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
    assert!(
        messages.contains(
            &"group `api` declares the rule group `slo-latency` twice; give each a name of its own"
                .to_string()
        ),
        "{messages:?}"
    );
}
