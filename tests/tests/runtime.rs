//! Families defined at run time: registered, updated from several threads, refused on a clash,
//! registered again and unregistered on a live registry, every exposition checked by promtool
//! and both Python parsers.

use std::sync::Arc;

use promdecl::{Counter, FamilyDesc, Format, Histogram, Kind, Registry, RegistryError};
use tests::{find_sample, python_parse, validate_registry};

fn jobs_desc() -> &'static FamilyDesc {
    FamilyDesc::builder(
        "jobs_total",
        Kind::Counter,
        "Jobs run, by queue and outcome",
    )
    .label("queue")
    .enum_label("outcome", ["ok", "failed"])
    .max_series(50)
    .build()
    .expect("a valid definition")
}

#[test]
fn a_run_time_family_lives_on_a_live_registry() {
    let registry = Registry::builder()
        .const_label("node", "n1")
        .build()
        .unwrap();
    let jobs: Arc<Counter> = registry.register_family(jobs_desc()).unwrap();
    validate_registry(&registry);

    std::thread::scope(|s| {
        for t in 0..4 {
            let jobs = &jobs;
            s.spawn(move || {
                let queue = format!("q{}", t % 2);
                for i in 0..1000 {
                    let outcome = if i % 10 == 0 { "failed" } else { "ok" };
                    jobs.get_by_values(&[&queue, outcome]).unwrap().inc();
                }
            });
        }
    });
    let text = registry.encode(Format::Text);
    assert!(text.contains("# TYPE jobs_total counter\n"), "{text}");
    let parsed = python_parse(&text, Format::Text);
    if let Some(parsed) = parsed {
        let parsed = parsed.unwrap();
        let ok = find_sample(
            &parsed,
            "jobs_total",
            &[("node", "n1"), ("queue", "q0"), ("outcome", "ok")],
        );
        assert_eq!(ok, Some(1800.0), "2 threads x 900 ok on q0");
    }
    assert!(text.contains("jobs_total{node=\"n1\",queue=\"q1\",outcome=\"failed\"} 200\n"));
    validate_registry(&registry);

    // A different definition under the same name: refused, naming both sides.
    let conflicting = FamilyDesc::builder("jobs_total", Kind::Counter, "Jobs run, by queue")
        .label("queue")
        .build()
        .unwrap();
    let err = registry.register_family::<promdecl::value::CounterValue>(conflicting);
    match err {
        Err(RegistryError::Conflict { name, .. }) => assert_eq!(name, "jobs_total"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // A histogram's `_count` may not take a registered name either.
    let clash = FamilyDesc::builder("jobs", Kind::Histogram, "h")
        .buckets([1.0])
        .build()
        .unwrap();
    assert!(registry
        .register_family::<promdecl::value::HistogramValue>(clash)
        .is_err());

    // The same definition again: the family already registered, values kept.
    let again: Arc<Counter> = registry.register_family(jobs_desc()).unwrap();
    assert!(Arc::ptr_eq(&jobs, &again));
    assert!(registry
        .encode(Format::Text)
        .contains("outcome=\"failed\"} 200\n"));
    validate_registry(&registry);

    // The wrong family type for the kind.
    let wrong = registry.register_family::<promdecl::value::GaugeValue>(jobs_desc());
    assert!(
        matches!(&wrong, Err(RegistryError::Invalid(m)) if m.contains("declared a counter")),
        "{wrong:?}"
    );

    assert!(registry.unregister_family("jobs_total"));
    assert!(!registry.unregister_family("jobs_total"));
    let text = registry.encode(Format::Text);
    assert!(!text.contains("jobs_total"), "{text}");
    validate_registry(&registry);

    // Free again: the other definition now registers, and starts empty.
    let replaced: Arc<Counter> = registry.register_family(conflicting).unwrap();
    replaced.get_by_values(&["q9"]).unwrap().inc();
    assert!(registry
        .encode(Format::Text)
        .contains("jobs_total{node=\"n1\",queue=\"q9\"} 1\n"));
    validate_registry(&registry);
}

#[test]
fn run_time_histograms_are_exposed_like_declared_ones() {
    let registry = Registry::new();
    let desc = FamilyDesc::builder("rpc_latency_seconds", Kind::Histogram, "RPC latency")
        .label("method")
        .buckets([0.01, 0.1, 1.0])
        .build()
        .unwrap();
    let rpc: Arc<Histogram> = registry.register_family(desc).unwrap();
    rpc.get_by_values(&["get"]).unwrap().observe(0.05);
    let text = registry.encode(Format::OpenMetrics);
    assert!(
        text.contains("# UNIT rpc_latency_seconds seconds\n"),
        "{text}"
    );
    assert!(text.contains("rpc_latency_seconds_bucket{method=\"get\",le=\"0.1\"} 1\n"));
    validate_registry(&registry);
}
