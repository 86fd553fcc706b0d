//! Writes BENCHMARKS.md from the last Criterion run (medians from `target/criterion`), plus
//! memory per series of each storage kind and under churn, measured here with a counting
//! allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use promdecl::{Counter, FamilyDesc, Histogram, Kind, Metrics};
use promdecl_bench::paired::{self, Ratio};
use promdecl_bench::{
    criterion_dir, meas, ours, pc, tikv, topics, CYCLED, EXACT_TOTALS, FIRST_TOUCH_SERIES, SWEEPS,
    THREADS,
};

struct Counting;
// Live heap bytes, live blocks, and allocation calls (`alloc` and `realloc`) so far.
static LIVE: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

// Measures the live heap; `GlobalAlloc` is an unsafe trait by definition.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        BLOCKS.fetch_add(1, Relaxed);
        CALLS.fetch_add(1, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Relaxed);
        BLOCKS.fetch_sub(1, Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Relaxed);
        CALLS.fetch_add(1, Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The counting allocator's totals at one moment; differences of two give what was allocated
/// between them and stayed.
#[derive(Debug, Clone, Copy)]
struct Heap {
    bytes: isize,
    blocks: isize,
    calls: usize,
}

impl Heap {
    fn now() -> Self {
        Self {
            bytes: LIVE.load(Relaxed),
            blocks: BLOCKS.load(Relaxed),
            calls: CALLS.load(Relaxed),
        }
    }

    fn since(self, earlier: Heap) -> Heap {
        Heap {
            bytes: self.bytes - earlier.bytes,
            blocks: self.blocks - earlier.blocks,
            calls: self.calls - earlier.calls,
        }
    }
}

/// Cost of one series: live heap bytes and blocks it keeps, and allocation calls made creating it.
#[derive(Debug, Clone, Copy)]
struct PerSeries {
    bytes: f64,
    blocks: f64,
    calls: f64,
}

/// What stays allocated after `fill` creates `series` series in what `make` returns (made
/// outside the count, kept until after it), divided by `series`. One uncounted run first, so
/// lazily initialised statics and thread-locals are not charged to the series.
fn per_series<F, T>(series: usize, make: impl Fn() -> F, fill: impl Fn(&F) -> T) -> PerSeries {
    drop(fill(&make()));
    let family = make();
    let before = Heap::now();
    let kept = fill(&family);
    let d = Heap::now().since(before);
    drop((kept, family));
    let n = series as f64;
    PerSeries {
        bytes: d.bytes as f64 / n,
        blocks: d.blocks as f64 / n,
        calls: d.calls as f64 / n,
    }
}

/// One family per storage kind measured with free-form labels, as users declare them.
#[derive(Debug, Metrics)]
struct Kinds {
    /// Counter per topic
    #[metric(counter, labels = [topic], max_series = 1_000_000)]
    counter_total: Counter,
    /// Counter per topic and peer
    #[metric(counter, labels = [topic, peer], max_series = 1_000_000)]
    pair_total: Counter,
    /// Histogram per topic
    #[metric(histogram, labels = [topic], buckets = promdecl::buckets::LATENCY, max_series = 1_000_000)]
    latency_seconds: Histogram,
    /// Native histogram per topic (the defaults)
    #[metric(histogram, labels = [topic], native, max_series = 1_000_000)]
    native_seconds: Histogram,
    /// Counter per topic and direction
    #[metric(counter, labels = [topic, direction: ours::Direction], max_series = 1_000_000)]
    messages_total: Counter,
}

/// Enumerated labels only: every series exists from `new`.
#[derive(Debug, Metrics)]
struct Dense {
    /// Two enumerated labels
    #[metric(counter, labels = [method: ours::Method, status: ours::Status])]
    requests_total: Counter,
}

/// Every combination of the two enumerated labels of the dense row (4 x 3).
fn pairs<A: Copy, B: Copy>(a: &[A], b: &[B]) -> Vec<(A, B)> {
    a.iter()
        .flat_map(|&x| b.iter().map(move |&y| (x, y)))
        .collect()
}

/// A row of the memory tables: a storage kind, and what each library keeps per series
/// (promdecl, prometheus-client, prometheus, measured).
type MemoryRow = (&'static str, [Option<PerSeries>; 4]);

/// The row the targets judge: one free-form label.
const FREE_FORM_ROW: &str = "free-form, 1 label";

/// The memory tables: per storage kind, what each library keeps per series. Returns the rows.
fn memory(out: &mut String) -> Vec<MemoryRow> {
    use measured::metric::histogram::Thresholds;
    use ours::Direction as D;
    use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts};
    use prometheus_client::metrics::{counter, family::Family, histogram};
    type PcHistograms = Family<pc::Topic, histogram::Histogram, fn() -> histogram::Histogram>;

    let n = 10_000;
    let keys = topics(n);
    // The second free-form value of the two-label row: as long as the first, also distinct.
    let others: Vec<String> = (0..n).map(|i| format!("peer-{i:07}")).collect();
    let latency = promdecl::buckets::LATENCY;
    let pc_key = |t: &str| pc::Topic {
        topic: t.to_owned(),
    };
    let pc_message = |t: &str, direction| pc::Message {
        topic: t.to_owned(),
        direction,
    };
    let meas_topic = || meas::TopicSet {
        topic: paracord::ParaCord::default(),
    };
    let tikv_opts = |name: &str| Opts::new(name, "memory");
    let each = |f: &dyn Fn(&str)| keys.iter().for_each(|k| f(k));
    let each_pair = |f: &dyn Fn(&str, &str)| keys.iter().zip(&others).for_each(|(a, b)| f(a, b));
    let free = |s: &dyn Fn(&Kinds)| Some(per_series(n, Kinds::new, s));

    let rows: Vec<MemoryRow> = vec![
        dense_row(),
        (
            FREE_FORM_ROW,
            [
                free(&|m: &Kinds| each(&|t| m.counter_total(t).inc())),
                Some(per_series(
                    n,
                    Family::<pc::Topic, counter::Counter>::default,
                    |f| {
                        each(&|t| {
                            f.get_or_create(&pc_key(t)).inc();
                        })
                    },
                )),
                Some(per_series(
                    n,
                    || IntCounterVec::new(tikv_opts("c"), &["topic"]).unwrap(),
                    |f| each(&|t| f.with_label_values(&[t]).inc()),
                )),
                Some(per_series(
                    n,
                    || measured::CounterVec::with_label_set(meas_topic()),
                    |f| each(&|t| f.inc(meas::Topic { topic: t })),
                )),
            ],
        ),
        (
            "free-form, 2 labels (2 free-form labels)",
            [
                free(&|m: &Kinds| each_pair(&|t, p| m.pair_total(t, p).inc())),
                Some(per_series(
                    n,
                    Family::<pc::Pair, counter::Counter>::default,
                    |f| {
                        each_pair(&|t, p| {
                            f.get_or_create(&pc::Pair {
                                topic: t.to_owned(),
                                peer: p.to_owned(),
                            })
                            .inc();
                        })
                    },
                )),
                Some(per_series(
                    n,
                    || IntCounterVec::new(tikv_opts("p"), &["topic", "peer"]).unwrap(),
                    |f| each_pair(&|t, p| f.with_label_values(&[t, p]).inc()),
                )),
                Some(per_series(
                    n,
                    || {
                        measured::CounterVec::with_label_set(meas::PairSet {
                            topic: paracord::ParaCord::default(),
                            peer: paracord::ParaCord::default(),
                        })
                    },
                    |f| each_pair(&|topic, peer| f.inc(meas::Pair { topic, peer })),
                )),
            ],
        ),
        (
            "free-form + enumerated (2 values), per tuple",
            [
                free(&|m: &Kinds| {
                    each(&|t| {
                        for d in [D::Sent, D::Received] {
                            m.messages_total(t, d).inc();
                        }
                    });
                }),
                Some(per_series(n, pc::Messages::default, |f| {
                    each(&|t| {
                        for d in [pc::Direction::Sent, pc::Direction::Received] {
                            f.get_or_create(&pc_message(t, d)).inc();
                        }
                    });
                })),
                Some(per_series(n, tikv::messages, |f| {
                    each(&|t| {
                        for d in ["sent", "received"] {
                            f.with_label_values(&[t, d]).inc();
                        }
                    });
                })),
                Some(per_series(n, meas::messages, |f| {
                    each(&|t| {
                        for direction in [meas::Direction::Sent, meas::Direction::Received] {
                            f.inc(meas::Message {
                                topic: t,
                                direction,
                            });
                        }
                    });
                })),
            ],
        ),
        (
            "histogram (12 buckets), free-form 1 label",
            [
                free(&|m: &Kinds| each(&|t| m.latency_seconds(t).observe(0.03))),
                Some(per_series(
                    n,
                    || -> PcHistograms {
                        Family::new_with_constructor(|| {
                            histogram::Histogram::new(promdecl::buckets::LATENCY.iter().copied())
                        })
                    },
                    |f| each(&|t| f.get_or_create(&pc_key(t)).observe(0.03)),
                )),
                Some(per_series(
                    n,
                    || {
                        let opts = HistogramOpts::new("h", "memory").buckets(latency.to_vec());
                        HistogramVec::new(opts, &["topic"]).unwrap()
                    },
                    |f| each(&|t| f.with_label_values(&[t]).observe(0.03)),
                )),
                Some(per_series(
                    n,
                    || {
                        let bounds: [f64; 12] = latency.try_into().unwrap();
                        measured::HistogramVec::with_label_set_and_metadata(
                            meas_topic(),
                            Thresholds::with_buckets(bounds),
                        )
                    },
                    |f| each(&|t| f.observe(meas::Topic { topic: t }, 0.03)),
                )),
            ],
        ),
        (
            // No anchor keeps native buckets in memory for text exposition.
            "native histogram (defaults: schema 3, at most 160 buckets), free-form 1 label",
            [
                free(&|m: &Kinds| each(&|t| m.native_seconds(t).observe(0.03))),
                None,
                None,
                None,
            ],
        ),
    ];

    writeln!(
        out,
        "## Memory per series\n\n\
         Reproduce with `cargo run --release -p promdecl-bench --bin report` (a counting \
         allocator; {} series, each free-form label value a distinct 12-byte `String` built \
         beforehand; what stays allocated after creating them, divided by their number). The \
         two-label row gives each series two distinct values (`topic-000042`, `peer-0000042`).\n",
        thousands(n as isize)
    )
    .unwrap();
    let libs = "| storage kind | promdecl | prometheus-client | prometheus | measured |\n|---|---|---|---|---|";
    let table = |out: &mut String, title: &str, cell: &dyn Fn(&PerSeries) -> String| {
        writeln!(out, "{title}\n\n{libs}").unwrap();
        for (kind, cells) in &rows {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| c.as_ref().map_or("—".into(), cell))
                .collect();
            writeln!(out, "| {kind} | {} |", cells.join(" | ")).unwrap();
        }
        writeln!(out).unwrap();
    };
    table(out, "Live heap bytes per series:", &|c| {
        format!("{:.0}", c.bytes)
    });
    table(
        out,
        "Live allocations per series (allocation calls made creating it, in brackets):",
        &|c| format!("{:.2} ({:.2})", c.blocks, c.calls),
    );
    writeln!(
        out,
        "The enumerated row is a counter with two enumerated labels (12 series): promdecl and \
         measured allocate them with the family, so family creation is counted there; \
         prometheus-client and `prometheus` create each series on first use. The per-tuple row \
         counts both `direction`s of a new free-form value: promdecl creates both at once (so the \
         first scrape shows them at zero), the others one per update, here both updated.\n"
    )
    .unwrap();
    rows
}

