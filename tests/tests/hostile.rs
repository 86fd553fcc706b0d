//! Output valid whatever the input: hostile label values, observations no format can hold,
//! counters at their limit and registrations that would clash in some format. Every exposition
//! here must pass `promtool check metrics` (text) and both Python parsers, and every clash must
//! be a `RegistryError` naming both families.

use std::collections::BTreeSet;

use promdecl::{
    testing, Counter, FloatCounter, Format, Gauge, Histogram, Info, Metrics, Registry,
    RegistryError, ShardedCounter, DEFAULT_MAX_LABEL_VALUE_BYTES, OVERFLOW_VALUE,
};
use tests::{find_sample, promtool_check_metrics, python_parse, ParsedFamily};

#[derive(Metrics)]
#[metrics(prefix = "hostile")]
struct Hostile {
    /// Requests by raw path
    #[metric(counter, labels = [path, method = [get, post]], max_series = 100)]
    requests_total: Counter,
    /// Values by key, with "quotes" and a \ backslash in HELP
    #[metric(gauge, labels = [key])]
    values: Gauge,
    /// Request latency by route
    #[metric(histogram, labels = [route], buckets = [0.1, 1.0])]
    latency_seconds: Histogram,
    /// Clock skew against the leader, either sign
    #[metric(histogram, buckets = [-1.0, 0.0, 1.0])]
    clock_skew_seconds: Histogram,
    /// Events seen
    #[metric(counter)]
    events_total: Counter,
    /// Events recorded dynamically
    #[metric(counter)]
    recorded_total: Counter,
    /// Events seen by many threads
    #[metric(counter)]
    sharded_events_total: ShardedCounter,
    /// Amount paid
    #[metric(counter)]
    paid_total: FloatCounter,
    /// Build information
    #[metric(info, labels = [version])]
    build_info: Info,
}

/// Label values a client may receive from anywhere, each of which must round-trip or fold.
fn hostile_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "\"",
        "\\",
        "\n",
        "}",
        "{",
        "=\"",
        "a\",b=\"c",
        "\\n",
        "line\nbreak\r\ttab",
        "# EOF",
        "\n# EOF\n",
        "ünïcødé ✓ 🚀 中文",
        "",
        " ",
        "nul\0byte",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // The longest value that keeps its own series.
    v.push("x".repeat(DEFAULT_MAX_LABEL_VALUE_BYTES));
    v
}

/// Each text format must pass its validators; returns what both Python parsers read.
fn validate(registry: &Registry) -> Vec<(Format, Vec<ParsedFamily>)> {
    let text = registry.encode(Format::Text);
    if let Some(result) = promtool_check_metrics(&text) {
        match result {
            Ok(out) => assert!(out.trim().is_empty(), "promtool lint:\n{out}\n---\n{text}"),
            Err(out) => panic!("promtool rejected the exposition:\n{out}\n---\n{text}"),
        }
    }
    let mut parsed = Vec::new();
    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        if let Some(result) = python_parse(&out, format) {
            let families =
                result.unwrap_or_else(|e| panic!("python rejected {format:?}: {e}\n---\n{out}"));
            assert_unique_series(&families, format);
            parsed.push((format, families));
        }
    }
    parsed
}

/// One label set names one series.
fn assert_unique_series(families: &[ParsedFamily], format: Format) {
    let mut seen = BTreeSet::new();
    for s in families.iter().flat_map(|f| &f.samples) {
        let key = (s.name.clone(), s.labels.clone());
        assert!(seen.insert(key), "{format:?}: series exposed twice: {s:?}");
    }
}

