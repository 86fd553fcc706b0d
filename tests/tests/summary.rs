//! Summaries: quantiles over a sliding window, declared like the other kinds, within the
//! documented relative error over a million samples, and exposed as `summary` in every format
//! (checked by promtool, both Python parsers and the official protobuf schema).

use promdecl::proto::{MetricFamily, MetricType};
use promdecl::{Exposition, FamilyDesc, Format, Kind, Metrics, Registry, Summary, SummarySpec};
use prost::Message;

#[derive(Metrics)]
struct Rpc {
    /// RPC latency
    #[metric(summary, labels = [method = [get, put]], quantiles = [0.5, 0.9, 0.99, 0.999], max_age = "10m")]
    rpc_seconds: Summary,
    /// Payload sizes
    #[metric(summary, labels = [peer], max_age = "1m", age_buckets = 3)]
    payload_bytes: Summary,
}

/// A deterministic stream of uniform numbers in (0, 1): splitmix64, so the test needs no RNG
/// crate and every run sees the same samples.
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

/// Log-normal latencies around 100 ms (`exp(N(ln 0.1, 1))`, by Box–Muller): a long tail over
/// four orders of magnitude, the shape summaries are used for.
fn latencies(n: usize) -> Vec<f64> {
    let mut u = Uniform(7);
    (0..n)
        .map(|_| {
            let (a, b) = (u.next(), u.next());
            let normal = (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos();
            (0.1f64.ln() + normal).exp()
        })
        .collect()
}

#[test]
fn quantiles_over_a_million_samples_are_within_the_documented_bound() {
    let registry = Registry::new();
    let rpc = registry.register(Rpc::new()).unwrap();
    let samples = latencies(1_000_000);
    let series = rpc.rpc_seconds(rpc_labels::Method::Get);
    for v in &samples {
        series.observe(*v);
    }
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let snapshot = series.snapshot();
    assert_eq!(snapshot.count, 1_000_000);
    let exact_sum: f64 = samples.iter().sum();
    assert!(
        (snapshot.sum - exact_sum).abs() <= exact_sum * 1e-9,
        "{snapshot:?}"
    );
    assert_eq!(snapshot.quantiles.len(), 4);
    for (q, estimate) in &snapshot.quantiles {
        // The documented bound: within 1 % of the observation at rank floor(q (n - 1)).
        let exact = sorted[(q * (sorted.len() - 1) as f64) as usize];
        let error = (estimate - exact).abs() / exact;
        assert!(
            error <= SummarySpec::RELATIVE_ACCURACY,
            "q={q}: estimate {estimate}, exact {exact}, relative error {error}"
        );
    }

    // The exposition carries the same values, as Python's parser reads them.
    let text = registry.encode(Format::Text);
    if let Some(parsed) = tests::python_parse(&text, Format::Text) {
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}\n{text}"));
        for (q, estimate) in &snapshot.quantiles {
            let labels = [("method", "get"), ("quantile", &*format!("{q:?}"))];
            let exposed = tests::find_sample(&parsed, "rpc_seconds", &labels).unwrap();
            // serde_json reads Python's JSON to within an ulp, not always exactly.
            assert!(
                (exposed - estimate).abs() <= estimate * 1e-15,
                "{labels:?}: {exposed}"
            );
        }
        let count = tests::find_sample(&parsed, "rpc_seconds_count", &[("method", "get")]);
        assert_eq!(count, Some(1e6));
    }
}