/// Dense storage: a family with two enumerated labels, 12 series.
fn dense_row() -> MemoryRow {
    use ours::{Method as M, Status as S};
    use pc::{Method as PM, Status as PS};
    let ours = pairs(
        &[M::Get, M::Post, M::Put, M::Delete],
        &[S::Ok, S::ClientError, S::ServerError],
    );
    let pcs = pairs(
        &[PM::Get, PM::Post, PM::Put, PM::Delete],
        &[PS::Ok, PS::ClientError, PS::ServerError],
    );
    let names = pairs(
        &["get", "post", "put", "delete"],
        &["ok", "client_error", "server_error"],
    );
    let ms = {
        use meas::{Method as M, Status as S};
        pairs(
            &[M::Get, M::Post, M::Put, M::Delete],
            &[S::Ok, S::ClientError, S::ServerError],
        )
    };
    let n = ours.len();
    (
        "enumerated (2 enum labels, per series)",
        [
            Some(per_series(
                n,
                || (),
                |_| {
                    let d = Dense::new();
                    ours.iter().for_each(|&(m, s)| d.requests_total(m, s).inc());
                    d
                },
            )),
            Some(per_series(n, pc::Requests::default, |f| {
                for &(method, status) in &pcs {
                    f.get_or_create(&pc::Request { method, status }).inc();
                }
            })),
            Some(per_series(n, tikv::requests, |f| {
                names
                    .iter()
                    .for_each(|&(m, s)| f.with_label_values(&[m, s]).inc())
            })),
            Some(per_series(
                n,
                || (),
                |_| {
                    let f = meas::requests();
                    for &(method, status) in &ms {
                        f.inc(meas::Request { method, status });
                    }
                    f
                },
            )),
        ],
    )
}

