//! The Prometheus exposition rules, written once.
//!
//! Every rule promdecl enforces or relies on about names lives here: the derive macros check
//! declarations with it at compile time, the runtime checks run-time input and writes exposition
//! with it, and the generators use it to know which sample names a family produces. Nothing else
//! in the workspace restates these rules.
//!
//! Sources: the Prometheus data model and exposition format 0.0.4 documents, and the
//! OpenMetrics 1.0 specification.
//!
//! ```
//! use promdecl_spec::{Kind, NameForm};
//!
//! assert!(promdecl_spec::is_metric_name("http_requests_total"));
//! assert_eq!(Kind::Counter.family_name("http_requests_total", NameForm::OpenMetrics), "http_requests");
//! let samples: Vec<String> = Kind::Histogram.sample_names("rpc_seconds").collect();
//! assert_eq!(samples, ["rpc_seconds_bucket", "rpc_seconds_sum", "rpc_seconds_count"]);
//! ```
#![no_std]
#![deny(missing_docs)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

mod escaping;
pub use escaping::{is_legacy_name, is_utf8_name, Escaping};

/// The metric type of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A monotonically increasing value; its name ends in `_total`.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Observations counted into cumulative buckets, exposed with `_bucket`, `_sum` and `_count`.
    Histogram,
    /// A constant `1` whose labels carry information; its name ends in `_info`.
    Info,
    /// Observations summarised as quantiles over a sliding window (samples with a `quantile`
    /// label), with `_sum` and `_count` over all time.
    Summary,
}

/// Suffix of a histogram's cumulative bucket samples (each with an `le` label).
pub const BUCKET_SUFFIX: &str = "_bucket";
/// Suffix of a histogram's sum of observations.
pub const SUM_SUFFIX: &str = "_sum";
/// Suffix of a histogram's count of observations.
pub const COUNT_SUFFIX: &str = "_count";

/// Suffix of a counter's samples (and of a counter's exposed name).
pub const TOTAL_SUFFIX: &str = "_total";
/// Suffix of an info family's samples (and of its exposed name).
pub const INFO_SUFFIX: &str = "_info";
/// Suffix of the creation-time samples OpenMetrics allows counters and histograms.
pub const CREATED_SUFFIX: &str = "_created";

/// Suffixes of the samples a histogram exposes, in exposition order.
pub const HISTOGRAM_SUFFIXES: &[&str] = &[BUCKET_SUFFIX, SUM_SUFFIX, COUNT_SUFFIX];

/// Suffixes of the samples a summary exposes, in exposition order: its quantiles carry the
/// family name itself.
pub const SUMMARY_SUFFIXES: &[&str] = &["", SUM_SUFFIX, COUNT_SUFFIX];

/// The label holding a histogram bucket's upper bound.
pub const BUCKET_LABEL: &str = "le";

/// The label holding a summary's quantile.
pub const QUANTILE_LABEL: &str = "quantile";

/// The base unit of time: the unit of durations and latencies.
pub const SECONDS: &str = "seconds";

/// Base units recognised at the end of a name (before a counter's `_total`), as the
/// Prometheus naming guide lists them.
pub const UNITS: &[&str] = &[
    SECONDS, "bytes", "ratio", "percent", "celsius", "meters", "volts", "amperes", "joules",
    "grams", "hertz", "bits",
];

