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

    pub type Requests = Family<Request, Counter>;
    pub type Messages = Family<Message, Counter>;

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