/// Distinct ids churned through one family, in cycles of `CHURN_BUDGET`.
const CHURN_IDS: usize = 1_000_000;
const CHURN_BUDGET: usize = 10_000;
const CHURN_IDLE: Duration = Duration::from_millis(10);
/// Cycles (counted from 1) after which the live heap is reported.
const CHURN_AT: [usize; 4] = [1, 10, 50, 100];

/// Feeds `CHURN_IDS` distinct ids through the family `make` returns, a cycle of `CHURN_BUDGET`
/// at a time, each id updated three times; after each cycle takes a reading, then `forget`s
/// the cycle's ids. Returns the heap the family holds (since before `make`) at `CHURN_AT`.
fn churned<F>(
    make: impl FnOnce() -> F,
    update: impl Fn(&F, &str),
    mut forget: impl FnMut(&F, &[String]),
) -> Vec<Heap> {
    // One buffer, rewritten in place each cycle (ids are 24 bytes), allocated before the count.
    let mut ids: Vec<String> = (0..CHURN_BUDGET)
        .map(|_| String::with_capacity(32))
        .collect();
    let mut readings = Vec::with_capacity(CHURN_AT.len());
    let start = Heap::now();
    let family = make();
    for cycle in 0..CHURN_IDS / CHURN_BUDGET {
        for (i, s) in ids.iter_mut().enumerate() {
            s.clear();
            write!(s, "12D3KooW{:016x}", cycle * CHURN_BUDGET + i).unwrap();
        }
        for s in &ids {
            (0..3).for_each(|_| update(&family, s));
        }
        if CHURN_AT.contains(&(cycle + 1)) {
            readings.push(Heap::now().since(start));
        }
        forget(&family, &ids);
    }
    readings
}