/// Which family name a format writes in its metadata lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameForm {
    /// The name as exposed on samples (text 0.0.4, protobuf): `x_total`.
    Exposed,
    /// OpenMetrics: a counter family is `x` (samples keep `x_total`), an info family drops `_info`.
    OpenMetrics,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 5] = [
        Kind::Counter,
        Kind::Gauge,
        Kind::Histogram,
        Kind::Info,
        Kind::Summary,
    ];

    /// The lowercase name, as written in declarations, JSON exports and OpenMetrics `# TYPE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::Info => "info",
            Kind::Summary => "summary",
        }
    }

    /// The kind named `name` (`"counter"`, `"gauge"`, `"histogram"`, `"info"`, `"summary"`).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The type written in a Prometheus text 0.0.4 `# TYPE` line, which has no `info`.
    pub const fn text_type(self) -> &'static str {
        match self {
            Kind::Info => "gauge",
            other => other.as_str(),
        }
    }

    /// The suffix a family name of this kind must end in, if any.
    pub const fn required_suffix(self) -> Option<&'static str> {
        match self {
            Kind::Counter => Some(TOTAL_SUFFIX),
            Kind::Info => Some(INFO_SUFFIX),
            _ => None,
        }
    }

    /// Suffixes of the samples this kind exposes, appended to the family name.
    pub const fn sample_suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Histogram => HISTOGRAM_SUFFIXES,
            Kind::Summary => SUMMARY_SUFFIXES,
            _ => &[""],
        }
    }

    /// Every sample name a family named `name` of this kind exposes.
    pub fn sample_names(self, name: &str) -> impl Iterator<Item = String> + '_ {
        self.sample_suffixes().iter().map(move |s| {
            let mut n = String::from(name);
            n.push_str(s);
            n
        })
    }

    /// Suffixes OpenMetrics 1.0 gives the sample names of a family of this kind, appended to its
    /// OpenMetrics family name ([`NameForm::OpenMetrics`]), whether or not promdecl writes them
    /// (it writes no `_created` samples).
    ///
    /// OpenMetrics 1.0, "Suffixes": "Counter: '_total', '_created' [...] Histogram: '_count',
    /// '_sum', '_bucket', '_created' [...] Info: '_info' [...] Summary: '_count', '_sum',
    /// '_created', '' (empty) [...] Gauge: '' (empty)".
    pub const fn openmetrics_suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Counter => &[TOTAL_SUFFIX, CREATED_SUFFIX],
            Kind::Histogram => &[BUCKET_SUFFIX, SUM_SUFFIX, COUNT_SUFFIX, CREATED_SUFFIX],
            Kind::Info => &[INFO_SUFFIX],
            Kind::Summary => &["", SUM_SUFFIX, COUNT_SUFFIX, CREATED_SUFFIX],
            Kind::Gauge => &[""],
        }
    }

    /// Every name a family named `name` occupies in any format: its exposed name, its
    /// OpenMetrics family name, and every sample name OpenMetrics allows it, in that order. No two families of one
    /// exposition may share any of them.
    ///
    /// OpenMetrics 1.0: "The name of a MetricFamily MUST NOT result in a potential clash for
    /// sample metric names as per the ABNF with another MetricFamily in the Text Format within
    /// a MetricSet. An example would be a gauge called "foo_created" as a counter called "foo"
    /// could create a "foo_created" in the text format." So a counter `x_total` takes `x` (its
    /// OpenMetrics family name), `x_total` and `x_created`; a histogram `x` takes `x`,
    /// `x_bucket`, `x_sum`, `x_count` and `x_created`; a summary `x` takes `x`, `x_sum`,
    /// `x_count` and `x_created`; an info `x_info` takes `x` and `x_info`; a gauge `x` takes `x`.
    ///
    /// ```
    /// use promdecl_spec::Kind;
    ///
    /// let names: Vec<String> = Kind::Counter.occupied_names("jobs_total").collect();
    /// assert_eq!(names, ["jobs_total", "jobs", "jobs_created"]);
    /// let names: Vec<String> = Kind::Info.occupied_names("build_info").collect();
    /// assert_eq!(names, ["build_info", "build"]);
    /// ```
    pub fn occupied_names(self, name: &str) -> impl Iterator<Item = String> + '_ {
        let base = self.family_name(name, NameForm::OpenMetrics);
        let mut names: Vec<String> = Vec::with_capacity(6);
        let forms = [String::from(name), String::from(base)];
        let samples = self.openmetrics_suffixes().iter().map(|s| {
            let mut n = String::from(base);
            n.push_str(s);
            n
        });
        for n in forms.into_iter().chain(samples) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.into_iter()
    }

    /// The family name a format writes in `# TYPE`/`# HELP` lines.
    pub fn family_name(self, name: &str, form: NameForm) -> &str {
        match (form, self.required_suffix()) {
            (NameForm::OpenMetrics, Some(suffix)) => name.strip_suffix(suffix).unwrap_or(name),
            _ => name,
        }
    }

    /// Whether `label` may be declared on a family of this kind; the reason when it may not.
    pub fn label_reserved(self, label: &str) -> Option<&'static str> {
        if label.starts_with("__") {
            Some("names starting with `__` belong to Prometheus")
        } else if label == QUANTILE_LABEL {
            Some("it holds summary quantiles")
        } else if label == BUCKET_LABEL && self == Kind::Histogram {
            Some("it holds histogram bucket bounds")
        } else {
            None
        }
    }
}

