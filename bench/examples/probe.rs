//! Scratch loop for profiling one hot path under callgrind: `probe [iterations]`.
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let hot = metrics_bench::ours::Hot::new();
    let topic = String::from("CHORUS/tasks/v1");
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000_000);
    let t = Instant::now();
    for _ in 0..n {
        black_box(&hot).messages_total(black_box(&topic), metrics_bench::ours::Direction::Sent).inc();
    }
    println!("free-form hit {:.2} ns", t.elapsed().as_nanos() as f64 / n as f64);
    let t = Instant::now();
    for _ in 0..n {
        black_box(&hot).latency_seconds().observe(black_box(0.05));
    }
    println!("histogram observe {:.2} ns", t.elapsed().as_nanos() as f64 / n as f64);
}