#[test]
fn summaries_pass_promtool_and_both_parsers() {
    let registry = Registry::new();
    let rpc = registry.register(Rpc::new()).unwrap();
    for v in [0.02, 0.05, 0.5] {
        rpc.rpc_seconds(rpc_labels::Method::Put).observe(v);
    }
    rpc.payload_bytes("peer-1").observe(512.0);
    // Dropped and counted: a summary's sum is a counter.
    rpc.payload_bytes("peer-1").observe(-1.0);
    rpc.payload_bytes("peer-1").observe(f64::NAN);
    // `get` is never observed: its quantiles are NaN, which every format and parser accepts.
    let text = tests::validate_registry(&registry);
    assert!(text.contains("# TYPE rpc_seconds summary\n"), "{text}");
    assert!(
        text.contains("rpc_seconds{method=\"get\",quantile=\"0.5\"} NaN\n"),
        "{text}"
    );
    assert!(
        text.contains("rpc_seconds_count{method=\"put\"} 3\n"),
        "{text}"
    );
    assert!(
        text.contains("payload_bytes{peer=\"peer-1\",quantile=\"0.99\"}"),
        "default quantiles: {text}"
    );
    assert!(
        text.contains("metrics_observations_dropped_total{family=\"payload_bytes\"} 2\n"),
        "{text}"
    );

    let om = registry.encode(Format::OpenMetrics);
    if let Some(parsed) = tests::python_parse(&om, Format::OpenMetrics) {
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}\n{om}"));
        let family = parsed.iter().find(|f| f.name == "rpc_seconds").unwrap();
        assert_eq!(family.kind, "summary");
        let names: Vec<&str> = family.samples.iter().map(|s| s.name.as_str()).collect();
        for name in [
            "rpc_seconds",
            "rpc_seconds_sum",
            "rpc_seconds_count",
            "rpc_seconds_created",
        ] {
            assert!(names.contains(&name), "no {name} in {names:?}\n{om}");
        }
        let sum = tests::find_sample(&parsed, "rpc_seconds_sum", &[("method", "put")]);
        assert_eq!(sum, Some(0.02 + 0.05 + 0.5));
        // The observation at rank floor(0.999 * (3 - 1)) = 1 of 0.02, 0.05, 0.5.
        let p999 = [("method", "put"), ("quantile", "0.999")];
        let p999 = tests::find_sample(&parsed, "rpc_seconds", &p999).unwrap();
        assert!(
            (p999 - 0.05).abs() <= 0.05 * SummarySpec::RELATIVE_ACCURACY,
            "{p999}"
        );
    }
}

#[test]
fn protobuf_carries_summaries() {
    let registry = Registry::new();
    let rpc = registry.register(Rpc::new()).unwrap();
    for v in [1.0, 2.0, 3.0] {
        rpc.rpc_seconds(rpc_labels::Method::Get).observe(v);
    }
    let bytes = registry.expose(Exposition::protobuf());
    let mut rest = bytes.as_slice();
    let mut families = Vec::new();
    while !rest.is_empty() {
        families.push(MetricFamily::decode_length_delimited(&mut rest).unwrap());
    }
    let family = families.iter().find(|f| f.name() == "rpc_seconds").unwrap();
    assert_eq!(family.r#type(), MetricType::Summary);
    let get = family
        .metric
        .iter()
        .find(|m| m.label.iter().any(|l| l.value() == "get"))
        .unwrap();
    let summary = get.summary.as_ref().expect("a summary");
    assert_eq!((summary.sample_count(), summary.sample_sum()), (3, 6.0));
    let quantiles: Vec<f64> = summary.quantile.iter().map(|q| q.quantile()).collect();
    assert_eq!(quantiles, [0.5, 0.9, 0.99, 0.999]);
    // The median of 1, 2, 3 is 2, within the relative accuracy.
    let median = summary.quantile[0].value();
    assert!((median - 2.0).abs() <= 2.0 * SummarySpec::RELATIVE_ACCURACY);
    assert!(summary.created_timestamp.is_some());
}

#[test]
fn declared_specs_reach_the_descriptor() {
    let descs: Vec<&FamilyDesc> = Rpc::FAMILIES.iter().collect();
    let rpc = descs.iter().find(|d| d.name == "rpc_seconds").unwrap();
    assert_eq!(rpc.kind, Kind::Summary);
    let spec = rpc.summary.expect("a summary spec");
    assert_eq!(spec.quantiles, [0.5, 0.9, 0.99, 0.999]);
    assert_eq!(spec.max_age.as_secs(), 600);
    assert_eq!(spec.age_buckets, SummarySpec::DEFAULT_AGE_BUCKETS);
    let payload = descs.iter().find(|d| d.name == "payload_bytes").unwrap();
    let spec = payload.summary.unwrap();
    assert_eq!(spec.quantiles, SummarySpec::DEFAULT_QUANTILES);
    assert_eq!((spec.max_age.as_secs(), spec.age_buckets), (60, 3));
}
