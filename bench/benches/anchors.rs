//! This framework and the anchors on identical work, side by side in one Criterion run.
//! `bash bench/run.sh` runs this and writes BENCHMARKS.md from the results.
//!
//! Groups: single-thread updates (`counter_inc_*`, `histogram_observe_*`); free-form lookups,
//! best case and realistic (`free_form_same_string`, `free_form_cycled_1000`,
//! `free_form_fresh_string`); thread sweeps at 1 to 16 threads (`threads_*`, timed by each
//! worker, with each total checked against the operations performed and written to
//! `target/criterion/exact_totals.json`); encoding (`encode_*`); and series creation
//! (`first_touch_free_form`, per iteration of `FIRST_TOUCH_SERIES` new series).

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{criterion_group, BatchSize, BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use promdecl::Format;
use promdecl_bench::paired::looped;
use promdecl_bench::{
    criterion_dir, meas, ours, paired, pc, peers, sum_samples, tikv, topics, CYCLED, EXACT_TOTALS,
    FIRST_TOUCH_SERIES, THREADS,
};

fn counters(c: &mut Criterion) {
    let hot = ours::Hot::new();
    let raw = AtomicU64::new(0);
    let raw_slots: Vec<AtomicU64> = (0..12).map(|_| AtomicU64::new(0)).collect();

    let mut g = c.benchmark_group("counter_inc_no_labels");
    g.bench_function("raw_atomic", |b| {
        b.iter(|| black_box(&raw).fetch_add(1, Relaxed))
    });
    g.bench_function("ours", |b| b.iter(|| black_box(&hot).plain_total().inc()));
    let pcc = prometheus_client::metrics::counter::Counter::<u64>::default();
    g.bench_function("prometheus_client", |b| b.iter(|| black_box(&pcc).inc()));
    let tc = tikv::counter();
    g.bench_function("prometheus", |b| b.iter(|| black_box(&tc).inc()));
    let mc = measured::Counter::new();
    g.bench_function("measured", |b| b.iter(|| black_box(&mc).inc()));
    g.finish();

    let mut g = c.benchmark_group("counter_inc_two_enum_labels");
    let raw_op = || {
        black_box(&raw_slots)[black_box(1usize) * 3 + black_box(2usize)].fetch_add(1, Relaxed);
    };
    let ours_op = || {
        black_box(&hot)
            .requests_total(
                black_box(ours::Method::Post),
                black_box(ours::Status::ServerError),
            )
            .inc()
    };
    g.bench_function("raw_atomic", |b| b.iter(raw_op));
    g.bench_function("ours", |b| b.iter(ours_op));
    let pcf = pc::Requests::default();
    g.bench_function("prometheus_client", |b| {
        b.iter(|| {
            let labels = pc::Request {
                method: black_box(pc::Method::Post),
                status: black_box(pc::Status::ServerError),
            };
            black_box(&pcf).get_or_create(&labels).inc()
        })
    });
    let tv = tikv::requests();
    g.bench_function("prometheus_vec", |b| {
        b.iter(|| {
            black_box(&tv)
                .with_label_values(&[black_box("post"), "server_error"])
                .inc()
        })
    });
    let cached = tv.with_label_values(&["post", "server_error"]);
    g.bench_function("prometheus_cached", |b| b.iter(|| black_box(&cached).inc()));
    let mv = meas::requests();
    g.bench_function("measured", |b| {
        b.iter(|| {
            black_box(&mv).inc(meas::Request {
                method: black_box(meas::Method::Post),
                status: black_box(meas::Status::ServerError),
            })
        })
    });
    g.finish();
    paired::compare(
        "counter_inc_two_enum_labels",
        "raw_atomic",
        looped(ours_op),
        looped(raw_op),
    );
}

/// `n` latencies, log-uniform between 0.5 ms and 4 s, from a fixed xorshift sequence.
fn latencies(n: usize) -> Vec<f64> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            0.0005 * (4.0f64 / 0.0005).powf(u)
        })
        .collect()
}

