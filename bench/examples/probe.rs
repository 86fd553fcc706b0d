//! Scratch loop for profiling one hot path under callgrind:
//! `probe [iterations] [free|miss|cycled|first|contended|encode|histogram]`.
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let hot = promdecl_bench::ours::Hot::new();
    let topic = String::from("CHORUS/tasks/v1");
    let mut args = std::env::args().skip(1);
    let n: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000_000);
    let only = args.next();
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if run("free") {
        let t = Instant::now();
        for _ in 0..n {
            black_box(&hot)
                .messages_total(black_box(&topic), promdecl_bench::ours::Direction::Sent)
                .inc();
        }
        println!(
            "free-form hit {:.2} ns",
            t.elapsed().as_nanos() as f64 / n as f64
        );
    }
    if run("miss") {
        // Same text from 1024 addresses in turn: the memo misses, the index answers.
        let copies: Vec<String> = (0..1024).map(|_| topic.clone()).collect();
        let t = Instant::now();
        for i in 0..n as usize {
            black_box(&hot)
                .messages_total(
                    black_box(&copies[i % 1024]),
                    promdecl_bench::ours::Direction::Sent,
                )
                .inc();
        }
        println!(
            "memo miss {:.2} ns",
            t.elapsed().as_nanos() as f64 / n as f64
        );
    }
    if run("cycled") {
        // The realistic free-form lookup (`free_form_cycled_1000`): distinct peer ids in turn.
        let peers = promdecl_bench::peers(promdecl_bench::CYCLED);
        for p in &peers {
            hot.messages_total(p, promdecl_bench::ours::Direction::Sent)
                .inc();
        }
        let t = Instant::now();
        for i in 0..n as usize {
            black_box(&hot)
                .messages_total(
                    black_box(&peers[i % peers.len()]),
                    promdecl_bench::ours::Direction::Sent,
                )
                .inc();
        }
        println!(
            "1,000 cycled peer ids {:.2} ns",
            t.elapsed().as_nanos() as f64 / n as f64
        );
    }
    if run("first") {
        // New series in a new family, up to its budget (200,000) so none folds into overflow.
        let fresh = promdecl_bench::ours::Hot::new();
        let keys = promdecl_bench::peers((n as usize).min(200_000));
        let t = Instant::now();
        for k in &keys {
            fresh
                .messages_total(k, promdecl_bench::ours::Direction::Sent)
                .inc();
        }
        println!(
            "first touch {:.2} ns",
            t.elapsed().as_nanos() as f64 / keys.len() as f64
        );
    }
    if run("contended") {
        // Two threads on one histogram at once.
        for _ in 0..3 {
            let t = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        for _ in 0..n {
                            black_box(&hot).latency_seconds().observe(black_box(0.05));
                        }
                    });
                }
            });
            println!(
                "2 threads, same histogram {:.2} ns",
                t.elapsed().as_nanos() as f64 / n as f64
            );
        }
    }
    if run("encode") {
        let wide = promdecl_bench::ours::wide(&promdecl_bench::topics(10_000));
        let rounds = (n / 10_000).max(1);
        let t = Instant::now();
        for _ in 0..rounds {
            black_box(promdecl::testing::render(&wide, promdecl::Format::Text));
        }
        println!(
            "encode {:.2} ns per series",
            t.elapsed().as_nanos() as f64 / (rounds * 10_000) as f64
        );
    }
    if run("histogram") {
        let t = Instant::now();
        for _ in 0..n {
            black_box(&hot).latency_seconds().observe(black_box(0.05));
        }
        println!(
            "histogram observe {:.2} ns",
            t.elapsed().as_nanos() as f64 / n as f64
        );
    }
}
