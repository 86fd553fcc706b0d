//! The recorder, driven through the `metrics` macros with a local recorder.

use std::sync::Arc;

use metrics::Unit;
use promdecl::{Format, Registry};
use promdecl_facade::{Matcher, PromdeclRecorder};

fn setup() -> (Arc<Registry>, PromdeclRecorder) {
    let registry = Arc::new(Registry::new());
    let recorder = PromdeclRecorder::new(registry.clone());
    (registry, recorder)
}

fn text(registry: &Registry) -> String {
    registry.encode(Format::Text)
}

#[test]
fn counter_lands_in_registry() {
    let (registry, recorder) = setup();
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("jobs_total", "queue" => "default").increment(1);
        metrics::counter!("retries").increment(2);
        let c = metrics::counter!("retries");
        c.absolute(5);
        c.absolute(1);
    });
    let out = tests::validate_registry(&registry);
    assert!(out.contains("jobs_total{queue=\"default\"} 1\n"), "{out}");
    // `_total` appended; `absolute` raises to 5 and never lowers.
    assert!(out.contains("retries_total 5\n"), "{out}");
}

#[test]
fn labels_in_any_order_are_one_family() {
    let (registry, recorder) = setup();
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("hits_total", "a" => "1", "b" => "2").increment(1);
        metrics::counter!("hits_total", "b" => "2", "a" => "1").increment(1);
    });
    let out = text(&registry);
    assert!(out.contains("hits_total{a=\"1\",b=\"2\"} 2\n"), "{out}");
}

#[test]
fn invalid_name_is_rejected_once() {
    let (registry, recorder) = setup();
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("bad name").increment(1);
        metrics::counter!("bad name").increment(1);
        metrics::gauge!("ok_gauge", "bad-label" => "x").set(1.0);
    });
    let out = tests::validate_registry(&registry);
    assert!(!out.contains("bad name"), "{out}");
    assert!(!out.contains("ok_gauge"), "{out}");
    assert!(
        out.contains("metrics_facade_rejected_total{reason=\"name\"} 1\n"),
        "{out}"
    );
    assert!(
        out.contains("metrics_facade_rejected_total{reason=\"label_name\"} 1\n"),
        "{out}"
    );
}

#[test]
fn label_set_mismatch_and_kind_are_rejected() {
    let (registry, recorder) = setup();
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("jobs_total", "queue" => "default").increment(1);
        metrics::counter!("jobs_total", "host" => "a").increment(7);
        metrics::counter!("jobs_total", "host" => "a").increment(7);
        metrics::gauge!("jobs_total").set(3.0);
    });
    let out = tests::validate_registry(&registry);
    assert!(out.contains("jobs_total{queue=\"default\"} 1\n"), "{out}");
    assert!(!out.contains("host="), "{out}");
    assert!(
        out.contains("metrics_facade_rejected_total{reason=\"label_set\"} 1\n"),
        "{out}"
    );
    assert!(
        out.contains("metrics_facade_rejected_total{reason=\"kind\"} 1\n"),
        "{out}"
    );
}

#[test]
fn describe_gives_help_and_unit() {
    let (registry, recorder) = setup();
    metrics::with_local_recorder(&recorder, || {
        metrics::describe_histogram!("request_duration_seconds", Unit::Seconds, "Request time");
        metrics::describe_gauge!("memory_bytes", Unit::Bytes, "Resident memory");
        metrics::histogram!("request_duration_seconds").record(0.2);
        metrics::gauge!("memory_bytes").set(1024.0);
        metrics::gauge!("undescribed").set(1.0);
        // Too late: the family exists.
        metrics::describe_gauge!("undescribed", "Ignored");
        metrics::gauge!("undescribed").set(2.0);
    });
    let out = tests::validate_registry(&registry);
    assert!(
        out.contains("# HELP request_duration_seconds Request time\n"),
        "{out}"
    );
    assert!(
        out.contains("# HELP memory_bytes Resident memory\n"),
        "{out}"
    );
    assert!(
        out.contains("# HELP undescribed metrics facade gauge `undescribed`\n"),
        "{out}"
    );
    assert!(out.contains("undescribed 2\n"), "{out}");
    let om = registry.encode(Format::OpenMetrics);
    assert!(
        om.contains("# UNIT request_duration_seconds seconds\n"),
        "{om}"
    );
    assert!(om.contains("# UNIT memory_bytes bytes\n"), "{om}");
}

#[test]
fn histogram_buckets_by_pattern() {
    let registry = Arc::new(Registry::new());
    let recorder = PromdeclRecorder::new(registry.clone())
        .buckets_for(Matcher::Suffix("_bytes".into()), &[100.0, 1000.0])
        .buckets_for(Matcher::Prefix("batch_".into()), &[1.0, 10.0]);
    metrics::with_local_recorder(&recorder, || {
        metrics::histogram!("payload_bytes").record(500.0);
        metrics::histogram!("batch_size").record(5.0);
        metrics::histogram!("wait_seconds").record(0.3);
    });
    let out = tests::validate_registry(&registry);
    assert!(
        out.contains("payload_bytes_bucket{le=\"1000.0\"} 1\n"),
        "{out}"
    );
    assert!(
        out.contains("payload_bytes_bucket{le=\"100.0\"} 0\n"),
        "{out}"
    );
    assert!(out.contains("batch_size_bucket{le=\"10.0\"} 1\n"), "{out}");
    assert!(out.contains("wait_seconds_bucket{le=\"0.5\"} 1\n"), "{out}");
    assert!(
        out.contains("wait_seconds_bucket{le=\"0.25\"} 0\n"),
        "{out}"
    );
}

#[test]
fn series_budget_folds_overflow() {
    let registry = Arc::new(Registry::new());
    let recorder = PromdeclRecorder::new(registry.clone()).max_series(2);
    metrics::with_local_recorder(&recorder, || {
        for peer in ["a", "b", "c"] {
            metrics::counter!("peer_messages_total", "peer" => peer).increment(1);
        }
        metrics::gauge!("peer_lag", "peer" => "a").set(1.0);
        metrics::gauge!("peer_lag", "peer" => "b").increment(2.0);
        metrics::gauge!("peer_lag", "peer" => "b").decrement(0.5);
    });
    let out = tests::validate_registry(&registry);
    assert!(out.contains("peer_messages_total{peer=\"a\"} 1\n"), "{out}");
    assert!(out.contains("peer_messages_total{peer=\"b\"} 1\n"), "{out}");
    assert!(!out.contains("peer=\"c\""), "{out}");
    assert!(
        out.contains("peer_messages_total{peer=\"__overflow__\"} 1\n"),
        "{out}"
    );
    assert!(out.contains("metrics_series_overflow_total"), "{out}");
    assert!(out.contains("peer_lag{peer=\"b\"} 1.5\n"), "{out}");
}

#[test]
fn clash_with_declared_family_is_rejected() {
    let (registry, recorder) = setup();
    let desc = promdecl::FamilyDesc::builder("declared_total", promdecl::Kind::Counter, "Declared")
        .build()
        .unwrap();
    let declared: Arc<promdecl::Counter> = registry.register_family(desc).unwrap();
    declared.get_by_values(&[]).unwrap().inc();
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("declared_total", "x" => "y").increment(5);
    });
    let out = tests::validate_registry(&registry);
    assert!(out.contains("declared_total 1\n"), "{out}");
    assert!(
        out.contains("metrics_facade_rejected_total{reason=\"conflict\"} 1\n"),
        "{out}"
    );
}