fn histograms(c: &mut Criterion) {
    let hot = ours::Hot::new();
    let v = 0.05;
    let mut g = c.benchmark_group("histogram_observe_no_labels");
    g.bench_function("ours", |b| {
        b.iter(|| black_box(&hot).latency_seconds().observe(black_box(v)))
    });
    let ph = pc::histogram();
    g.bench_function("prometheus_client", |b| {
        b.iter(|| black_box(&ph).observe(black_box(v)))
    });
    let th = tikv::histogram();
    g.bench_function("prometheus", |b| {
        b.iter(|| black_box(&th).observe(black_box(v)))
    });
    let mh = meas::histogram();
    g.bench_function("measured", |b| {
        b.iter(|| black_box(&mh).get_metric().observe(black_box(v)))
    });
    g.finish();

    // Realistic: latencies spread over the buckets (1,024 values, log-uniform from 0.5 ms to
    // 4 s, the same sequence for every library), so a bucket search that branches on the value
    // cannot be predicted as it is when every observation is the same.
    let spread = latencies(1024);
    let mut g = c.benchmark_group("histogram_observe_spread");
    let next = |i: &mut usize| {
        *i = (*i + 1) & 1023;
        spread[*i]
    };
    g.bench_function("ours", |b| {
        let mut i = 0;
        b.iter(|| {
            black_box(&hot)
                .latency_seconds()
                .observe(black_box(next(&mut i)))
        })
    });
    // Native buckets (no anchor has them outside protobuf-only support): alone, and beside
    // the classic ones.
    g.bench_function("ours_native", |b| {
        let mut i = 0;
        b.iter(|| {
            black_box(&hot)
                .native_seconds()
                .observe(black_box(next(&mut i)))
        })
    });
    g.bench_function("ours_classic_and_native", |b| {
        let mut i = 0;
        b.iter(|| {
            black_box(&hot)
                .both_seconds()
                .observe(black_box(next(&mut i)))
        })
    });
    g.bench_function("prometheus_client", |b| {
        let mut i = 0;
        b.iter(|| black_box(&ph).observe(black_box(next(&mut i))))
    });
    g.bench_function("prometheus", |b| {
        let mut i = 0;
        b.iter(|| black_box(&th).observe(black_box(next(&mut i))))
    });
    g.bench_function("measured", |b| {
        let mut i = 0;
        b.iter(|| black_box(&mh).get_metric().observe(black_box(next(&mut i))))
    });
    g.finish();

    // Realistic with labels: a request-latency histogram (method and status, 12 series), the
    // label values and the latencies both varying call to call, in the same sequence for every
    // library.
    let requests: Vec<(usize, usize, f64)> = (0..1024)
        .map(|i| (i % 4, (i / 4) % 3, spread[(i * 7) & 1023]))
        .collect();
    let next = |i: &mut usize| {
        *i = (*i + 1) & 1023;
        requests[*i]
    };
    let mut g = c.benchmark_group("histogram_observe_labelled_spread");
    let ours_observe;
    {
        use ours::{Method as M, Status as S};
        let (methods, statuses) = (
            [M::Get, M::Post, M::Put, M::Delete],
            [S::Ok, S::ClientError, S::ServerError],
        );
        let hot = &hot;
        ours_observe = move || {
            let mut i = 0;
            move || {
                let (m, s, v) = next(&mut i);
                black_box(hot)
                    .request_seconds(methods[m], statuses[s])
                    .observe(black_box(v))
            }
        };
        g.bench_function("ours", |b| b.iter(ours_observe()));
    }
    let pf = pc::histogram_family();
    let pc_observe = {
        use pc::{Method as M, Status as S};
        let (methods, statuses) = (
            [M::Get, M::Post, M::Put, M::Delete],
            [S::Ok, S::ClientError, S::ServerError],
        );
        let pf = &pf;
        move || {
            let mut i = 0;
            move || {
                let (m, s, v) = next(&mut i);
                black_box(pf)
                    .get_or_create(&pc::Request {
                        method: methods[m],
                        status: statuses[s],
                    })
                    .observe(black_box(v))
            }
        }
    };
    g.bench_function("prometheus_client", |b| b.iter(pc_observe()));
    let tv = tikv::histogram_vec();
    {
        let (methods, statuses) = (
            ["get", "post", "put", "delete"],
            ["ok", "client_error", "server_error"],
        );
        g.bench_function("prometheus_vec", |b| {
            let mut i = 0;
            b.iter(|| {
                let (m, s, v) = next(&mut i);
                black_box(&tv)
                    .with_label_values(&[methods[m], statuses[s]])
                    .observe(black_box(v))
            })
        });
    }
    let mv = meas::histogram_vec();
    {
        use meas::{Method as M, Status as S};
        let (methods, statuses) = (
            [M::Get, M::Post, M::Put, M::Delete],
            [S::Ok, S::ClientError, S::ServerError],
        );
        g.bench_function("measured", |b| {
            let mut i = 0;
            b.iter(|| {
                let (m, s, v) = next(&mut i);
                black_box(&mv).observe(
                    meas::Request {
                        method: methods[m],
                        status: statuses[s],
                    },
                    black_box(v),
                )
            })
        });
    }
    g.finish();
    paired::compare(
        "histogram_observe_labelled_spread",
        "prometheus_client",
        looped(ours_observe()),
        looped(pc_observe()),
    );
}