/// A million ids through a budget of ten thousand: promdecl expiring idle series, and
/// prometheus-client removing each cycle's.
fn churn(out: &mut String) {
    use prometheus_client::metrics::{counter, family::Family};
    let desc = FamilyDesc::builder("churned_messages_total", Kind::Counter, "Messages by peer")
        .label("peer_id")
        .max_series(CHURN_BUDGET)
        .idle_timeout(CHURN_IDLE)
        .build()
        .unwrap();
    let mut folded = 0;
    let ours = churned(
        || Counter::new(desc),
        |f, id| f.get_by_values(&[id]).unwrap().inc(),
        |f, _| {
            // Marks the cycle's series seen; idle past the timeout, the next cycle's first new
            // id (refused by the full budget) sweeps them out.
            f.expire_idle();
            std::thread::sleep(CHURN_IDLE + Duration::from_millis(5));
            folded = f.folded();
        },
    );
    let pc_key = |id: &str| pc::Topic {
        topic: id.to_owned(),
    };
    let pcs = churned(
        Family::<pc::Topic, counter::Counter>::default,
        |f, id| {
            f.get_or_create(&pc_key(id)).inc();
        },
        |f, ids| {
            ids.iter().for_each(|id| {
                f.remove(&pc_key(id));
            })
        },
    );
    writeln!(
        out,
        "## Memory under churn\n\n\
         Reproduce with `cargo run --release -p promdecl-bench --bin report`. {} distinct \
         24-byte ids through one counter family with one free-form label, {} per cycle, each \
         updated 3 times. promdecl: a run-time family (`FamilyDesc::builder`, `max_series({})`, \
         `idle_timeout({CHURN_IDLE:?})`), `expire_idle()` after each cycle, then idle past the \
         timeout; {folded} updates folded into overflow. prometheus-client: `Family::remove` of \
         each id after its cycle. Live heap the family holds at the end of a cycle, with {} live \
         series:\n\n\
         | after cycle | ids so far | promdecl bytes (per live series) | promdecl allocations | prometheus-client bytes (per live series) | prometheus-client allocations |\n\
         |---|---|---|---|---|---|",
        thousands(CHURN_IDS as isize),
        thousands(CHURN_BUDGET as isize),
        CHURN_BUDGET,
        thousands(CHURN_BUDGET as isize),
    )
    .unwrap();
    for ((cycle, o), p) in CHURN_AT.iter().zip(&ours).zip(&pcs) {
        writeln!(
            out,
            "| {cycle} | {} | {} ({}) | {} | {} ({}) | {} |",
            thousands((cycle * CHURN_BUDGET) as isize),
            thousands(o.bytes),
            o.bytes / CHURN_BUDGET as isize,
            thousands(o.blocks),
            thousands(p.bytes),
            p.bytes / CHURN_BUDGET as isize,
            thousands(p.blocks),
        )
        .unwrap();
    }
    writeln!(out).unwrap();
}

/// `1234567` as `1,234,567`.
fn thousands(n: isize) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut s = String::from(if n < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(c);
    }
    s
}

/// Criterion's medians of the last run, by group and bench (nanoseconds per iteration).
struct Medians {
    root: PathBuf,
}

impl Medians {
    fn get(&self, group: &str, bench: &str) -> Option<f64> {
        let path = self.root.join(group).join(bench).join("new/estimates.json");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        json["median"]["point_estimate"].as_f64()
    }

    /// `a`'s median over `b`'s, in one group.
    fn ratio(&self, group: &str, a: &str, b: &str) -> Option<f64> {
        Some(self.get(group, a)? / self.get(group, b)?)
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.2} ns")
    }
}

fn cell(v: Option<String>) -> String {
    v.unwrap_or_else(|| "—".into())
}

/// The hardware threads this report counts with (what `nproc` prints).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn header(out: &mut String) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| format!(", {}", s.trim()))
        .unwrap_or_default();
    // `bench/run.sh` passes how long the Criterion run took.
    let took = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(|s| {
            format!(
                " Its `cargo bench` took {} min {} s (build included).",
                s / 60,
                s % 60
            )
        })
        .unwrap_or_default();
    writeln!(
        out,
        "# Benchmarks\n\n\
         <!-- written by `bash bench/run.sh`; do not edit -->\n\n\
         Reproduce with `bash bench/run.sh` (Criterion, every library side by side in one run, \
         then this report).{took}\n\n\
         Machine: {cpu}, `nproc` = {cores}{rustc}. Other work may share the machine. Medians; \
         time per operation unless stated (per series for encoding, per new series for first \
         touch, per operation per thread for the thread sweeps). A dash: not run.\n",
        cores = cores()
    )
    .unwrap();
}