#[test]
fn hostile_label_values_round_trip_or_fold_and_the_exposition_stays_valid() {
    let registry = Registry::builder()
        .const_label("node", "n\"1\\\n")
        .build()
        .unwrap();
    let m = registry.register(Hostile::new()).unwrap();
    let values = hostile_values();
    for v in &values {
        m.requests_total(v, hostile_labels::Method::Get).inc();
        m.values(v).set(1.5);
        m.latency_seconds(v).observe(0.5);
    }
    // Reserved and oversized values fold into the overflow series, never into a series of their own.
    let mib = "y".repeat(1 << 20);
    let too_long = "z".repeat(DEFAULT_MAX_LABEL_VALUE_BYTES + 1);
    for v in [OVERFLOW_VALUE, mib.as_str(), too_long.as_str()] {
        m.requests_total(v, hostile_labels::Method::Get).inc();
        m.values(v).set(2.0);
        m.latency_seconds(v).observe(0.5);
    }
    m.build_info(&mib);
    m.build_info("1.0\n\"beta\"\\");

    assert_eq!(
        testing::value(&*m, "hostile_requests_total", &[OVERFLOW_VALUE, "get"]),
        Some(3.0),
        "`__overflow__`, 1 MiB and 257 bytes each fold"
    );
    // Every hostile value has its own series, plus the one overflow series.
    assert_eq!(
        testing::series_count(&*m, "hostile_values"),
        Some(values.len() + 1)
    );

    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        assert!(out.len() < 64 * 1024, "{format:?}: {} bytes", out.len());
        assert!(!out.contains("yyyyyyyy") && !out.contains("zzzzzzzz"));
        assert!(
            out.contains("metrics_series_overflow_total{node=\"n\\\"1\\\\\\n\",family=\"hostile_requests_total\"} 3\n"),
            "{out}"
        );
        assert!(out.contains(
            "metrics_series_overflow_total{node=\"n\\\"1\\\\\\n\",family=\"hostile_build_info\"} 1\n"
        ));
    }

    for (format, families) in validate(&registry) {
        let node = ("node", "n\"1\\\n");
        for v in &values {
            let labels = [node, ("path", v.as_str()), ("method", "get")];
            assert_eq!(
                find_sample(&families, "hostile_requests_total", &labels),
                Some(1.0),
                "{format:?}: {v:?} round-trips"
            );
            let labels = [node, ("key", v.as_str())];
            assert_eq!(find_sample(&families, "hostile_values", &labels), Some(1.5));
        }
        let overflow = [node, ("key", OVERFLOW_VALUE)];
        assert_eq!(
            find_sample(&families, "hostile_values", &overflow),
            Some(2.0)
        );
        let build = [node, ("version", "1.0\n\"beta\"\\")];
        assert_eq!(
            find_sample(&families, "hostile_build_info", &build),
            Some(1.0)
        );
        let help = families
            .iter()
            .find(|f| f.name == "hostile_values")
            .map(|f| f.help.as_str());
        assert_eq!(
            help,
            Some("Values by key, with \"quotes\" and a \\ backslash in HELP")
        );
    }
}

#[test]
fn a_registry_cap_on_label_values_applies_to_what_it_registers() {
    let registry = Registry::builder()
        .max_label_value_bytes(4)
        .build()
        .unwrap();
    let m = registry.register(Hostile::new()).unwrap();
    m.values("abcd").set(1.0);
    m.values("abcde").set(2.0);
    m.build_info("1.2.3");
    assert_eq!(testing::value(&*m, "hostile_values", &["abcd"]), Some(1.0));
    assert_eq!(
        testing::value(&*m, "hostile_values", &[OVERFLOW_VALUE]),
        Some(2.0)
    );
    assert_eq!(testing::series_count(&*m, "hostile_values"), Some(2));
    assert_eq!(testing::series_count(&*m, "hostile_build_info"), Some(0));
    let text = registry.encode(Format::Text);
    assert!(text.contains("metrics_series_overflow_total{family=\"hostile_values\"} 1\n"));
    assert!(text.contains("metrics_series_overflow_total{family=\"hostile_build_info\"} 1\n"));
    validate(&registry);
}