/// Free-form lookups of an existing series (a counter with a free-form `peer` and an
/// enumerated `direction`), best case and realistic side by side. Every series is created
/// before timing.
fn free_form(c: &mut Criterion) {
    let peers = peers(CYCLED);
    let hot = ours::Hot::new();
    let pcm = pc::Messages::default();
    // prometheus-client takes an owned label set: built beforehand, so it is not charged for
    // building keys (except in `free_form_fresh_string`, where every library gets a new String).
    let pc_keys: Vec<pc::Message> = peers
        .iter()
        .map(|p| pc::Message {
            topic: p.clone(),
            direction: pc::Direction::Sent,
        })
        .collect();
    let tm = tikv::messages();
    let mm = meas::messages();
    fn meas_key(p: &str) -> meas::Message<'_> {
        meas::Message {
            topic: p,
            direction: meas::Direction::Sent,
        }
    }
    for (p, k) in peers.iter().zip(&pc_keys) {
        hot.messages_total(p, ours::Direction::Sent).inc();
        pcm.get_or_create(k).inc();
        tm.with_label_values(&[p.as_str(), "sent"]).inc();
        mm.inc(meas_key(p));
    }
    let next = |i: &mut usize| {
        *i += 1;
        if *i == CYCLED {
            *i = 0;
        }
        *i
    };

    // Best case: the same String (same address, same text) every call.
    let mut g = c.benchmark_group("free_form_same_string");
    let (p, k) = (&peers[0], &pc_keys[0]);
    g.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&hot)
                .messages_total(black_box(p), ours::Direction::Sent)
                .inc()
        })
    });
    g.bench_function("prometheus_client", |b| {
        b.iter(|| black_box(&pcm).get_or_create(black_box(k)).inc())
    });
    g.bench_function("prometheus", |b| {
        b.iter(|| {
            black_box(&tm)
                .with_label_values(&[black_box(p.as_str()), "sent"])
                .inc()
        })
    });
    g.bench_function("measured", |b| {
        b.iter(|| black_box(&mm).inc(meas_key(black_box(p))))
    });
    g.finish();

    // Realistic: 1,000 distinct peer ids, held by the caller, cycled in order.
    let mut g = c.benchmark_group("free_form_cycled_1000");
    // Borrowed, so each factory below can make as many ops as it is asked for.
    let (hot, pcm, mm, peers, pc_keys) = (&hot, &pcm, &mm, &peers, &pc_keys);
    let ours_cycled = || {
        let mut i = 0;
        move || {
            black_box(&hot)
                .messages_total(black_box(&peers[next(&mut i)]), ours::Direction::Sent)
                .inc()
        }
    };
    let pc_cycled = || {
        let mut i = 0;
        move || {
            black_box(&pcm)
                .get_or_create(black_box(&pc_keys[next(&mut i)]))
                .inc()
        }
    };
    let meas_cycled = || {
        let mut i = 0;
        move || black_box(&mm).inc(meas_key(black_box(&peers[next(&mut i)])))
    };
    g.bench_function("ours", |b| b.iter(ours_cycled()));
    g.bench_function("prometheus_client", |b| b.iter(pc_cycled()));
    g.bench_function("prometheus", |b| {
        let mut i = 0;
        b.iter(|| {
            black_box(&tm)
                .with_label_values(&[black_box(peers[next(&mut i)].as_str()), "sent"])
                .inc()
        })
    });
    g.bench_function("measured", |b| b.iter(meas_cycled()));
    g.finish();
    let case = "free_form_cycled_1000";
    let (ours, pc) = (looped(ours_cycled()), looped(pc_cycled()));
    paired::compare(case, "prometheus_client", ours, pc);
    let (ours, meas) = (looped(ours_cycled()), looped(meas_cycled()));
    paired::compare(case, "measured", ours, meas);

    // A fresh String per call (a clone of one of the 1,000, made and dropped in the loop).
    let mut g = c.benchmark_group("free_form_fresh_string");
    g.bench_function("ours", |b| {
        let mut i = 0;
        b.iter(|| {
            let s = black_box(peers[next(&mut i)].clone());
            black_box(&hot)
                .messages_total(&s, ours::Direction::Sent)
                .inc()
        })
    });
    g.bench_function("prometheus_client", |b| {
        let mut i = 0;
        b.iter(|| {
            let key = pc::Message {
                topic: black_box(peers[next(&mut i)].clone()),
                direction: pc::Direction::Sent,
            };
            black_box(&pcm).get_or_create(&key).inc()
        })
    });
    g.bench_function("prometheus", |b| {
        let mut i = 0;
        b.iter(|| {
            let s = black_box(peers[next(&mut i)].clone());
            black_box(&tm)
                .with_label_values(&[s.as_str(), "sent"])
                .inc()
        })
    });
    g.bench_function("measured", |b| {
        let mut i = 0;
        b.iter(|| {
            let s = black_box(peers[next(&mut i)].clone());
            black_box(&mm).inc(meas_key(&s))
        })
    });
    g.finish();
}

