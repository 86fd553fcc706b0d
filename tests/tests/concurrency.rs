//! Writers and scrapers at once: no lost increments, and every scrape is self-consistent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use promdecl::{Counter, Format, Histogram, Metrics, Registry};

#[derive(Metrics)]
struct Load {
    /// Work done
    #[metric(counter, labels = [worker, kind = [read, write]], max_series = 16)]
    work_total: Counter,
    /// Work latency
    #[metric(histogram, labels = [kind = [read, write]], buckets = [0.25, 0.5, 0.75])]
    work_seconds: Histogram,
}

const THREADS: usize = 4;
const PER_THREAD: u64 = 1_000_000;

fn parse(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(k, v)| (k.to_string(), v.parse().unwrap()))
        .collect()
}

fn check_scrape(now: &HashMap<String, f64>, prev: &HashMap<String, f64>) {
    for kind in ["read", "write"] {
        let count = now[&format!("work_seconds_count{{kind=\"{kind}\"}}")];
        let inf = now[&format!("work_seconds_bucket{{kind=\"{kind}\",le=\"+Inf\"}}")];
        assert_eq!(count, inf, "_count equals the +Inf bucket within a scrape");
        let mut last = 0.0;
        for le in ["0.25", "0.5", "0.75", "+Inf"] {
            let b = now[&format!("work_seconds_bucket{{kind=\"{kind}\",le=\"{le}\"}}")];
            assert!(b >= last, "buckets are cumulative");
            last = b;
        }
    }
    for (k, v) in prev {
        if k.starts_with("work_total") || k.contains("_count") {
            assert!(now.get(k).is_some_and(|n| n >= v), "{k} went backwards");
        }
    }
}

#[test]
fn concurrent_updates_are_exact_and_scrapes_consistent() {
    let registry = Arc::new(Registry::new());
    let load = registry.register(Load::new()).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let scraper = {
        let (registry, done) = (registry.clone(), done.clone());
        std::thread::spawn(move || {
            let mut prev = HashMap::new();
            let mut scrapes = 0;
            while !done.load(Ordering::Relaxed) || scrapes == 0 {
                let now = parse(&registry.encode(Format::Text));
                check_scrape(&now, &prev);
                prev = now;
                scrapes += 1;
            }
            scrapes
        })
    };
    let writers: Vec<_> = (0..THREADS)
        .map(|t| {
            let load = load.clone();
            std::thread::spawn(move || {
                let worker = format!("w{}", t % 2); // two threads share each free-form series
                for i in 0..PER_THREAD {
                    let kind = if i % 2 == 0 {
                        load_labels::Kind::Read
                    } else {
                        load_labels::Kind::Write
                    };
                    load.work_total(&worker, kind).inc();
                    load.work_seconds(kind).observe((i % 4) as f64 * 0.25);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Relaxed);
    assert!(scraper.join().unwrap() >= 1);

    let last = parse(&registry.encode(Format::Text));
    let mut total = 0.0;
    for w in ["w0", "w1"] {
        for k in ["read", "write"] {
            let v = last[&format!("work_total{{worker=\"{w}\",kind=\"{k}\"}}")];
            assert_eq!(v, (PER_THREAD as f64 / 2.0) * (THREADS as f64 / 2.0));
            total += v;
        }
    }
    assert_eq!(
        total,
        (THREADS as u64 * PER_THREAD) as f64,
        "no increment lost"
    );
    let observed: f64 = ["read", "write"]
        .iter()
        .map(|k| last[&format!("work_seconds_count{{kind=\"{k}\"}}")])
        .sum();
    assert_eq!(observed, (THREADS as u64 * PER_THREAD) as f64);
}

#[derive(Metrics)]
struct HotLoad {
    /// A counter sharded per thread
    #[metric(counter, labels = [kind: load_labels::Kind])]
    hot_total: promdecl::ShardedCounter,
}

#[test]
fn sharded_counters_lose_no_increments() {
    let hot = Arc::new(HotLoad::new());
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let hot = hot.clone();
            std::thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    hot.hot_total(load_labels::Kind::Write).inc();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let v = promdecl::testing::value(&*hot, "hot_total", &["write"]);
    assert_eq!(v, Some((THREADS as u64 * PER_THREAD) as f64));
    assert!(promdecl::testing::render(&*hot, Format::Text).contains("hot_total{kind=\"read\"} 0\n"));
}

#[derive(Metrics)]
struct Churn {
    /// A counter sharded per thread
    #[metric(counter)]
    churn_total: promdecl::ShardedCounter,
    /// A histogram (per-thread lanes)
    #[metric(histogram, buckets = [1.0, 2.0])]
    churn_seconds: Histogram,
}

#[test]
fn lanes_change_hands_between_short_lived_threads_without_losing_updates() {
    // Waves of more threads than there are owned lanes: owners exit and give their lane back,
    // newcomers take it over, and the rest share the last lane, all while others still write.
    const WAVES: u64 = 30;
    const WIDTH: u64 = 10;
    const EACH: u64 = 20_000;
    let churn = Arc::new(Churn::new());
    for _ in 0..WAVES {
        let threads: Vec<_> = (0..WIDTH)
            .map(|t| {
                let churn = churn.clone();
                std::thread::spawn(move || {
                    for _ in 0..EACH {
                        churn.churn_total().inc();
                        churn.churn_seconds().observe((t % 3) as f64);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
    }
    let n = WAVES * WIDTH * EACH;
    let text = promdecl::testing::render(&*churn, Format::Text);
    let samples = parse(&text);
    assert_eq!(samples["churn_total"], n as f64, "{text}");
    assert_eq!(samples["churn_seconds_count"], n as f64, "{text}");
    // Per wave, threads 0..10 observe t % 3: four 0s, three 1s, three 2s.
    let per_wave_sum = (3 + 3 * 2) as f64 * EACH as f64;
    assert_eq!(samples["churn_seconds_sum"], per_wave_sum * WAVES as f64);
    assert_eq!(
        samples["churn_seconds_bucket{le=\"1.0\"}"],
        (7 * EACH * WAVES) as f64
    );
}
