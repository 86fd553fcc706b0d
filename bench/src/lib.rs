//! Identical workloads for this framework and the anchors, shared by the Criterion bench and
//! the report (which also measures memory and output sizes).
#![allow(missing_docs)]

/// 12 bucket bounds, the same for every library.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048,
];

/// Free-form values of the encoding benchmarks: `N` distinct topics.
pub fn topics(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("topic-{i:06}")).collect()
}

/// `n` distinct libp2p-like peer ids, 52 bytes each (`12D3KooW` and 44 digits).
pub fn peers(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("12D3KooW{i:044}")).collect()
}

/// Distinct values cycled by the realistic free-form lookup (`free_form_cycled_1000`).
pub const CYCLED: usize = 1000;

/// New series created per iteration of `first_touch_free_form`; the report divides by it.
pub const FIRST_TOUCH_SERIES: usize = 1000;

/// Series rendered by `facade_render`, each recorded through the `metrics` facade.
pub const FACADE_RENDER_SERIES: usize = 1000;

/// Thread counts of the multi-thread sweeps.
pub const THREADS: [usize; 5] = [1, 2, 4, 8, 16];

/// The multi-thread sweeps: Criterion group and the implementations in it, each run at every
/// count of [`THREADS`] (`<group>/<implementation>/<threads>`).
pub const SWEEPS: &[(&str, &[&str])] = &[
    (
        "threads_counter_same_series",
        &[
            "raw_atomic",
            "ours",
            "ours_sharded",
            "prometheus_client",
            "prometheus",
            "measured",
        ],
    ),
    (
        "threads_counter_different_series",
        &["ours", "prometheus_client", "measured"],
    ),
    (
        "threads_histogram_same_series",
        &["ours", "prometheus_client", "prometheus", "measured"],
    ),
    (
        "threads_histogram_different_series",
        &["ours", "prometheus_client", "measured"],
    ),
];

/// Where Criterion keeps its results: `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`,
/// else the workspace's `target/criterion` (as Criterion itself decides).
pub fn criterion_dir() -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("criterion")
}

/// The file, in [`criterion_dir`], where the bench writes each sweep's exact-total check:
/// `{"<group>/<implementation>/<threads>": {"expected": N, "got": M}}`.
pub const EXACT_TOTALS: &str = "exact_totals.json";

/// The sum of the samples named `name` (any labels) in Prometheus text: how the bench reads a
/// total from a library that offers no getter.
pub fn sum_samples(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let rest = l.strip_prefix(name)?;
            let value = if rest.starts_with('{') {
                rest.rsplit_once("} ")?.1
            } else {
                rest.strip_prefix(' ')?
            };
            value.split_whitespace().next()?.parse::<f64>().ok()
        })
        .sum()
}

