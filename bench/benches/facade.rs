//! The `metrics` facade: the same `metrics::counter!`/`histogram!` calls recorded by
//! promdecl-facade and by metrics-exporter-prometheus, side by side, then rendered.
//!
//! `cargo bench -p promdecl-bench --bench facade` (also run by `bash bench/run.sh`).

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, Criterion};
use metrics::{counter, histogram, with_local_recorder, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use promdecl::{Format, Registry};
use promdecl_bench::{paired, peers, BUCKETS, CYCLED, FACADE_RENDER_SERIES};
use promdecl_facade::{Matcher, PromdeclRecorder};

/// The anchor's name in every group.
const ANCHOR: &str = "metrics_exporter_prometheus";

fn ours() -> (PromdeclRecorder, Arc<Registry>) {
    let registry = Arc::new(Registry::new());
    // The default budget is 1,000 series per family: room for every cycled peer.
    let recorder = PromdeclRecorder::new(registry.clone())
        .max_series(2 * CYCLED)
        .buckets_for(Matcher::Suffix("_seconds".into()), &BUCKETS);
    (recorder, registry)
}

fn anchor() -> PrometheusRecorder {
    PrometheusBuilder::new()
        .set_buckets(&BUCKETS)
        .expect("valid buckets")
        .build_recorder()
}

/// Latencies spread over the buckets, as in the histogram benches.
fn latencies() -> Vec<f64> {
    (0..1024)
        .map(|i| 0.0005 * (4.0f64 / 0.0005).powf(i as f64 / 1023.0))
        .collect()
}

/// Times `op` recorded by `recorder`, in Criterion and in the paired run.
fn both<R: Recorder + 'static>(
    c: &mut Criterion,
    case: &str,
    mut op: impl FnMut() + Clone,
    ours: &R,
    anchor: &PrometheusRecorder,
) {
    let mut g = c.benchmark_group(case);
    g.bench_function("ours", |b| with_local_recorder(ours, || b.iter(&mut op)));
    g.bench_function(ANCHOR, |b| with_local_recorder(anchor, || b.iter(&mut op)));
    g.finish();
    let (mut a, mut o) = (op.clone(), op);
    paired::compare(
        case,
        ANCHOR,
        move |n| with_local_recorder(ours, || paired::looped(&mut o)(n)),
        move |n| with_local_recorder(anchor, || paired::looped(&mut a)(n)),
    );
}

fn updates(c: &mut Criterion) {
    let (ours, _registry) = ours();
    let anchor = anchor();
    // The common facade call: static name and label, looked up on every call.
    both(
        c,
        "facade_counter_static_labels",
        || counter!("jobs_total", "queue" => "default").increment(1),
        &ours,
        &anchor,
    );
    // Realistic: the label value is one of 1,000 peer ids the caller holds, so the facade
    // clones the `String` into its key on each call (both sides alike).
    let keys = peers(CYCLED);
    let mut i = 0;
    both(
        c,
        "facade_counter_cycled_1000",
        move || {
            i = (i + 1) % keys.len();
            counter!("messages_total", "peer" => keys[i].clone()).increment(1)
        },
        &ours,
        &anchor,
    );
    let values = latencies();
    let mut j = 0;
    both(
        c,
        "facade_histogram_record",
        move || {
            j = (j + 1) % values.len();
            histogram!("request_seconds", "route" => "/api").record(values[j])
        },
        &ours,
        &anchor,
    );
    // The best case: a handle registered once and kept.
    let ours_handle = with_local_recorder(&ours, || counter!("kept_total"));
    let anchor_handle = with_local_recorder(&anchor, || counter!("kept_total"));
    let mut g = c.benchmark_group("facade_counter_kept_handle");
    g.bench_function("ours", |b| b.iter(|| ours_handle.increment(1)));
    g.bench_function(ANCHOR, |b| b.iter(|| anchor_handle.increment(1)));
    g.finish();
    paired::compare(
        "facade_counter_kept_handle",
        ANCHOR,
        paired::looped(|| ours_handle.increment(1)),
        paired::looped(|| anchor_handle.increment(1)),
    );
}

/// Renders `FACADE_RENDER_SERIES` counter series, each recorded through the facade.
fn render(c: &mut Criterion) {
    let (ours, registry) = ours();
    let anchor = anchor();
    let keys = peers(FACADE_RENDER_SERIES);
    for recorder in [&ours as &dyn Recorder, &anchor] {
        with_local_recorder(recorder, || {
            for k in &keys {
                counter!("messages_total", "peer" => k.clone()).increment(1);
            }
        });
    }
    let handle = anchor.handle();
    let mut g = c.benchmark_group("facade_render");
    g.bench_function("ours", |b| {
        b.iter(|| black_box(registry.encode(Format::Text).len()))
    });
    g.bench_function(ANCHOR, |b| b.iter(|| black_box(handle.render().len())));
    g.finish();
    paired::compare(
        "facade_render",
        ANCHOR,
        paired::looped(|| registry.encode(Format::Text).len()),
        paired::looped(|| handle.render().len()),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = updates, render
}

// `criterion_main!`, plus the paired ratios.
fn main() {
    benches();
    paired::write();
    Criterion::default().configure_from_args().final_summary();
}
