//! This framework and the anchors on identical work, side by side in one Criterion run.
//! `bash bench/run.sh` runs this and writes BENCHMARKS.md from the results.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use promdecl::Format;
use promdecl_bench::{meas, ours, pc, tikv, topics};

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
    g.bench_function("raw_atomic", |b| {
        b.iter(|| {
            black_box(&raw_slots)[black_box(1usize) * 3 + black_box(2usize)].fetch_add(1, Relaxed)
        })
    });
    g.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&hot)
                .requests_total(
                    black_box(ours::Method::Post),
                    black_box(ours::Status::ServerError),
                )
                .inc()
        })
    });
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

    // A hit on an existing free-form series; every library's key is built outside the loop
    // where its API allows (prometheus-client needs an owned String key).
    let mut g = c.benchmark_group("counter_inc_free_form_hit");
    let topic = String::from("CHORUS/tasks/v1");
    hot.messages_total(&topic, ours::Direction::Sent).inc();
    g.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&hot)
                .messages_total(black_box(&topic), ours::Direction::Sent)
                .inc()
        })
    });
    // The same text from 1024 places in turn: the per-thread memo (keyed by address) misses, so
    // this is the hash and index path every string at a new address takes.
    let copies: Vec<String> = (0..1024).map(|_| topic.clone()).collect();
    let mut next = 0;
    g.bench_function("ours_memo_miss", |b| {
        b.iter(|| {
            next = (next + 1) % copies.len();
            black_box(&hot)
                .messages_total(black_box(&copies[next]), ours::Direction::Sent)
                .inc()
        })
    });
    let pcm = pc::Messages::default();
    let key = pc::Message {
        topic: topic.clone(),
        direction: pc::Direction::Sent,
    };
    g.bench_function("prometheus_client", |b| {
        b.iter(|| black_box(&pcm).get_or_create(black_box(&key)).inc())
    });
    let tm = tikv::messages();
    g.bench_function("prometheus_vec", |b| {
        b.iter(|| {
            black_box(&tm)
                .with_label_values(&[black_box(topic.as_str()), "sent"])
                .inc()
        })
    });
    let mm = meas::messages();
    mm.inc(meas::Message {
        topic: &topic,
        direction: meas::Direction::Sent,
    });
    g.bench_function("measured", |b| {
        b.iter(|| {
            black_box(&mm).inc(meas::Message {
                topic: black_box(&topic),
                direction: meas::Direction::Sent,
            })
        })
    });
    g.finish();
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

    let mut g = c.benchmark_group("histogram_observe_two_enum_labels");
    g.bench_function("ours", |b| {
        b.iter(|| {
            black_box(&hot)
                .request_seconds(black_box(ours::Method::Get), ours::Status::Ok)
                .observe(black_box(v))
        })
    });
    let pf = pc::histogram_family();
    g.bench_function("prometheus_client", |b| {
        b.iter(|| {
            black_box(&pf)
                .get_or_create(&pc::Request {
                    method: black_box(pc::Method::Get),
                    status: pc::Status::Ok,
                })
                .observe(black_box(v))
        })
    });
    let tv = tikv::histogram_vec();
    g.bench_function("prometheus_vec", |b| {
        b.iter(|| {
            black_box(&tv)
                .with_label_values(&[black_box("get"), "ok"])
                .observe(black_box(v))
        })
    });
    let mv = meas::histogram_vec();
    g.bench_function("measured", |b| {
        b.iter(|| {
            black_box(&mv).observe(
                meas::Request {
                    method: black_box(meas::Method::Get),
                    status: meas::Status::Ok,
                },
                black_box(v),
            )
        })
    });
    g.finish();
}

/// Runs `op(thread, i)` `iters` times on each of two threads at once; the wall time is the time
/// per operation per thread.
fn two_threads(iters: u64, op: &(dyn Fn(usize, u64) + Sync)) -> Duration {
    let barrier = Barrier::new(3);
    std::thread::scope(|s| {
        for t in 0..2 {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                for i in 0..iters {
                    op(t, i);
                }
            });
        }
        barrier.wait();
        Instant::now()
    })
    .elapsed()
}