/// One table per group: every implementation's median, and its ratio to ours.
fn groups(out: &mut String, m: &Medians, groups: &[(&str, &[&str], usize)]) {
    for (group, benches, per) in groups {
        writeln!(
            out,
            "## {group}\n\n| implementation | median | vs ours |\n|---|---|---|"
        )
        .unwrap();
        let ours_key = if group.starts_with("encode") {
            "ours_text"
        } else {
            "ours"
        };
        let ours_ns = m.get(group, ours_key);
        for b in *benches {
            let ns = m.get(group, b);
            let ratio = ns.zip(ours_ns).map(|(ns, o)| format!("{:.2}x", ns / o));
            let ns = ns.map(|ns| fmt_ns(ns / *per as f64));
            writeln!(out, "| {b} | {} | {} |", cell(ns), cell(ratio)).unwrap();
        }
        writeln!(out).unwrap();
    }
}

const FREE_FORM: [&str; 3] = [
    "free_form_same_string",
    "free_form_cycled_1000",
    "free_form_fresh_string",
];

/// The free-form lookups: best case, realistic and fresh String, one row per library.
fn free_form(out: &mut String, m: &Medians) {
    let [same, cycled, fresh] = FREE_FORM;
    writeln!(
        out,
        "## Free-form lookups\n\n\
         A counter with a free-form `peer` label and an enumerated `direction` (2 values); an \
         update of an existing series, all {n} series created before timing. Peer ids are \
         52-byte `String`s (`12D3KooW` and 44 digits), as libp2p's.\n\n\
         - `{same}`: the same `String` every call: the best case.\n\
         - `{cycled}`: {n} distinct peer ids held by the caller, cycled in order: the \
         realistic case. prometheus-client's {n} label sets are built beforehand and \
         cycled likewise, so it is not charged for building keys.\n\
         - `{fresh}`: a fresh `String` per call (a clone of one of the {n}, made and \
         dropped in the timed loop, for every library alike).\n\n\
         **Targets are judged on the realistic row (1,000 cycled Strings)**; the best case is \
         shown beside it, not used.\n\n\
         | implementation | same String (best case) | 1,000 cycled Strings (realistic) | vs ours (realistic) | fresh String per call |\n\
         |---|---|---|---|---|",
        n = thousands(CYCLED as isize)
    )
    .unwrap();
    let ours = m.get(cycled, "ours");
    for b in ["ours", "prometheus_client", "prometheus", "measured"] {
        let ns = |g| m.get(g, b).map(fmt_ns);
        let ratio = m
            .get(cycled, b)
            .zip(ours)
            .map(|(ns, o)| format!("{:.2}x", ns / o));
        writeln!(
            out,
            "| {b} | {} | {} | {} | {} |",
            cell(ns(same)),
            cell(ns(cycled)),
            cell(ratio),
            cell(ns(fresh))
        )
        .unwrap();
    }
    writeln!(out).unwrap();
}

/// What a sweep group's rows hold.
fn sweep_note(group: &str) -> &'static str {
    match group {
        "threads_counter_same_series" => {
            "Every thread adds to one series. `raw_atomic` is one `AtomicU64`; `ours` a series of a \
             family with two enumerated labels; `ours_sharded` the opt-in `ShardedCounter` (a lane \
             per thread); prometheus-client's `Family` lookup with a label set built beforehand; \
             `prometheus` an `IntCounter` looked up once, as its users hold it; measured's \
             `CounterVec` with two enumerated labels."
        }
        "threads_counter_different_series" => {
            "Each thread adds to its own series: a counter family with one enumerated label of 16 \
             values, one per thread."
        }
        "threads_histogram_same_series" => {
            "Every thread observes into one histogram without labels (12 buckets)."
        }
        "threads_histogram_different_series" => {
            "Each thread observes into its own series: a histogram family (12 buckets) with one \
             free-form label, a peer id per thread held by it (prometheus-client: a label set per \
             thread, built beforehand)."
        }
        _ => "",
    }
}

/// Thread counts as table rows, marked where they exceed the machine's hardware threads.
fn threads_label(n: usize) -> String {
    if n > cores() {
        format!("{n} (oversubscribed)")
    } else {
        n.to_string()
    }
}

/// The thread sweeps: per group, time per operation per thread at each thread count.
fn sweeps(out: &mut String, m: &Medians) {
    writeln!(
        out,
        "## Thread sweeps\n\n\
         Each of N threads waits at a common barrier, then times its own loop; the figure is the \
         slowest worker's time divided by its operations: the time per operation per thread \
         (flat as threads are added means perfect scaling). This machine has {} hardware \
         threads; rows with more threads than that are marked (oversubscribed): the threads take \
         turns on the cores, so their time includes waiting for one. Each metric is new for \
         each bench, and its total is checked afterwards (see Exact totals).\n",
        cores()
    )
    .unwrap();
    for (group, benches) in SWEEPS {
        writeln!(
            out,
            "### {group}\n\n{}\n\n| threads | {} |\n|---|{}",
            sweep_note(group),
            benches.join(" | "),
            "---|".repeat(benches.len())
        )
        .unwrap();
        for n in THREADS {
            let cells: Vec<String> = benches
                .iter()
                .map(|b| cell(m.get(group, &format!("{b}/{n}")).map(fmt_ns)))
                .collect();
            writeln!(out, "| {} | {} |", threads_label(n), cells.join(" | ")).unwrap();
        }
        writeln!(out).unwrap();
    }
}