/// Runs `op(thread, i)` for `i` in `0..iters` on each of `n` threads at once. Each worker takes
/// its own start time after a common barrier and its own elapsed time after its loop; the
/// slowest worker's is returned, so Criterion's time per iteration is the time per operation
/// per thread.
fn threads<F: Fn(usize, u64) + Sync>(n: usize, iters: u64, op: &F) -> Duration {
    let barrier = Barrier::new(n);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..n)
            .map(|t| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for i in 0..iters {
                        op(t, i);
                    }
                    start.elapsed()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("sweep worker panicked"))
            .max()
            .unwrap_or_default()
    })
}

/// Each sweep bench's operations performed (over every call Criterion made) and the total read
/// back from its metric afterwards, by `<group>/<implementation>/<threads>`.
static EXACT: Mutex<BTreeMap<String, (u64, u64)>> = Mutex::new(BTreeMap::new());

/// One sweep bench: `op` on `n` threads, on a metric of its own; afterwards `total` reads the
/// metric's total (counts, or histogram observation counts), recorded beside the number of
/// operations performed.
fn sweep<F: Fn(usize, u64) + Sync>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    group: &str,
    name: &str,
    n: usize,
    op: F,
    total: impl FnOnce() -> u64,
) {
    let ops = AtomicU64::new(0);
    g.bench_with_input(BenchmarkId::new(name, n), &n, |b, &n| {
        b.iter_custom(|iters| {
            ops.fetch_add(iters * n as u64, Relaxed);
            threads(n, iters, &op)
        })
    });
    let ops = ops.into_inner();
    // Zero when a filter skipped this bench.
    if ops > 0 {
        let got = total();
        EXACT
            .lock()
            .unwrap()
            .insert(format!("{group}/{name}/{n}"), (ops, got));
    }
}

/// A sweep group: short, since it holds every implementation at every thread count.
fn sweep_group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500));
    g
}

