//! The exposition of a struct using every kind and label style, checked by independent parsers:
//! `promtool check metrics` and Python's `prometheus_client` (text and OpenMetrics parsers).

use promdecl::{
    Counter, FloatCounter, Format, Gauge, Histogram, Info, IntGauge, LabelValue, Metrics, Registry,
};
use tests::{find_sample, promtool_check_metrics, python_parse};

/// Outcome of a request.
#[derive(Clone, Copy, LabelValue)]
enum Status {
    Success,
    Failure,
}

#[derive(Metrics)]
#[metrics(prefix = "demo")]
struct Everything {
    /// Requests handled
    #[metric(counter, labels = [route, method = [get, post], status: Status])]
    requests_total: Counter,
    /// Amount paid, in tokens
    #[metric(counter, labels = [currency = [usd, eur]])]
    paid_tokens_total: FloatCounter,
    /// Current temperature \ with "quotes"
    #[metric(gauge, unit = "celsius")]
    temperature_celsius: Gauge,
    /// Jobs waiting, per queue
    #[metric(gauge, labels = [queue], max_series = 10)]
    queue_jobs: IntGauge,
    /// Request latency
    #[metric(histogram, labels = [cached: bool], buckets = [0.005, 0.1, 1.0, 2.5])]
    request_duration_seconds: Histogram,
    /// Payload size
    #[metric(histogram, buckets = exponential(64.0, 4.0, 10))]
    payload_bytes: Histogram,
    /// Build information
    #[metric(info, labels = [version, commit])]
    build_info: Info,
}

fn populated() -> Registry {
    let registry = Registry::builder()
        .const_label("node_id", "node-1")
        .build()
        .unwrap();
    let m = registry.register(Everything::new()).unwrap();
    m.requests_total("/api/v1", everything_labels::Method::Get, Status::Success)
        .inc_by(3);
    m.requests_total(
        "we\"ird\\route\n",
        everything_labels::Method::Post,
        Status::Failure,
    )
    .inc();
    m.paid_tokens_total(everything_labels::Currency::Eur)
        .inc_by(12.5);
    m.temperature_celsius().set(-3.25);
    m.queue_jobs("mail").set(7);
    m.request_duration_seconds(true).observe(0.05);
    m.request_duration_seconds(true).observe(3.0);
    m.payload_bytes().observe(70_000.0);
    m.build_info("1.2.3", "abc123");
    registry
}

#[test]
fn text_passes_promtool_with_no_output() {
    let text = populated().encode(Format::Text);
    let Some(result) = promtool_check_metrics(&text) else {
        return;
    };
    match result {
        Ok(out) => assert!(
            out.trim().is_empty(),
            "promtool complained:\n{out}\n--- exposition:\n{text}"
        ),
        Err(out) => panic!("promtool rejected the exposition:\n{out}\n--- exposition:\n{text}"),
    }
}

fn check_values(families: &[tests::ParsedFamily]) {
    let n = ("node_id", "node-1");
    let get = |name: &str, labels: &[(&str, &str)]| {
        let mut all = vec![n];
        all.extend_from_slice(labels);
        find_sample(families, name, &all).unwrap_or_else(|| panic!("missing {name} {labels:?}"))
    };
    let ok = [
        ("route", "/api/v1"),
        ("method", "get"),
        ("status", "success"),
    ];
    assert_eq!(get("demo_requests_total", &ok), 3.0);
    let weird = [
        ("route", "we\"ird\\route\n"),
        ("method", "post"),
        ("status", "failure"),
    ];
    assert_eq!(
        get("demo_requests_total", &weird),
        1.0,
        "escaped label value round-trips"
    );
    assert_eq!(get("demo_paid_tokens_total", &[("currency", "eur")]), 12.5);
    assert_eq!(
        get("demo_paid_tokens_total", &[("currency", "usd")]),
        0.0,
        "enumerated series exist at zero"
    );
    assert_eq!(get("demo_temperature_celsius", &[]), -3.25);
    assert_eq!(get("demo_queue_jobs", &[("queue", "mail")]), 7.0);
    let cached = ("cached", "true");
    assert_eq!(
        get(
            "demo_request_duration_seconds_bucket",
            &[cached, ("le", "0.1")]
        ),
        1.0
    );
    assert_eq!(
        get(
            "demo_request_duration_seconds_bucket",
            &[cached, ("le", "2.5")]
        ),
        1.0
    );
    assert_eq!(
        get(
            "demo_request_duration_seconds_bucket",
            &[cached, ("le", "+Inf")]
        ),
        2.0
    );
    assert_eq!(get("demo_request_duration_seconds_count", &[cached]), 2.0);
    assert_eq!(get("demo_request_duration_seconds_sum", &[cached]), 3.05);
    assert_eq!(
        get(
            "demo_request_duration_seconds_count",
            &[("cached", "false")]
        ),
        0.0
    );
    assert_eq!(get("demo_payload_bytes_count", &[]), 1.0);
}