#[test]
fn observations_no_format_can_hold_are_dropped_counted_and_never_reach_the_sum() {
    let registry = Registry::new();
    let m = registry.register(Hostile::new()).unwrap();
    let latency = m.latency_seconds("/");
    for v in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.5,
        0.05,
        0.5,
        2.0,
    ] {
        latency.observe(v);
    }
    assert_eq!(latency.count(), 3);
    assert_eq!(latency.sum(), 2.55);
    assert_eq!(latency.dropped(), 4);

    // A histogram with a negative bound counts any finite value and exposes no sum.
    let skew = m.clock_skew_seconds();
    for v in [-5.0, -0.5, 0.0, 0.5, 5.0, f64::NAN, f64::INFINITY] {
        skew.observe(v);
    }
    assert_eq!(skew.count(), 5);
    assert_eq!(skew.dropped(), 2);

    // Huge finite observations overflow the sum to +Inf, which OpenMetrics accepts; never NaN.
    let huge = m.latency_seconds("/huge");
    huge.observe(1e308);
    huge.observe(1e308);
    huge.observe(f64::MAX);
    assert_eq!(huge.sum(), f64::INFINITY);

    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        assert!(
            out.contains(
                "metrics_observations_dropped_total{family=\"hostile_latency_seconds\"} 4\n"
            ),
            "{out}"
        );
        assert!(out.contains(
            "metrics_observations_dropped_total{family=\"hostile_clock_skew_seconds\"} 2\n"
        ));
        assert!(out.contains("hostile_clock_skew_seconds_bucket{le=\"-1.0\"} 1\n"));
        assert!(out.contains("hostile_clock_skew_seconds_bucket{le=\"0.0\"} 3\n"));
        assert!(out.contains("hostile_clock_skew_seconds_bucket{le=\"+Inf\"} 5\n"));
        assert!(
            !out.contains("hostile_clock_skew_seconds_sum")
                && !out.contains("hostile_clock_skew_seconds_count"),
            "{format:?}: no `_sum` or `_count` with a negative bound\n{out}"
        );
        assert!(out.contains("hostile_latency_seconds_sum{route=\"/huge\"} +Inf\n"));
        assert!(!out.contains(" NaN\n"), "{out}");
    }

    for (format, families) in validate(&registry) {
        let sum = find_sample(&families, "hostile_latency_seconds_sum", &[("route", "/")]);
        assert_eq!(sum, Some(2.55), "{format:?}");
        let count = find_sample(
            &families,
            "hostile_latency_seconds_count",
            &[("route", "/")],
        );
        assert_eq!(count, Some(3.0), "{format:?}");
    }
}

#[test]
fn a_clean_exposition_has_no_dropped_family() {
    let registry = Registry::new();
    let m = registry.register(Hostile::new()).unwrap();
    m.latency_seconds("/").observe(0.2);
    m.clock_skew_seconds().observe(-0.2);
    let text = registry.encode(Format::Text);
    assert!(
        !text.contains("metrics_observations_dropped_total"),
        "{text}"
    );
}

#[test]
fn counters_saturate_at_u64_max_instead_of_wrapping() {
    let registry = Registry::new();
    let m = registry.register(Hostile::new()).unwrap();
    m.events_total().inc_by(u64::MAX - 1);
    m.events_total().inc();
    m.events_total().inc();
    m.events_total().inc_by(u64::MAX);
    assert_eq!(m.events_total().get(), u64::MAX);

    // Dynamic records of absurd amounts saturate too; negative and non-finite are ignored.
    m.visit(&mut |f| {
        if f.desc().name == "hostile_recorded_total" {
            for v in [1e30, -1.0, f64::NAN, f64::INFINITY, 5.0] {
                f.record(&[], v).unwrap();
            }
        }
    });
    assert_eq!(
        testing::value(&*m, "hostile_recorded_total", &[]),
        Some(u64::MAX as f64)
    );

    // Two threads (owned lanes) and the shared lane, each past the maximum, and their sum.
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                m.sharded_events_total().inc_by(u64::MAX / 2);
                m.sharded_events_total().inc_by(u64::MAX / 2);
                m.sharded_events_total().inc_by(3);
            });
        }
    });
    assert_eq!(m.sharded_events_total().get(), u64::MAX);

    m.paid_total().inc_by(f64::MAX);
    m.paid_total().inc_by(f64::MAX);
    m.paid_total().inc_by(f64::NAN);
    m.paid_total().inc_by(-1.0);
    assert_eq!(m.paid_total().get(), f64::INFINITY);

    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        assert!(out.contains("hostile_events_total 18446744073709551615\n"));
        assert!(out.contains("hostile_sharded_events_total 18446744073709551615\n"));
        assert!(out.contains("hostile_paid_total +Inf\n"));
    }
    for (format, families) in validate(&registry) {
        let events = find_sample(&families, "hostile_events_total", &[]);
        assert_eq!(events, Some(u64::MAX as f64), "{format:?}");
    }
}