fn thread_sweeps(c: &mut Criterion) {
    use ours::{Method::Get, Status::Ok};
    let v = |i: u64| (i % 16) as f64 * 0.01;
    let sum = |n: usize, f: &dyn Fn(usize) -> u64| (0..n).map(f).sum::<u64>();
    let pc_count = |text: String| sum_samples(&text, "m_count") as u64;

    let group = "threads_counter_same_series";
    let mut g = sweep_group(c, group);
    for n in THREADS {
        let raw = AtomicU64::new(0);
        let op = |_, _| {
            raw.fetch_add(1, Relaxed);
        };
        sweep(&mut g, group, "raw_atomic", n, op, || raw.load(Relaxed));
        let hot = ours::Hot::new();
        let op = |_, _| hot.requests_total(Get, Ok).inc();
        sweep(&mut g, group, "ours", n, op, || {
            hot.requests_total(Get, Ok).get()
        });
        let op = |_, _| hot.sharded_total(Get, Ok).inc();
        sweep(&mut g, group, "ours_sharded", n, op, || {
            hot.sharded_total(Get, Ok).get()
        });
        let pcf = pc::Requests::default();
        let key = pc::Request {
            method: pc::Method::Get,
            status: pc::Status::Ok,
        };
        let op = |_, _| {
            pcf.get_or_create(&key).inc();
        };
        sweep(&mut g, group, "prometheus_client", n, op, || {
            pcf.get_or_create(&key).get()
        });
        // What a `prometheus` user holds: the counter, looked up once.
        let tc = tikv::counter();
        sweep(&mut g, group, "prometheus", n, |_, _| tc.inc(), || tc.get());
        let mv = meas::requests();
        let key = meas::Request {
            method: meas::Method::Get,
            status: meas::Status::Ok,
        };
        sweep(
            &mut g,
            group,
            "measured",
            n,
            |_, _| mv.inc(key),
            || meas::counter_vec_value(&mv, key),
        );
    }
    g.finish();

    // Each thread its own series: an enumerated label with a value per thread.
    let group = "threads_counter_different_series";
    let mut g = sweep_group(c, group);
    for n in THREADS {
        let hot = ours::Hot::new();
        let op = |t, _| hot.worker_total(ours::WORKERS[t]).inc();
        sweep(&mut g, group, "ours", n, op, || {
            sum(n, &|t| hot.worker_total(ours::WORKERS[t]).get())
        });
        let pcf = pc::Workers::default();
        let keys: Vec<pc::WorkerLabel> = pc::WORKERS
            .iter()
            .map(|&worker| pc::WorkerLabel { worker })
            .collect();
        let op = |t, _| {
            pcf.get_or_create(&keys[t]).inc();
        };
        sweep(&mut g, group, "prometheus_client", n, op, || {
            sum(n, &|t| pcf.get_or_create(&keys[t]).get())
        });
        let mv = meas::workers();
        let key = |t: usize| meas::WorkerLabel {
            worker: meas::WORKERS[t],
        };
        sweep(
            &mut g,
            group,
            "measured",
            n,
            |t, _| mv.inc(key(t)),
            || sum(n, &|t| meas::counter_vec_value(&mv, key(t))),
        );
    }
    g.finish();

    let group = "threads_histogram_same_series";
    let mut g = sweep_group(c, group);
    for n in THREADS {
        let hot = ours::Hot::new();
        let op = |_, i| hot.latency_seconds().observe(v(i));
        sweep(&mut g, group, "ours", n, op, || {
            hot.latency_seconds().count()
        });
        let ph = pc::histogram();
        // prometheus-client has no count getter outside its `test-util` feature: its text.
        sweep(
            &mut g,
            group,
            "prometheus_client",
            n,
            |_, i| ph.observe(v(i)),
            || pc_count(pc::text(ph.clone())),
        );
        let th = tikv::histogram();
        sweep(
            &mut g,
            group,
            "prometheus",
            n,
            |_, i| th.observe(v(i)),
            || th.get_sample_count(),
        );
        let mh = meas::histogram();
        sweep(
            &mut g,
            group,
            "measured",
            n,
            |_, i| mh.observe(v(i)),
            || meas::histogram_count(&mh.get_metric()),
        );
    }
    g.finish();

    // Each thread its own series: one free-form label, a peer id per thread held by it.
    let group = "threads_histogram_different_series";
    let names = peers(16);
    let mut g = sweep_group(c, group);
    for n in THREADS {
        let hot = ours::Hot::new();
        let op = |t: usize, i| hot.peer_seconds(&names[t]).observe(v(i));
        sweep(&mut g, group, "ours", n, op, || {
            sum(n, &|t| hot.peer_seconds(&names[t]).count())
        });
        let pf = pc::topic_histograms();
        let keys: Vec<pc::Topic> = names
            .iter()
            .map(|p| pc::Topic { topic: p.clone() })
            .collect();
        let op = |t, i| pf.get_or_create(&keys[t]).observe(v(i));
        sweep(&mut g, group, "prometheus_client", n, op, || {
            pc_count(pc::text(pf.clone()))
        });
        let mv = meas::topic_histograms();
        let key = |t: usize| meas::Topic { topic: &names[t] };
        sweep(
            &mut g,
            group,
            "measured",
            n,
            |t, i| mv.observe(key(t), v(i)),
            || {
                sum(n, &|t| {
                    meas::histogram_count(&mv.get_metric(mv.with_labels(key(t))))
                })
            },
        );
    }
    g.finish();
}