/// The suffix that `name` must not end in for a family of `kind`, and the kind whose samples the
/// suffix marks; `None` when the name is free of them.
///
/// A gauge named `x_total` reads as a counter, and one named `x_count`, `x_sum` or `x_bucket` as
/// a histogram sample: PromQL (`rate()` on `_total`), linters such as `promtool check metrics`
/// and dashboard tools treat such names by their suffix, not by the `# TYPE` line.
///
/// ```
/// use promdecl_spec::{reserved_suffix, Kind};
///
/// assert_eq!(reserved_suffix(Kind::Gauge, "peers_total"), Some(("_total", Kind::Counter)));
/// assert_eq!(reserved_suffix(Kind::Gauge, "peer_count"), Some(("_count", Kind::Histogram)));
/// assert_eq!(reserved_suffix(Kind::Gauge, "peers"), None);
/// assert_eq!(reserved_suffix(Kind::Counter, "peers_total"), None);
/// ```
pub fn reserved_suffix(kind: Kind, name: &str) -> Option<(&'static str, Kind)> {
    if kind != Kind::Gauge {
        return None;
    }
    let counter = Kind::Counter.required_suffix().map(|s| (s, Kind::Counter));
    let histogram = HISTOGRAM_SUFFIXES.iter().map(|s| (*s, Kind::Histogram));
    counter
        .into_iter()
        .chain(histogram)
        .find(|(suffix, _)| name.ends_with(suffix))
}

/// Whether a histogram with these bucket upper bounds exposes `_sum` and `_count`: only when no
/// bound is negative.
///
/// OpenMetrics 1.0, "Histogram": "Semantically, Sum, and buckets values are counters so MUST NOT
/// be NaN or negative. Negative threshold buckets MAY be used, but then the Histogram
/// MetricPoint MUST NOT contain a sum value as it would no longer be a counter semantically."
/// And in the text format: "If and only if a Sum Value is present in a MetricPoint, then the
/// MetricPoint's +Inf Bucket value MUST also appear in a Sample with a MetricName with the
/// suffix "_count"." So a histogram with a negative bound exposes its `_bucket` samples only
/// (the `+Inf` bucket is its count), in every format alike.
///
/// ```
/// assert!(promdecl_spec::histogram_has_sum(&[0.0, 0.5, 1.0]));
/// assert!(!promdecl_spec::histogram_has_sum(&[-1.0, 0.0, 1.0]));
/// ```
pub fn histogram_has_sum(bounds: &[f64]) -> bool {
    bounds.iter().all(|b| *b >= 0.0)
}

/// The observations a histogram with these bucket bounds can count; others are dropped.
///
/// Only finite values: a NaN observation would make the sum NaN, and OpenMetrics forbids a NaN
/// sum or bound ("MUST NOT be NaN"); an infinite one would make the sum infinite (and NaN after
/// one of the other sign) for every later scrape, so the sum would stop being a number. A
/// histogram that exposes `_sum` ([`histogram_has_sum`]) counts no negative value either, since
/// its sum is a counter and "MUST NOT be [...] negative". A histogram with a negative bound counts
/// any finite value.
///
/// ```
/// use promdecl_spec::histogram_observable;
///
/// let latency = histogram_observable(&[0.1, 1.0]);
/// assert!(latency.contains(&0.0) && latency.contains(&1e308));
/// assert!(!latency.contains(&-0.5) && !latency.contains(&f64::NAN) && !latency.contains(&f64::INFINITY));
/// let skew = histogram_observable(&[-1.0, 0.0, 1.0]);
/// assert!(skew.contains(&-0.5) && !skew.contains(&f64::NEG_INFINITY));
/// ```
pub fn histogram_observable(bounds: &[f64]) -> core::ops::RangeInclusive<f64> {
    let lowest = if histogram_has_sum(bounds) {
        0.0
    } else {
        f64::MIN
    };
    lowest..=f64::MAX
}