/// The exact-total checks the bench wrote. Returns (checks, of which exact), or `None` without
/// the file.
fn exact_totals(out: &mut String) -> Option<(usize, usize)> {
    let path = criterion_dir().join(EXACT_TOTALS);
    let json: Option<serde_json::Map<String, serde_json::Value>> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    writeln!(
        out,
        "## Exact totals\n\n\
         After each sweep bench, the total read back from its metric (counter values, histogram \
         observation counts, summed over the series the threads used) against the operations \
         performed, counted over every run Criterion made of that bench. promdecl: the series' \
         `get()` and `count()`; prometheus-client: counters' `get()`, histograms' `_count` from \
         its text encoder (its `count()` needs the `test-util` feature); `prometheus`: `get()` \
         and `get_sample_count()`; measured: its series' state (`count`, bucket counts). A cell \
         is `exact`, or got / expected.\n"
    )
    .unwrap();
    let Some(json) = json else {
        writeln!(out, "Not run (no `{}`).\n", path.display()).unwrap();
        return None;
    };
    let heads: Vec<String> = THREADS.iter().map(|&n| threads_label(n)).collect();
    writeln!(
        out,
        "| bench | {} |\n|---|{}",
        heads.join(" | "),
        "---|".repeat(THREADS.len())
    )
    .unwrap();
    let (mut checks, mut exact, mut ops) = (0, 0, 0u64);
    for (group, benches) in SWEEPS {
        for b in *benches {
            let cells: Vec<String> = THREADS
                .iter()
                .map(|n| {
                    let e = json.get(&format!("{group}/{b}/{n}"))?;
                    let (expected, got) = (e["expected"].as_u64()?, e["got"].as_u64()?);
                    checks += 1;
                    ops += expected;
                    Some(if expected == got {
                        exact += 1;
                        "exact".to_string()
                    } else {
                        format!(
                            "**{} / {}**",
                            thousands(got as isize),
                            thousands(expected as isize)
                        )
                    })
                })
                .map(cell)
                .collect();
            writeln!(out, "| {group}/{b} | {} |", cells.join(" | ")).unwrap();
        }
    }
    writeln!(
        out,
        "\nEvery multi-thread total exact: **{}** ({exact} of {checks} checks, {} operations in \
         all).\n",
        if checks > 0 && exact == checks {
            "yes"
        } else {
            "no"
        },
        thousands(ops as isize)
    )
    .unwrap();
    Some((checks, exact))
}

/// Output size, for bytes per second of the encoders.
fn encoding_throughput(out: &mut String, m: &Medians) {
    let t = topics(10_000);
    let w = ours::wide(&t);
    let ours_bytes = promdecl::testing::render(&w, promdecl::Format::Text).len();
    let mut pc_out = String::new();
    prometheus_client::encoding::text::encode(&mut pc_out, &pc::wide(&t)).unwrap();
    writeln!(
        out,
        "## Encoding throughput (10,000 series)\n\n| encoder | bytes | MB/s |\n|---|---|---|"
    )
    .unwrap();
    for (name, bytes) in [
        ("ours_text", ours_bytes),
        ("prometheus_client_text", pc_out.len()),
    ] {
        let rate = m
            .get("encode_10000_series", name)
            .map(|ns| format!("{:.0}", bytes as f64 / ns * 1e3));
        writeln!(out, "| {name} | {bytes} | {} |", cell(rate)).unwrap();
    }
    writeln!(out).unwrap();
}

/// The `metrics` facade groups: the same macro calls recorded by promdecl-facade and by
/// metrics-exporter-prometheus.
const FACADE: [(&str, &str, usize); 5] = [
    (
        "facade_counter_static_labels",
        "`counter!(\"jobs_total\", \"queue\" => \"default\").increment(1)`: a static name \
         and label, looked up on every call (the common use)",
        1,
    ),
    (
        "facade_counter_cycled_1000",
        "`counter!(\"messages_total\", \"peer\" => peer.clone())` over 1,000 held peer ids: \
         the realistic case (the facade's key owns a copy of the value on both sides)",
        1,
    ),
    (
        "facade_histogram_record",
        "`histogram!(\"request_seconds\", \"route\" => \"/api\").record(v)`, 1,024 \
         latencies spread over 12 buckets",
        1,
    ),
    (
        "facade_counter_kept_handle",
        "`increment(1)` on a `metrics::Counter` registered once and kept: the best case",
        1,
    ),
    (
        "facade_render",
        "rendering 1,000 counter series recorded through the facade as text",
        1,
    ),
];