#[test]
fn concurrent_increments_near_the_maximum_end_at_the_maximum() {
    let m = Hostile::new();
    m.events_total().inc_by(u64::MAX - 1000);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..1000 {
                    m.events_total().inc();
                }
            });
        }
    });
    assert_eq!(m.events_total().get(), u64::MAX);
}

// ---- registration clashes, by every name a family takes in any format ----

#[derive(Metrics)]
struct JobsCounter {
    /// Jobs run
    #[metric(counter)]
    jobs_total: Counter,
}

#[derive(Metrics)]
struct JobsGauge {
    /// Jobs waiting
    #[metric(gauge)]
    jobs: Gauge,
}

#[derive(Metrics)]
struct JobsCreated {
    /// When jobs were created
    #[metric(gauge)]
    jobs_created: Gauge,
}

#[derive(Metrics)]
struct BuildInfo {
    /// Build information
    #[metric(info, labels = [version])]
    build_info: Info,
}

#[derive(Metrics)]
struct BuildGauge {
    /// Builds running
    #[metric(gauge)]
    build: Gauge,
}

#[derive(Metrics)]
struct Rpc {
    /// RPC latency
    #[metric(histogram)]
    rpc_seconds: Histogram,
}

#[derive(Metrics)]
struct RpcBucket {
    /// Buckets configured
    #[metric(gauge, allow_reserved_suffix)]
    rpc_seconds_bucket: Gauge,
}

#[derive(Metrics)]
struct RpcCreated {
    /// When the RPC client was created
    #[metric(gauge)]
    rpc_seconds_created: Gauge,
}

#[derive(Metrics)]
struct RpcCounter {
    /// RPCs made
    #[metric(counter)]
    rpc_seconds_total: Counter,
}

#[derive(Metrics)]
struct FakeOverflow {
    /// My own overflow count
    #[metric(counter, labels = [family])]
    metrics_series_overflow_total: Counter,
}

#[derive(Metrics)]
struct FakeOverflowGauge {
    /// Looks like the overflow family in OpenMetrics
    #[metric(gauge)]
    metrics_series_overflow: Gauge,
}

#[derive(Metrics)]
struct FakeDropped {
    /// My own dropped count
    #[metric(counter)]
    metrics_observations_dropped_total: Counter,
}

/// Registers `first` then `second`; the second must fail naming `name` and both families.
fn clash<A: Metrics, B: Metrics>(
    registry: &Registry,
    first: A,
    second: B,
    name: &str,
    families: [&str; 2],
) -> RegistryError {
    registry.register(first).unwrap();
    let err = registry.register(second).map(drop).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&format!("`{name}`")), "names `{name}`: {msg}");
    for f in families {
        assert!(msg.contains(&format!("`{f}`")), "names `{f}`: {msg}");
    }
    err
}

#[test]
fn a_counter_and_a_gauge_named_like_its_openmetrics_family_clash() {
    let err = clash(
        &Registry::new(),
        JobsCounter::new(),
        JobsGauge::new(),
        "jobs",
        ["jobs_total", "jobs"],
    );
    assert!(matches!(err, RegistryError::Conflict { .. }), "{err:?}");
    // And the other way round.
    clash(
        &Registry::new(),
        JobsGauge::new(),
        JobsCounter::new(),
        "jobs",
        ["jobs", "jobs_total"],
    );
    clash(
        &Registry::new(),
        JobsCounter::new(),
        JobsCreated::new(),
        "jobs_created",
        ["jobs_total", "jobs_created"],
    );
}