/// Merges this run's exact-total checks into `target/criterion/exact_totals.json`.
fn write_exact_totals() {
    let exact = EXACT.lock().unwrap();
    if exact.is_empty() {
        return;
    }
    let dir = criterion_dir();
    let path = dir.join(EXACT_TOTALS);
    let mut all: serde_json::Map<String, serde_json::Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    for (key, (expected, got)) in exact.iter() {
        all.insert(
            key.clone(),
            serde_json::json!({ "expected": expected, "got": got }),
        );
    }
    let wrong = exact.values().filter(|(e, g)| e != g).count();
    std::fs::create_dir_all(&dir).unwrap();
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(all)).unwrap();
    std::fs::write(&path, text).unwrap();
    eprintln!(
        "exact totals: {} checked, {wrong} wrong; written to {}",
        exact.len(),
        path.display()
    );
}

fn encoding(c: &mut Criterion) {
    for n in [10_000usize, 100_000] {
        let topics = topics(n);
        let mut g = c.benchmark_group(format!("encode_{n}_series"));
        g.throughput(Throughput::Elements(n as u64));
        if n >= 100_000 {
            g.sample_size(10);
        }
        let w = ours::wide(&topics);
        let mut out = String::new();
        g.bench_function("ours_text", |b| {
            b.iter(|| {
                out.clear();
                promdecl::testing::render_into(&w, Format::Text, &mut out);
                black_box(out.len())
            })
        });
        g.bench_function("ours_openmetrics", |b| {
            b.iter(|| {
                out.clear();
                promdecl::testing::render_into(&w, Format::OpenMetrics, &mut out);
                black_box(out.len())
            })
        });
        let registry = pc::wide(&topics);
        g.bench_function("prometheus_client_text", |b| {
            b.iter(|| {
                out.clear();
                prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
                black_box(out.len())
            })
        });
        let mw = meas::wide(&topics);
        let mut enc = measured::text::BufferedTextEncoder::new();
        g.bench_function("measured_text", |b| {
            b.iter(|| {
                measured::MetricGroup::collect_group_into(&mw, &mut enc).unwrap();
                black_box(enc.finish().len())
            })
        });
        g.finish();
    }
}

/// Creating new series: each iteration makes `FIRST_TOUCH_SERIES` new free-form series (distinct
/// peer ids) in a new family, so the report divides its time by that number. Family creation
/// and the drop are outside the timing.
fn first_touch(c: &mut Criterion) {
    let keys = peers(FIRST_TOUCH_SERIES);
    let mut g = c.benchmark_group("first_touch_free_form");
    let fill_ours = |m: &ours::Messages| {
        for k in &keys {
            m.messages_total(k, ours::Direction::Sent).inc();
        }
    };
    let fill_meas = |f: &measured::CounterVec<meas::MessageSet>| {
        for k in &keys {
            f.inc(meas::Message {
                topic: k,
                direction: meas::Direction::Sent,
            });
        }
    };
    g.bench_function("ours", |b| {
        b.iter_batched(
            ours::Messages::new,
            |m| {
                fill_ours(&m);
                m
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("prometheus_client", |b| {
        b.iter_batched(
            pc::Messages::default,
            |f| {
                for k in &keys {
                    f.get_or_create(&pc::Message {
                        topic: k.clone(),
                        direction: pc::Direction::Sent,
                    })
                    .inc();
                }
                f
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("prometheus_vec", |b| {
        b.iter_batched(
            tikv::messages,
            |f| {
                for k in &keys {
                    f.with_label_values(&[k.as_str(), "sent"]).inc();
                }
                f
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("measured", |b| {
        b.iter_batched(
            meas::messages,
            |f| {
                fill_meas(&f);
                f
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
    paired::compare(
        "first_touch_free_form",
        "measured",
        paired::batched(ours::Messages::new, fill_ours),
        paired::batched(meas::messages, fill_meas),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = counters, histograms, free_form, thread_sweeps, encoding, first_touch
}

// `criterion_main!`, plus the exact totals written once every group has run.
fn main() {
    benches();
    write_exact_totals();
    paired::write();
    Criterion::default().configure_from_args().final_summary();
}