fn contended(c: &mut Criterion) {
    let hot = ours::Hot::new();
    let raw = AtomicU64::new(0);
    let method = |t: usize| {
        if t == 0 {
            ours::Method::Get
        } else {
            ours::Method::Put
        }
    };

    let mut g = c.benchmark_group("contended_counter_same_series");
    g.bench_function("raw_atomic", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|_, _| {
                raw.fetch_add(1, Relaxed);
            })
        })
    });
    g.bench_function("ours", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|_, _| {
                hot.requests_total(ours::Method::Get, ours::Status::Ok)
                    .inc()
            })
        })
    });
    g.bench_function("ours_sharded", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|_, _| {
                hot.sharded_total(ours::Method::Get, ours::Status::Ok).inc()
            })
        })
    });
    let pcf = pc::Requests::default();
    let key = pc::Request {
        method: pc::Method::Get,
        status: pc::Status::Ok,
    };
    g.bench_function("prometheus_client", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|_, _| {
                pcf.get_or_create(&key).inc();
            })
        })
    });
    let tv = tikv::requests();
    let cached = tv.with_label_values(&["get", "ok"]);
    g.bench_function("prometheus_cached", |b| {
        b.iter_custom(|n| two_threads(n, &|_, _| cached.inc()))
    });
    let mv = meas::requests();
    g.bench_function("measured", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|_, _| {
                mv.inc(meas::Request {
                    method: meas::Method::Get,
                    status: meas::Status::Ok,
                })
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("contended_counter_different_series");
    g.bench_function("ours", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|t, _| {
                hot.requests_total(method(t), ours::Status::Ok).inc()
            })
        })
    });
    let pm = |t: usize| pc::Request {
        method: if t == 0 {
            pc::Method::Get
        } else {
            pc::Method::Put
        },
        status: pc::Status::Ok,
    };
    g.bench_function("prometheus_client", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|t, _| {
                pcf.get_or_create(&pm(t)).inc();
            })
        })
    });
    let mm = |t: usize| meas::Request {
        method: if t == 0 {
            meas::Method::Get
        } else {
            meas::Method::Put
        },
        status: meas::Status::Ok,
    };
    g.bench_function("measured", |b| {
        b.iter_custom(|n| two_threads(n, &|t, _| mv.inc(mm(t))))
    });
    g.finish();

    let v = |i: u64| (i % 16) as f64 * 0.01;
    let mut g = c.benchmark_group("contended_histogram_same_series");
    g.bench_function("ours", |b| {
        b.iter_custom(|n| two_threads(n, &|_, i| hot.latency_seconds().observe(v(i))))
    });
    let ph = pc::histogram();
    g.bench_function("prometheus_client", |b| {
        b.iter_custom(|n| two_threads(n, &|_, i| ph.observe(v(i))))
    });
    let th = tikv::histogram();
    g.bench_function("prometheus", |b| {
        b.iter_custom(|n| two_threads(n, &|_, i| th.observe(v(i))))
    });
    let mh = meas::histogram();
    g.bench_function("measured", |b| {
        b.iter_custom(|n| two_threads(n, &|_, i| mh.get_metric().observe(v(i))))
    });
    g.finish();

    let mut g = c.benchmark_group("contended_histogram_different_series");
    g.bench_function("ours", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|t, i| {
                hot.request_seconds(method(t), ours::Status::Ok)
                    .observe(v(i))
            })
        })
    });
    let pf = pc::histogram_family();
    g.bench_function("prometheus_client", |b| {
        b.iter_custom(|n| {
            two_threads(n, &|t, i| {
                pf.get_or_create(&pm(t)).observe(v(i));
            })
        })
    });
    let hv = meas::histogram_vec();
    g.bench_function("measured", |b| {
        b.iter_custom(|n| two_threads(n, &|t, i| hv.observe(mm(t), v(i))))
    });
    g.finish();
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

fn first_touch(c: &mut Criterion) {
    let keys = topics(100_000);
    let mut g = c.benchmark_group("first_touch_free_form");
    g.bench_function("ours", |b| {
        b.iter_batched(
            ours::Hot::new,
            |hot| {
                for k in &keys[..1000] {
                    hot.messages_total(k, ours::Direction::Sent).inc();
                }
                hot
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("prometheus_client", |b| {
        b.iter_batched(
            pc::Messages::default,
            |f| {
                for k in &keys[..1000] {
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
                for k in &keys[..1000] {
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
                for k in &keys[..1000] {
                    f.inc(meas::Message {
                        topic: k,
                        direction: meas::Direction::Sent,
                    });
                }
                f
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_millis(3000))
        .sample_size(50)
        .without_plots()
}

criterion_group! { name = benches; config = config(); targets = counters, histograms, contended, encoding, first_touch }
criterion_main!(benches);