#[test]
fn python_text_parser_reads_every_value() {
    let text = populated().encode(Format::Text);
    let Some(parsed) = python_parse(&text, Format::Text) else {
        return;
    };
    let families = parsed.unwrap_or_else(|e| panic!("python rejected text format: {e}\n{text}"));
    check_values(&families);
    let build = find_sample(
        &families,
        "demo_build_info",
        &[
            ("node_id", "node-1"),
            ("version", "1.2.3"),
            ("commit", "abc123"),
        ],
    );
    assert_eq!(build, Some(1.0));
    let temp = families
        .iter()
        .find(|f| f.name == "demo_temperature_celsius")
        .unwrap();
    assert_eq!(
        temp.help, "Current temperature \\ with \"quotes\"",
        "HELP is exact: no period added"
    );
}

#[test]
fn python_openmetrics_parser_reads_every_value() {
    let text = populated().encode(Format::OpenMetrics);
    let Some(parsed) = python_parse(&text, Format::OpenMetrics) else {
        return;
    };
    let families = parsed.unwrap_or_else(|e| panic!("python rejected OpenMetrics: {e}\n{text}"));
    check_values(&families);
    let kinds: Vec<(&str, &str)> = families
        .iter()
        .map(|f| (f.name.as_str(), f.kind.as_str()))
        .collect();
    assert!(kinds.contains(&("demo_requests", "counter")), "{kinds:?}");
    assert!(kinds.contains(&("demo_build", "info")), "{kinds:?}");
    assert!(
        kinds.contains(&("demo_payload_bytes", "histogram")),
        "{kinds:?}"
    );
}

#[test]
fn names_are_exactly_as_declared_in_both_formats() {
    let registry = populated();
    let text = registry.encode(Format::Text);
    assert!(text.contains("# TYPE demo_requests_total counter\n"));
    assert!(text.contains("# HELP demo_requests_total Requests handled\n"));
    assert!(text.contains("# TYPE demo_build_info gauge\n"));
    assert!(!text.contains("# EOF"));
    let om = registry.encode(Format::OpenMetrics);
    assert!(om.contains("# TYPE demo_requests counter\n"));
    assert!(om.contains("# HELP demo_requests Requests handled\n"));
    assert!(om.contains("# UNIT demo_temperature_celsius celsius\n"));
    assert!(om.contains("# TYPE demo_build info\n"));
    assert!(
        om.contains("demo_build_info{node_id=\"node-1\",version=\"1.2.3\",commit=\"abc123\"} 1\n")
    );
    assert!(
        om.contains("demo_payload_bytes_bucket{node_id=\"node-1\",le=\"16384.0\"} 0\n"),
        "{om}"
    );
    assert!(
        om.contains("demo_payload_bytes_bucket{node_id=\"node-1\",le=\"1.6777216e+07\"} 1\n"),
        "{om}"
    );
    assert!(om.ends_with("# EOF\n"));
    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        assert!(!out.contains("_total_total"));
        assert!(out.contains("demo_requests_total{node_id=\"node-1\",route=\"/api/v1\",method=\"get\",status=\"success\"} 3\n"));
    }
}

#[test]
fn descriptors_carry_what_was_declared() {
    let f = <Everything as Metrics>::FAMILIES;
    assert_eq!(f.len(), 7);
    assert_eq!(f[0].name, "demo_requests_total");
    assert_eq!(f[0].labels[1].values, Some(&["get", "post"][..]));
    assert_eq!(f[0].labels[0].values, None);
    assert_eq!(f[3].max_series, Some(10));
    assert_eq!(f[4].buckets, Some(&[0.005, 0.1, 1.0, 2.5][..]));
    assert_eq!(f[4].unit, Some("seconds"), "unit read off the name");
    assert_eq!(f[5].buckets.map(|b| b.len()), Some(10));
    assert_eq!(f[2].help, "Current temperature \\ with \"quotes\"");
}