/// Whether `label` may be a const label of a registry, which every kind of family carries.
pub fn const_label_reserved(label: &str) -> Option<&'static str> {
    Kind::Histogram.label_reserved(label)
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`: the metric name grammar.
pub fn is_metric_name(s: &str) -> bool {
    grammar(
        s,
        |c| c.is_ascii_alphabetic() || c == '_' || c == ':',
        |c| c.is_ascii_alphanumeric() || c == '_' || c == ':',
    )
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`: the label name grammar, also used for name prefixes.
pub fn is_label_name(s: &str) -> bool {
    grammar(
        s,
        |c| c.is_ascii_alphabetic() || c == '_',
        |c| c.is_ascii_alphanumeric() || c == '_',
    )
}

fn grammar(s: &str, first: impl Fn(char) -> bool, rest: impl Fn(char) -> bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(first) && chars.all(rest)
}

/// The unit a name of this kind ends in (before a counter's `_total`), if it is one of [`UNITS`].
pub fn unit_of(kind: Kind, name: &str) -> Option<&'static str> {
    let base = unit_base(kind, name);
    UNITS.iter().copied().find(|u| ends_with_unit(base, u))
}

/// Whether a name of this kind ends in `_<unit>` (before a counter's `_total`).
pub fn name_has_unit(kind: Kind, name: &str, unit: &str) -> bool {
    ends_with_unit(unit_base(kind, name), unit)
}

fn unit_base(kind: Kind, name: &str) -> &str {
    match kind {
        Kind::Counter => name.strip_suffix(TOTAL_SUFFIX).unwrap_or(name),
        _ => name,
    }
}

/// Whether `name` ends in `_<unit>` exactly (OpenMetrics writes `# UNIT` only then).
pub fn ends_with_unit(name: &str, unit: &str) -> bool {
    name.strip_suffix(unit).is_some_and(|s| s.ends_with('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_follows_the_data_model() {
        assert!(is_metric_name("a:b_c1"));
        assert!(!is_metric_name("1abc"));
        assert!(!is_metric_name(""));
        assert!(!is_metric_name("a-b"));
        assert!(is_label_name("_x1"));
        assert!(!is_label_name("a:b"));
    }

    #[test]
    fn reserved_labels_depend_on_kind() {
        assert!(Kind::Histogram.label_reserved("le").is_some());
        assert!(Kind::Gauge.label_reserved("le").is_none());
        assert!(Kind::Gauge.label_reserved("quantile").is_some());
        assert!(Kind::Counter.label_reserved("__name__").is_some());
        assert!(const_label_reserved("le").is_some());
    }

    #[test]
    fn family_names_per_format() {
        assert_eq!(
            Kind::Counter.family_name("x_total", NameForm::Exposed),
            "x_total"
        );
        assert_eq!(
            Kind::Info.family_name("build_info", NameForm::OpenMetrics),
            "build"
        );
        assert_eq!(
            Kind::Gauge.family_name("g_total", NameForm::OpenMetrics),
            "g_total"
        );
    }

    #[test]
    fn units_read_off_names() {
        assert_eq!(unit_of(Kind::Counter, "sent_bytes_total"), Some("bytes"));
        assert_eq!(unit_of(Kind::Gauge, "latency_seconds"), Some("seconds"));
        assert_eq!(unit_of(Kind::Gauge, "nanoseconds"), None);
        assert!(name_has_unit(Kind::Histogram, "size_bytes", "bytes"));
    }

    #[test]
    fn families_occupy_every_name_they_take_in_any_format() {
        let names: Vec<String> = Kind::Histogram.occupied_names("h").collect();
        assert_eq!(names, ["h", "h_bucket", "h_sum", "h_count", "h_created"]);
        let names: Vec<String> = Kind::Counter.occupied_names("c_total").collect();
        assert_eq!(names, ["c_total", "c", "c_created"]);
        let names: Vec<String> = Kind::Info.occupied_names("b_info").collect();
        assert_eq!(names, ["b_info", "b"]);
        let names: Vec<String> = Kind::Gauge.occupied_names("g_total").collect();
        assert_eq!(names, ["g_total"]);
        let names: Vec<String> = Kind::Summary.occupied_names("s_seconds").collect();
        assert_eq!(
            names,
            [
                "s_seconds",
                "s_seconds_sum",
                "s_seconds_count",
                "s_seconds_created"
            ]
        );
        // A name without its kind's suffix (hand-written descriptors) still occupies itself.
        let names: Vec<String> = Kind::Counter.occupied_names("c").collect();
        assert_eq!(names, ["c", "c_total", "c_created"]);
    }
}