/// The facade groups: medians and paired ratios against metrics-exporter-prometheus.
fn facade(out: &mut String, m: &Medians, paired: &BTreeMap<String, Ratio>) {
    writeln!(
        out,
        "## The `metrics` facade\n\n\
         The same `metrics` macro calls, recorded by `promdecl_facade::PromdeclRecorder` into a \
         promdecl registry and by metrics-exporter-prometheus's `PrometheusRecorder` \
         (bench target `facade`, which `bash bench/run.sh` runs after the anchors; alone: \
         `cargo bench -p promdecl-bench --bench facade`). Above 1x, ours is faster.\n\n\
         | case | ours | metrics-exporter-prometheus | paired ratio (quartiles) |\n|---|---|---|---|"
    )
    .unwrap();
    for (group, what, per) in FACADE {
        let ns = |b: &str| m.get(group, b).map(|ns| fmt_ns(ns / per as f64));
        let ratio = paired
            .get(&format!("{group}/metrics_exporter_prometheus"))
            .map(|r| format!("{:.2}x ({:.2}-{:.2})", r.ratio, r.low, r.high));
        writeln!(
            out,
            "| `{group}`: {what} | {} | {} | {} |",
            cell(ns("ours")),
            cell(ns("metrics_exporter_prometheus")),
            cell(ratio)
        )
        .unwrap();
    }
    writeln!(out).unwrap();
}

/// Creating new series, per new series.
fn first_touch(out: &mut String, m: &Medians) {
    let group = "first_touch_free_form";
    writeln!(
        out,
        "## {group}\n\n\
         Each iteration creates {n} new series (distinct 52-byte peer ids, `direction` sent) in \
         a new family (each library makes that one family alone), made outside the timing; the \
         figure is the time per iteration divided by {n}: the time per new series.\n\n\
         | implementation | per new series | vs ours |\n|---|---|---|",
        n = thousands(FIRST_TOUCH_SERIES as isize)
    )
    .unwrap();
    let ours = m.get(group, "ours");
    for b in ["ours", "prometheus_client", "prometheus_vec", "measured"] {
        let ns = m.get(group, b);
        let ratio = ns.zip(ours).map(|(ns, o)| format!("{:.2}x", ns / o));
        let ns = ns.map(|ns| fmt_ns(ns / FIRST_TOUCH_SERIES as f64));
        writeln!(out, "| {b} | {} | {} |", cell(ns), cell(ratio)).unwrap();
    }
    writeln!(out).unwrap();
}

/// A timing target: `faster` is how many times faster ours must be than `anchor` on `case`
/// (1.0: at least as fast); `inverse` states it as ours over the anchor, at most `1 / faster`.
struct Timing {
    name: &'static str,
    case: &'static str,
    anchor: &'static str,
    faster: f64,
    inverse: bool,
}

/// A timing target's cell and verdict: judged on the paired ratio when the run has one, with
/// Criterion's medians beside it.
fn judge(
    t: &Timing,
    m: &Medians,
    paired: &BTreeMap<String, Ratio>,
) -> (Option<String>, Option<bool>) {
    let criterion = m.ratio(t.case, t.anchor, "ours");
    let shown = |r: f64| if t.inverse { 1.0 / r } else { r };
    let how = match t.inverse {
        true => format!("ours / {}", t.anchor),
        false => format!("{} / ours", t.anchor),
    };
    let medians = criterion.map(|r| format!("Criterion medians {:.2}x", shown(r)));
    match paired.get(&format!("{}/{}", t.case, t.anchor)) {
        Some(p) => {
            let (low, high) = match t.inverse {
                true => (shown(p.high), shown(p.low)),
                false => (p.low, p.high),
            };
            let figure = format!(
                "{:.2}x paired ({how}; quartiles {low:.2}-{high:.2}){}",
                shown(p.ratio),
                medians.map(|m| format!("; {m}")).unwrap_or_default()
            );
            (Some(figure), Some(p.ratio >= t.faster))
        }
        None => (
            criterion
                .map(|r| format!("{:.2}x ({how}; Criterion medians, no paired run)", shown(r))),
            criterion.map(|r| r >= t.faster),
        ),
    }
}

