//! The demo workload against the whole catalog, simulated for ten minutes at once: every family
//! moves, values make sense for their names and units, counters never go back, the series count
//! is flat after warm-up, real sources stay real, and the server's index lists the catalog.
//!
//! Each system's own invariants (one-hot states, state codes, terms that only grow) are tested
//! in its `workload` module.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use promdecl::{Kind, Registry};
use promdecl_catalog::workload;
use promdecl_server::{router, AppState, Config};
use tower::ServiceExt;

/// Ticks of one second each: ten minutes of the demo.
const TICKS: u64 = 600;

/// Every series of the registry: `name{labels}` -> value (a histogram's count).
fn snapshot(registry: &Registry) -> HashMap<String, (Kind, f64)> {
    let mut out = HashMap::new();
    registry.visit(&mut |f| {
        let d = f.desc();
        f.for_each_sample(&mut |labels, s| {
            out.insert(format!("{}{labels:?}", d.name), (d.kind, s.value()));
        });
    });
    out
}

#[test]
fn ten_minutes_of_the_demo_make_sense() {
    let registry = Registry::new();
    let mut drives = workload::start(&registry, None).unwrap();
    // Families seen non-zero at some step (every 5 s: a breaker open for a few seconds counts).
    let mut moved: HashSet<String> = HashSet::new();
    let mut note_moved = |now: &HashMap<String, (Kind, f64)>| {
        moved.extend(
            now.iter()
                .filter(|(_, (_, v))| *v != 0.0)
                .map(|(series, _)| series.split('[').next().unwrap_or_default().to_string()),
        );
    };
    let mut advance = |from: u64, ticks: u64| {
        for step in (from..from + ticks).step_by(5) {
            workload::run_from(&mut drives, step, 5, 1.0);
            note_moved(&snapshot(&registry));
        }
        snapshot(&registry)
    };
    let warm = advance(0, 60);
    let mut previous = warm.clone();
    for minute in 1..TICKS / 60 {
        let now = advance(minute * 60, 60);
        for (series, (kind, v)) in &now {
            if let (Kind::Counter | Kind::Histogram, Some((_, before))) =
                (kind, previous.get(series))
            {
                assert!(v >= before, "{series} went back from {before} to {v}");
            }
        }
        previous = now;
    }
    let end = previous;
    let change = (end.len() as f64 - warm.len() as f64).abs() / warm.len() as f64;
    eprintln!(
        "series after 1 minute: {}, after {} minutes: {}",
        warm.len(),
        TICKS / 60,
        end.len()
    );
    assert!(
        change < 0.05,
        "series went from {} to {}",
        warm.len(),
        end.len()
    );

    // A family moved when any of its series read non-zero at any minute (a breaker open for
    // a while, then closed again, counts).
    let mut idle = Vec::new();
    registry.visit(&mut |f| {
        let d = f.desc();
        f.for_each_sample(&mut |labels, s| {
            let v = s.value();
            let series = format!("{}{labels:?} = {v}", d.name);
            assert!(v.is_finite(), "{series}");
            if d.unit == Some("ratio") || d.name.ends_with("_ratio") {
                assert!((0.0..=1.0).contains(&v), "ratio out of [0, 1]: {series}");
            }
            if d.name.contains("percent") {
                assert!(
                    (0.0..=100.0).contains(&v),
                    "percentage out of [0, 100]: {series}"
                );
            }
            if d.kind != Kind::Gauge {
                assert!(v >= 0.0, "{series}");
            }
        });
        if !moved.contains(d.name) {
            idle.push(d.name);
        }
    });
    assert!(
        idle.is_empty(),
        "families the workload never moved: {idle:?}"
    );

    // Both parsers accept it (promtool runs on the populated catalog in catalog.rs, with the
    // names the seeds force on us exempt from its lint).
    for format in [promdecl::Format::Text, promdecl::Format::OpenMetrics] {
        let text = registry.encode(format);
        if let Some(parsed) = tests::python_parse(&text, format) {
            parsed.unwrap_or_else(|e| panic!("{format:?} rejected: {e}"));
        }
        assert!(!text.contains("status-0"), "invented label values");
    }
}

#[test]
fn one_system_per_process() {
    let registry = Registry::new();
    let mut drives = workload::start(&registry, Some("bridge")).unwrap();
    assert_eq!(drives.len(), 1);
    workload::run(&mut drives, 5, 1.0);
    let text = registry.encode(promdecl::Format::Text);
    assert!(text.contains("bridge_"), "{text}");
    assert!(!text.contains("chorus_"), "only the bridge is served");
    let err = workload::start(&Registry::new(), Some("nope")).unwrap_err();
    assert!(err.to_string().contains("choose one of: chorus"), "{err}");
}

#[test]
fn the_workload_leaves_process_metrics_to_their_real_source() {
    let registry = Registry::new();
    let process = registry
        .register(promdecl_server::collectors::ProcessMetrics::new())
        .unwrap();
    process.resident_memory_bytes().set(123.0);
    let mut drives = workload::start(&registry, None).unwrap();
    workload::run(&mut drives, 5, 1.0);
    assert_eq!(process.resident_memory_bytes().get(), 123.0);
}

#[tokio::test]
async fn the_index_lists_the_catalog() {
    let registry = Arc::new(Registry::new());
    let mut drives = workload::start(&registry, None).unwrap();
    workload::run(&mut drives, 1, 1.0);
    let resp = router(AppState::new(registry, Config::default()))
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let page = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("<code>chorus_dht_put_operations_total</code>"));
}