/// The sweeps' `Worker` label (one value per thread, 16) and `WORKERS`, thread `t`'s value, for
/// each library's own label derive.
#[macro_export]
macro_rules! workers {
    ($(#[$m:meta])*) => {
        /// One label value per sweep thread.
        $(#[$m])*
        pub enum Worker {
            W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15,
        }

        /// Thread `t`'s own label value.
        pub const WORKERS: [Worker; 16] = [
            Worker::W0, Worker::W1, Worker::W2, Worker::W3, Worker::W4, Worker::W5, Worker::W6,
            Worker::W7, Worker::W8, Worker::W9, Worker::W10, Worker::W11, Worker::W12,
            Worker::W13, Worker::W14, Worker::W15,
        ];
    };
}

pub mod paired;

pub mod ours {
    use promdecl::{Counter, Histogram, LabelValue, Metrics, ShardedCounter};

    #[derive(Debug, Clone, Copy, LabelValue)]
    pub enum Method {
        Get,
        Post,
        Put,
        Delete,
    }

    #[derive(Debug, Clone, Copy, LabelValue)]
    pub enum Status {
        Ok,
        ClientError,
        ServerError,
    }

    #[derive(Debug, Clone, Copy, LabelValue)]
    pub enum Direction {
        Sent,
        Received,
    }

    crate::workers!(#[derive(Debug, Clone, Copy, LabelValue)]);

    pub const BUCKETS: &[f64] = &super::BUCKETS;

    #[derive(Debug, Metrics)]
    pub struct Hot {
        /// No labels
        #[metric(counter)]
        pub plain_total: Counter,
        /// Two enumerated labels
        #[metric(counter, labels = [method: Method, status: Status])]
        pub requests_total: Counter,
        /// One free-form and one enumerated label
        #[metric(counter, labels = [topic, direction: Direction], max_series = 200_000)]
        pub messages_total: Counter,
        /// The same, sharded per thread
        #[metric(counter, labels = [method: Method, status: Status])]
        pub sharded_total: ShardedCounter,
        /// No labels
        #[metric(histogram, buckets = BUCKETS)]
        pub latency_seconds: Histogram,
        /// Two enumerated labels
        #[metric(histogram, labels = [method: Method, status: Status], buckets = BUCKETS)]
        pub request_seconds: Histogram,
        /// One enumerated label, a value per thread
        #[metric(counter, labels = [worker: Worker])]
        pub worker_total: Counter,
        /// One free-form label
        #[metric(histogram, labels = [peer], buckets = BUCKETS)]
        pub peer_seconds: Histogram,
        /// No labels, native buckets only (the defaults: schema 3, at most 160 buckets)
        #[metric(histogram, native)]
        pub native_seconds: Histogram,
        /// No labels, classic and native buckets
        #[metric(histogram, buckets = BUCKETS, native)]
        pub both_seconds: Histogram,
    }

    /// `Hot`'s free-form family alone: what first touch fills, as each anchor fills its one
    /// family (making all of `Hot` before every timed fill would evict the caches and churn
    /// the heap for ours only).
    #[derive(Debug, Metrics)]
    pub struct Messages {
        /// One free-form and one enumerated label
        #[metric(counter, labels = [topic, direction: Direction], max_series = 200_000)]
        pub messages_total: Counter,
    }

    /// A struct whose one family holds `topics.len()` series, for encoding.
    #[derive(Debug, Metrics)]
    pub struct Wide {
        /// Messages per topic
        #[metric(counter, labels = [topic], max_series = 1_000_000)]
        pub counters_total: Counter,
    }

    pub fn wide(topics: &[String]) -> Wide {
        let w = Wide::new();
        for (i, t) in topics.iter().enumerate() {
            w.counters_total(t).inc_by(i as u64);
        }
        w
    }
}

pub mod pc {
    use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::histogram::Histogram;
    use prometheus_client::registry::Registry;

    #[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
    pub enum Method {
        Get,
        Post,
        Put,
        Delete,
    }

    #[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
    pub enum Status {
        Ok,
        ClientError,
        ServerError,
    }

    #[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]
    pub enum Direction {
        Sent,
        Received,
    }

    crate::workers!(#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq, EncodeLabelValue)]);

    #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct WorkerLabel {
        pub worker: Worker,
    }

    #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct Pair {
        pub topic: String,
        pub peer: String,
    }

    #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct Request {
        pub method: Method,
        pub status: Status,
    }

    #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct Message {
        pub topic: String,
        pub direction: Direction,
    }

    #[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct Topic {
        pub topic: String,
    }

    pub fn histogram() -> Histogram {
        Histogram::new(super::BUCKETS)
    }

    pub fn histogram_family() -> Family<Request, Histogram, fn() -> Histogram> {
        Family::new_with_constructor(histogram)
    }

    /// Histograms with one free-form label.
    pub fn topic_histograms() -> Family<Topic, Histogram, fn() -> Histogram> {
        Family::new_with_constructor(histogram)
    }

    pub type Requests = Family<Request, Counter>;
    pub type Messages = Family<Message, Counter>;
    pub type Workers = Family<WorkerLabel, Counter>;

    /// Prometheus text of one metric registered alone (for reading totals back).
    pub fn text(metric: impl prometheus_client::registry::Metric) -> String {
        let mut registry = Registry::default();
        registry.register("m", "read back", metric);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &registry).unwrap();
        out
    }

    pub fn wide(topics: &[String]) -> Registry {
        let family = Family::<Topic, Counter>::default();
        for (i, t) in topics.iter().enumerate() {
            family
                .get_or_create(&Topic { topic: t.clone() })
                .inc_by(i as u64);
        }
        let mut registry = Registry::default();
        registry.register("counters", "Messages per topic", family);
        registry
    }
}

pub mod tikv {
    use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts};

    pub fn counter() -> IntCounter {
        IntCounter::new("plain_total", "No labels").unwrap()
    }

    pub fn requests() -> IntCounterVec {
        IntCounterVec::new(
            Opts::new("requests_total", "Two labels"),
            &["method", "status"],
        )
        .unwrap()
    }

    pub fn messages() -> IntCounterVec {
        IntCounterVec::new(
            Opts::new("messages_total", "Mixed"),
            &["topic", "direction"],
        )
        .unwrap()
    }

    pub fn histogram() -> Histogram {
        Histogram::with_opts(
            HistogramOpts::new("latency_seconds", "h").buckets(super::BUCKETS.to_vec()),
        )
        .unwrap()
    }

    pub fn histogram_vec() -> HistogramVec {
        HistogramVec::new(
            HistogramOpts::new("request_seconds", "h").buckets(super::BUCKETS.to_vec()),
            &["method", "status"],
        )
        .unwrap()
    }
}

pub mod meas {
    use measured::label::StaticLabelSet;
    use measured::metric::histogram::Thresholds;
    use measured::{CounterVec, FixedCardinalityLabel, HistogramVec, LabelGroup, MetricGroup};
    use paracord::ParaCord;

    #[derive(Debug, Clone, Copy, PartialEq, FixedCardinalityLabel)]
    pub enum Method {
        Get,
        Post,
        Put,
        Delete,
    }