/// The targets, judged on the realistic cases only. Returns whether any was missed.
fn targets(
    out: &mut String,
    m: &Medians,
    memory: &[MemoryRow],
    exact: Option<(usize, usize)>,
) -> bool {
    let paired = paired::read();
    let timing = [
        Timing {
            name: "free-form lookup, 1,000 cycled Strings >= 2x faster than prometheus-client",
            case: "free_form_cycled_1000",
            anchor: "prometheus_client",
            faster: 2.0,
            inverse: false,
        },
        Timing {
            name: "free-form lookup, 1,000 cycled Strings faster than measured",
            case: "free_form_cycled_1000",
            anchor: "measured",
            faster: 1.0,
            inverse: false,
        },
        Timing {
            name: "first touch <= measured",
            case: "first_touch_free_form",
            anchor: "measured",
            faster: 1.0,
            inverse: true,
        },
        Timing {
            name: "enumerated counter inc <= 1.1x hand-indexed raw atomic array",
            case: "counter_inc_two_enum_labels",
            anchor: "raw_atomic",
            faster: 1.0 / 1.1,
            inverse: true,
        },
        Timing {
            name: "histogram observe, labelled, labels and values varying, >= 2x faster than prometheus-client",
            case: "histogram_observe_labelled_spread",
            anchor: "prometheus_client",
            faster: 2.0,
            inverse: false,
        },
    ];
    let bytes = memory
        .iter()
        .find(|(kind, _)| *kind == FREE_FORM_ROW)
        .map(|(_, cells)| (cells[0].map(|c| c.bytes), cells[1].map(|c| c.bytes)));
    let (ours_bytes, pc_bytes) = bytes.unwrap_or((None, None));
    // (target, figure, met)
    let mut rows: Vec<(&str, Option<String>, Option<bool>)> = timing
        .iter()
        .map(|t| {
            let (figure, met) = judge(t, m, &paired);
            (t.name, figure, met)
        })
        .collect();
    rows.insert(
        3,
        (
            "bytes per free-form series (1 label) <= prometheus-client",
            ours_bytes
                .zip(pc_bytes)
                .map(|(o, p)| format!("{o:.0} B vs {p:.0} B")),
            ours_bytes.zip(pc_bytes).map(|(o, p)| o <= p),
        ),
    );
    rows.push((
        "every multi-thread total exact",
        exact.map(|(checks, exact)| format!("{exact} of {checks} exact")),
        exact.map(|(checks, exact)| checks > 0 && exact == checks),
    ));
    writeln!(
        out,
        "## Targets\n\n\
         Judged on the realistic cases only: free-form lookups on 1,000 cycled Strings, not the \
         same String; histogram observations into a labelled histogram (method and status, as a \
         request-latency histogram has) with the label values and the latencies varying call to \
         call, not one series and one value. An unlabelled histogram is reported above \
         (`histogram_observe_spread`) and not judged: see the Notes.\n\n\
         Timing targets are judged on **paired ratios**: after its Criterion group, the bench \
         times ours and the anchor in alternating blocks of about 15 ms ({} rounds, the order \
         swapped every round), so load from elsewhere on the machine hits both sides of each \
         ratio; the median ratio is judged, its quartiles and Criterion's separate medians shown \
         beside it.\n\n\
         | target | measured | met |\n|---|---|---|",
        paired::ROUNDS
    )
    .unwrap();
    let mut missed = false;
    for (name, figure, met) in rows {
        let met = match met {
            Some(true) => "yes",
            Some(false) => {
                missed = true;
                "**missed**"
            }
            None => "—",
        };
        writeln!(out, "| {name} | {} | {met} |", cell(figure)).unwrap();
    }
    writeln!(out).unwrap();
    missed
}

/// The engineer's analysis, `bench/NOTES.md`, if present.
fn notes(out: &mut String, missed: bool) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("NOTES.md");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let text = text.trim();
            if !text.starts_with("## Notes") {
                writeln!(out, "## Notes\n").unwrap();
            }
            writeln!(out, "{text}\n").unwrap();
        }
        Err(_) if missed => writeln!(
            out,
            "Where a target is missed, the analysis belongs in `bench/NOTES.md` (included here as \
             Notes when present).\n"
        )
        .unwrap(),
        Err(_) => {}
    }
}

fn main() {
    let m = Medians {
        root: criterion_dir(),
    };
    let mut out = String::new();
    header(&mut out);
    groups(
        &mut out,
        &m,
        &[
            (
                "counter_inc_no_labels",
                &[
                    "raw_atomic",
                    "ours",
                    "prometheus_client",
                    "prometheus",
                    "measured",
                ],
                1,
            ),
            (
                "counter_inc_two_enum_labels",
                &[
                    "raw_atomic",
                    "ours",
                    "prometheus_client",
                    "prometheus_vec",
                    "prometheus_cached",
                    "measured",
                ],
                1,
            ),
            (
                "histogram_observe_no_labels",
                &["ours", "prometheus_client", "prometheus", "measured"],
                1,
            ),
            (
                "histogram_observe_spread",
                &[
                    "ours",
                    "ours_native",
                    "ours_classic_and_native",
                    "prometheus_client",
                    "prometheus",
                    "measured",
                ],
                1,
            ),
            (
                "histogram_observe_labelled_spread",
                &["ours", "prometheus_client", "prometheus_vec", "measured"],
                1,
            ),
        ],
    );
    free_form(&mut out, &m);
    first_touch(&mut out, &m);
    sweeps(&mut out, &m);
    let exact = exact_totals(&mut out);
    let encoders: &[&str] = &[
        "ours_text",
        "ours_openmetrics",
        "prometheus_client_text",
        "measured_text",
    ];
    groups(
        &mut out,
        &m,
        &[
            ("encode_10000_series", encoders, 10_000),
            ("encode_100000_series", encoders, 100_000),
        ],
    );
    encoding_throughput(&mut out, &m);
    facade(&mut out, &m, &paired::read());
    let memory = memory(&mut out);
    churn(&mut out);
    let missed = targets(&mut out, &m, &memory, exact);
    notes(&mut out, missed);
    print!("{out}");
}
