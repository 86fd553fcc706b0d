//! prometheus-client interop stays valid OpenMetrics with hostile label values, HELP text and a
//! histogram with a negative bound: encoded by prometheus-client's own text encoder and read back
//! by Python's strict OpenMetrics parser.
//!
//! prometheus-client writes OpenMetrics only (`unknown` and `info` types, `\"` in HELP), which
//! `promtool check metrics` (a text 0.0.4 parser) cannot read, so Python's parser is the judge.
//! It is an external program: missing, it is skipped loudly, or fails under `CI` (as the `tests`
//! crate's helpers do; that crate cannot be a dependency of this one).
#![cfg(feature = "prometheus-client")]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use promdecl::interop::PrometheusClientCollector;
use promdecl::{Counter, Gauge, Histogram, Info, Metrics, Summary};

#[derive(Metrics)]
struct Wild {
    /// Requests by "raw" path \ with a backslash
    #[metric(counter, labels = [path])]
    requests_total: Counter,
    /// Values by key
    #[metric(gauge, labels = [key])]
    values: Gauge,
    /// Clock skew, either sign
    #[metric(histogram, labels = [peer], buckets = [-1.0, 0.0, 1.0])]
    skew_seconds: Histogram,
    /// Latency
    #[metric(histogram, buckets = [0.5, 1.0])]
    latency_seconds: Histogram,
    /// Build information
    #[metric(info, labels = [version])]
    build_info: Info,
    /// Job durations
    #[metric(summary, labels = [queue], quantiles = [0.5, 1.0])]
    job_seconds: Summary,
}

const HOSTILE: &[&str] = &[
    "\"",
    "\\",
    "\n",
    "}",
    "a\",b=\"c",
    "\\n",
    "x\n# EOF\n",
    "ünïcødé 🚀",
    "",
];

fn encoded() -> String {
    let wild = Arc::new(Wild::new());
    for v in HOSTILE {
        wild.requests_total(v).inc();
        wild.values(v).set(2.5);
        wild.skew_seconds(v).observe(-0.5);
    }
    wild.latency_seconds().observe(0.7);
    wild.latency_seconds().observe(f64::NAN);
    wild.build_info("1.0 \"rc\"\n\\");
    wild.job_seconds("q\"1").observe(2.0);
    wild.job_seconds("q\"1").observe(4.0);
    let mut registry = prometheus_client::registry::Registry::default();
    registry.register_collector(Box::new(PrometheusClientCollector::new(wild)));
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
    out
}

fn missing(tool: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{tool} is required in CI but is not installed");
    }
    eprintln!("\n!!! SKIPPED: {tool} is not installed; this check did not run !!!\n");
}

fn run(cmd: &mut Command, input: &str) -> Option<(bool, String)> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

/// Prints `[family, type, help, [[sample name, labels, value], ...]]` per family, as JSON.
const PY_OPENMETRICS: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append([f.name, f.type, f.documentation, [[s.name, s.labels, s.value] for s in f.samples]])
print(json.dumps(out))
"#;

/// `(sample name, labels, value)` of every sample, and `(family, type, help)` of every family.
type Parsed = (
    Vec<(String, Vec<(String, String)>, f64)>,
    Vec<(String, String, String)>,
);

fn parse(text: &str) -> Option<Parsed> {
    let probe = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        missing("python3 with prometheus_client");
        return None;
    }
    let (ok, out) =
        run(Command::new("python3").args(["-c", PY_OPENMETRICS]), text).expect("python3 runs");
    assert!(
        ok,
        "Python rejected prometheus-client's output: {out}\n---\n{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let (mut samples, mut families) = (Vec::new(), Vec::new());
    for f in json.as_array().expect("families") {
        let str_at = |i: usize| f[i].as_str().unwrap_or_default().to_string();
        families.push((str_at(0), str_at(1), str_at(2)));
        for s in f[3].as_array().expect("samples") {
            let labels = s[1].as_object().expect("labels").iter();
            let labels = labels.map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().into()));
            let name = s[0].as_str().unwrap_or_default().to_string();
            let mut labels: Vec<(String, String)> = labels.collect();
            labels.sort();
            samples.push((name, labels, s[2].as_f64().unwrap_or(f64::NAN)));
        }
    }
    Some((samples, families))
}

/// Sorted by name, as [`parse`] keeps them.
fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    labels.sort();
    labels
}

#[test]
fn python_openmetrics_parser_reads_hostile_values_back() {
    let text = encoded();
    let Some((samples, families)) = parse(&text) else {
        return;
    };
    let count = |name: &str, want: &[(String, String)], value: f64| {
        samples
            .iter()
            .filter(|(n, l, v)| n == name && l == want && *v == value)
            .count()
    };
    // Each hostile value comes back exactly once, exactly as given.
    for v in HOSTILE {
        assert_eq!(
            count("requests_total", &labels(&[("path", v)]), 1.0),
            1,
            "{v:?}"
        );
        assert_eq!(count("values", &labels(&[("key", v)]), 2.5), 1, "{v:?}");
        let bucket = labels(&[("peer", v), ("le", "0.0")]);
        assert_eq!(count("skew_seconds_bucket", &bucket, 1.0), 1, "{v:?}");
    }
    let build = labels(&[("version", "1.0 \"rc\"\n\\")]);
    assert_eq!(count("build_info", &build, 1.0), 1, "{samples:?}");
    let requests = families
        .iter()
        .find(|f| f.0 == "requests")
        .expect("requests");
    assert_eq!(requests.2, "Requests by \"raw\" path \\ with a backslash");
}

#[test]
fn a_histogram_with_a_negative_bound_goes_over_without_sum_or_count() {
    let text = encoded();
    assert!(
        text.contains("# TYPE skew_seconds_bucket unknown\n"),
        "{text}"
    );
    assert!(
        text.contains("skew_seconds_bucket{peer=\"\",le=\"-1.0\"} 0\n"),
        "{text}"
    );
    assert!(!text.contains("skew_seconds_sum") && !text.contains("skew_seconds_count"));
    // A histogram with non-negative bounds keeps its type, sum and count; NaN was dropped.
    assert!(
        text.contains("# TYPE latency_seconds histogram\n"),
        "{text}"
    );
    assert!(text.contains("latency_seconds_sum{} 0.7\n"), "{text}");
    assert!(text.contains("latency_seconds_count{} 1\n"), "{text}");
}

#[test]
fn a_summary_goes_over_as_its_quantile_sum_and_count_samples() {
    let text = encoded();
    for family in ["job_seconds", "job_seconds_sum", "job_seconds_count"] {
        assert!(
            text.contains(&format!("# TYPE {family} unknown\n")),
            "{family}: {text}"
        );
    }
    let Some((samples, _)) = parse(&text) else {
        return;
    };
    let value = |name: &str, pairs: &[(&str, &str)]| {
        let want = labels(pairs);
        let found = samples.iter().find(|(n, l, _)| n == name && *l == want);
        found.map(|s| s.2)
    };
    // Quantile 1 is the exact maximum.
    let max = value("job_seconds", &[("queue", "q\"1"), ("quantile", "1.0")]);
    assert_eq!(max, Some(4.0), "{text}");
    assert_eq!(value("job_seconds_sum", &[("queue", "q\"1")]), Some(6.0));
    assert_eq!(value("job_seconds_count", &[("queue", "q\"1")]), Some(2.0));
}