    #[derive(Debug, Clone, Copy, PartialEq, FixedCardinalityLabel)]
    pub enum Status {
        Ok,
        ClientError,
        ServerError,
    }

    #[derive(Debug, Clone, Copy, PartialEq, FixedCardinalityLabel)]
    pub enum Direction {
        Sent,
        Received,
    }

    /// One label value per sweep thread (written out: measured's derive does not accept
    /// variants from `workers!`).
    #[derive(Debug, Clone, Copy, PartialEq, FixedCardinalityLabel)]
    pub enum Worker {
        W0,
        W1,
        W2,
        W3,
        W4,
        W5,
        W6,
        W7,
        W8,
        W9,
        W10,
        W11,
        W12,
        W13,
        W14,
        W15,
    }

    /// Thread `t`'s own label value.
    pub const WORKERS: [Worker; 16] = [
        Worker::W0,
        Worker::W1,
        Worker::W2,
        Worker::W3,
        Worker::W4,
        Worker::W5,
        Worker::W6,
        Worker::W7,
        Worker::W8,
        Worker::W9,
        Worker::W10,
        Worker::W11,
        Worker::W12,
        Worker::W13,
        Worker::W14,
        Worker::W15,
    ];

    #[derive(Clone, Copy, LabelGroup)]
    #[label(set = WorkerSet)]
    pub struct WorkerLabel {
        pub worker: Worker,
    }

    #[derive(Clone, Copy, LabelGroup)]
    #[label(set = PairSet)]
    pub struct Pair<'a> {
        #[label(dynamic_with = ParaCord)]
        pub topic: &'a str,
        #[label(dynamic_with = ParaCord)]
        pub peer: &'a str,
    }

    #[derive(Clone, Copy, LabelGroup)]
    #[label(set = RequestSet)]
    pub struct Request {
        pub method: Method,
        pub status: Status,
    }

    #[derive(Clone, Copy, LabelGroup)]
    #[label(set = MessageSet)]
    pub struct Message<'a> {
        #[label(dynamic_with = ParaCord)]
        pub topic: &'a str,
        pub direction: Direction,
    }

    #[derive(Clone, Copy, LabelGroup)]
    #[label(set = TopicSet)]
    pub struct Topic<'a> {
        #[label(dynamic_with = ParaCord)]
        pub topic: &'a str,
    }

    pub fn requests() -> CounterVec<RequestSet> {
        CounterVec::with_label_set(RequestSet {
            method: StaticLabelSet::new(),
            status: StaticLabelSet::new(),
        })
    }

    pub fn messages() -> CounterVec<MessageSet> {
        CounterVec::with_label_set(MessageSet {
            topic: ParaCord::default(),
            direction: StaticLabelSet::new(),
        })
    }

    pub fn workers() -> CounterVec<WorkerSet> {
        CounterVec::with_label_set(WorkerSet {
            worker: StaticLabelSet::new(),
        })
    }

    /// Histograms with one free-form label.
    pub fn topic_histograms() -> HistogramVec<TopicSet, 12> {
        HistogramVec::with_label_set_and_metadata(
            TopicSet {
                topic: ParaCord::default(),
            },
            Thresholds::with_buckets(super::BUCKETS),
        )
    }

    /// A counter's value.
    pub fn counter_value(c: &measured::Counter) -> u64 {
        c.get_metric()
            .count
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The value of one series of a counter family.
    pub fn counter_vec_value<L: measured::label::LabelGroupSet>(
        c: &CounterVec<L>,
        labels: L::Group<'_>,
    ) -> u64 {
        c.get_metric(c.with_labels(labels))
            .count
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A histogram state's count of observations (its buckets and `+Inf`).
    pub fn histogram_count(h: &measured::metric::histogram::HistogramState<12>) -> u64 {
        use std::sync::atomic::Ordering::Relaxed;
        let inner = h.inner.read();
        inner.buckets.iter().map(|b| b.load(Relaxed)).sum::<u64>() + inner.inf.load(Relaxed)
    }

    pub fn histogram() -> measured::Histogram<12> {
        measured::Histogram::with_metadata(Thresholds::with_buckets(super::BUCKETS))
    }

    pub fn histogram_vec() -> HistogramVec<RequestSet, 12> {
        HistogramVec::with_label_set_and_metadata(
            RequestSet {
                method: StaticLabelSet::new(),
                status: StaticLabelSet::new(),
            },
            Thresholds::with_buckets(super::BUCKETS),
        )
    }

    #[derive(MetricGroup)]
    pub struct Wide {
        /// Messages per topic
        pub counters: CounterVec<TopicSet>,
    }

    pub fn wide(topics: &[String]) -> Wide {
        let w = Wide {
            counters: CounterVec::with_label_set(TopicSet {
                topic: ParaCord::default(),
            }),
        };
        for (i, t) in topics.iter().enumerate() {
            w.counters.inc_by(Topic { topic: t }, i as u64);
        }
        w
    }
}
