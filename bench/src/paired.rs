//! Paired ratios: ours and one anchor timed in alternating short blocks, so load from elsewhere
//! on the machine hits both sides of every ratio. Criterion times each implementation in a
//! window of its own, and on a shared machine the windows can differ by 20%; the targets are
//! judged on these ratios, Criterion's medians shown beside them.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The file, in [`crate::criterion_dir`], with every paired ratio of the last run:
/// `{"<case>/<anchor>": {"ratio": r, "low": q1, "high": q3, "rounds": n}}`, `ratio` being the
/// median over rounds of the anchor's time over ours (above 1: ours is faster).
pub const PAIRED: &str = "paired.json";

/// Rounds per pair; each times one block of each side, in alternating order.
pub const ROUNDS: usize = 31;
/// About how long one block runs.
const BLOCK: Duration = Duration::from_millis(15);

/// A timed workload: runs `n` iterations and returns the time they took (setup excluded).
pub trait Timed: FnMut(u64) -> Duration {}
impl<F: FnMut(u64) -> Duration> Timed for F {}

/// `op` in a timed loop.
pub fn looped<R>(mut op: impl FnMut() -> R) -> impl Timed {
    move |n| {
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(op());
        }
        start.elapsed()
    }
}

/// `fill` timed on a new `make()` each iteration; making and dropping it are not timed.
pub fn batched<T>(mut make: impl FnMut() -> T, mut fill: impl FnMut(&T)) -> impl Timed {
    move |n| {
        (0..n)
            .map(|_| {
                let fresh = make();
                let start = Instant::now();
                fill(&fresh);
                let took = start.elapsed();
                drop(std::hint::black_box(fresh));
                took
            })
            .sum()
    }
}

/// Median and quartiles of the anchor-over-ours ratios.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    pub ratio: f64,
    pub low: f64,
    pub high: f64,
}

static RESULTS: Mutex<BTreeMap<String, Ratio>> = Mutex::new(BTreeMap::new());

/// Whether the bench's command line (Criterion's filters, `a|b` alternatives as substrings)
/// selects `case`.
fn wanted(case: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    filters.is_empty()
        || filters
            .iter()
            .any(|f| f.split('|').any(|part| case.contains(part)))
}

/// Times `ours` against `anchor` in alternating blocks and records the ratio as
/// `<case>/<anchor_name>`.
pub fn compare(case: &str, anchor_name: &str, mut ours: impl Timed, mut anchor: impl Timed) {
    if !wanted(case) {
        return;
    }
    // Iterations per block, from a short trial of each side (warming both up).
    let per_block = |timed: &mut dyn FnMut(u64) -> Duration| {
        let mut n = 1u64;
        loop {
            let took = timed(n);
            if took >= BLOCK / 8 || n >= 1 << 30 {
                let scale = BLOCK.as_secs_f64() / took.as_secs_f64().max(1e-9);
                return ((n as f64 * scale) as u64).max(1);
            }
            n *= 2;
        }
    };
    let (n_ours, n_anchor) = (per_block(&mut ours), per_block(&mut anchor));
    let per = |d: Duration, n: u64| d.as_secs_f64() * 1e9 / n as f64;
    let mut times: Vec<(f64, f64)> = (0..ROUNDS)
        .map(|round| {
            let (a, o) = if round % 2 == 0 {
                let o = ours(n_ours);
                (anchor(n_anchor), o)
            } else {
                let a = anchor(n_anchor);
                (a, ours(n_ours))
            };
            (per(o, n_ours), per(a, n_anchor))
        })
        .collect();
    let mut ratios: Vec<f64> = times.iter().map(|(o, a)| a / o).collect();
    ratios.sort_by(f64::total_cmp);
    times.sort_by(|x, y| x.0.total_cmp(&y.0));
    let ours_ns = times[ROUNDS / 2].0;
    times.sort_by(|x, y| x.1.total_cmp(&y.1));
    let anchor_ns = times[ROUNDS / 2].1;
    let at = |q: usize| ratios[(ROUNDS - 1) * q / 4];
    let ratio = Ratio {
        ratio: at(2),
        low: at(1),
        high: at(3),
    };
    eprintln!(
        "paired {case}: {anchor_name} / ours = {:.2} (quartiles {:.2}-{:.2}; medians {anchor_ns:.1} \
         and {ours_ns:.1} ns per iteration)",
        ratio.ratio, ratio.low, ratio.high
    );
    RESULTS
        .lock()
        .unwrap()
        .insert(format!("{case}/{anchor_name}"), ratio);
}

/// Merges this run's ratios into [`PAIRED`].
pub fn write() {
    let results = RESULTS.lock().unwrap();
    if results.is_empty() {
        return;
    }
    let path = crate::criterion_dir().join(PAIRED);
    let mut all: serde_json::Map<String, serde_json::Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    for (key, r) in results.iter() {
        all.insert(
            key.clone(),
            serde_json::json!({ "ratio": r.ratio, "low": r.low, "high": r.high, "rounds": ROUNDS }),
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&all).unwrap()).unwrap();
}

/// The ratios of the last run, as [`write`] left them.
pub fn read() -> BTreeMap<String, Ratio> {
    let path = crate::criterion_dir().join(PAIRED);
    let all: serde_json::Map<String, serde_json::Value> = std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    all.into_iter()
        .filter_map(|(key, v)| {
            let f = |k: &str| v.get(k)?.as_f64();
            Some((
                key,
                Ratio {
                    ratio: f("ratio")?,
                    low: f("low")?,
                    high: f("high")?,
                },
            ))
        })
        .collect()
}