#[test]
fn an_info_family_and_a_family_named_without_info_clash() {
    clash(
        &Registry::new(),
        BuildInfo::new(),
        BuildGauge::new(),
        "build",
        ["build_info", "build"],
    );
    clash(
        &Registry::new(),
        BuildGauge::new(),
        BuildInfo::new(),
        "build",
        ["build", "build_info"],
    );
}

#[test]
fn a_histogram_and_a_family_named_like_one_of_its_samples_clash() {
    clash(
        &Registry::new(),
        Rpc::new(),
        RpcBucket::new(),
        "rpc_seconds_bucket",
        ["rpc_seconds", "rpc_seconds_bucket"],
    );
    clash(
        &Registry::new(),
        Rpc::new(),
        RpcCreated::new(),
        "rpc_seconds_created",
        ["rpc_seconds", "rpc_seconds_created"],
    );
    // A counter `rpc_seconds_total` is family `rpc_seconds` in OpenMetrics.
    clash(
        &Registry::new(),
        Rpc::new(),
        RpcCounter::new(),
        "rpc_seconds",
        ["rpc_seconds", "rpc_seconds_total"],
    );
}

#[test]
fn clashes_under_prefixes_name_the_exposed_families() {
    let registry = Registry::builder().prefix("app").build().unwrap();
    registry.register_prefixed("a", JobsCounter::new()).unwrap();
    let err = registry.register_prefixed("a", JobsGauge::new()).map(drop);
    let msg = err.unwrap_err().to_string();
    for name in ["`app_a_jobs`", "`app_a_jobs_total`"] {
        assert!(msg.contains(name), "names {name}: {msg}");
    }
    // Under another prefix the names differ: no clash.
    registry.register_prefixed("b", JobsGauge::new()).unwrap();
}

#[test]
fn the_registrys_own_family_names_are_reserved() {
    let cases: [(Registry, &str); 2] = [
        (Registry::new(), ""),
        (Registry::builder().prefix("app").build().unwrap(), "app_"),
    ];
    for (registry, prefix) in cases {
        let overflow = format!("{prefix}metrics_series_overflow_total");
        for (err, names) in [
            (
                registry
                    .register(FakeOverflow::new())
                    .map(drop)
                    .unwrap_err(),
                [overflow.clone(), overflow.clone()],
            ),
            (
                registry
                    .register(FakeOverflowGauge::new())
                    .map(drop)
                    .unwrap_err(),
                [overflow.clone(), format!("{prefix}metrics_series_overflow")],
            ),
            (
                registry.register(FakeDropped::new()).map(drop).unwrap_err(),
                [(); 2].map(|_| format!("{prefix}metrics_observations_dropped_total")),
            ),
        ] {
            assert!(matches!(err, RegistryError::Conflict { .. }), "{err:?}");
            let msg = err.to_string();
            assert!(msg.contains("reserved by the registry"), "{msg}");
            for n in names {
                assert!(msg.contains(&format!("`{n}`")), "names `{n}`: {msg}");
            }
        }
    }
}

#[test]
fn the_clashes_that_are_refused_would_have_broken_an_exposition() {
    // What the registry refuses is what the OpenMetrics parser rejects: render two structs side
    // by side, as one registry would have, and ask the strict parser.
    let mut out = testing::render(&JobsCounter::new(), Format::OpenMetrics);
    out = out.trim_end_matches("# EOF\n").to_string();
    out.push_str(&testing::render(&JobsGauge::new(), Format::OpenMetrics));
    if let Some(result) = python_parse(&out, Format::OpenMetrics) {
        assert!(
            result.is_err(),
            "the parser accepted two `jobs` families:\n{out}"
        );
    }
}
