//! The series types: one atomic (or a few) per labelled series.
//!
//! Every update is a relaxed atomic operation: no lock, no allocation, no panic. Series know
//! nothing of exposition formats: each one offers a [`Reading`], and the formats in
//! `encode/` write readings.

use std::ops::Deref;
use std::time::Instant;

use crate::desc::FamilyDesc;

mod counter;
mod gauge;
mod histogram;
mod lane;
mod native;
mod summary;

pub use counter::{CounterValue, FloatCounterValue, ShardedCounterValue};
pub use gauge::{GaugeValue, IntGaugeValue};
pub use histogram::HistogramValue;
pub use native::{buckets_from_spans, spans_and_deltas, BucketSpan, NativeSnapshot};
pub use summary::{SummarySnapshot, SummaryValue};
// The descriptor part of native buckets, next to the series that keeps them.
pub use crate::desc::NativeSpec;
pub(crate) use lane::saturating_add;
pub use lane::{layout as lane_layout, Layout as LaneLayout};

/// The current value of one series, borrowed: what every exposition format writes.
#[derive(Debug, Clone, Copy)]
pub enum Reading<'a> {
    /// An integer counter.
    Counter(u64),
    /// A float counter.
    FloatCounter(f64),
    /// A float gauge.
    Gauge(f64),
    /// An integer gauge.
    IntGauge(i64),
    /// A histogram, read bucket by bucket by the format.
    Histogram(&'a HistogramValue),
    /// A summary, read once per scrape with [`SummaryValue::snapshot`].
    Summary(&'a SummaryValue),
    /// An info series (always 1).
    Info,
}

impl Reading<'_> {
    /// An owned snapshot of this reading.
    pub fn to_sample(self) -> Sample {
        match self {
            Reading::Counter(v) => Sample::Counter(v),
            Reading::FloatCounter(v) => Sample::FloatCounter(v),
            Reading::Gauge(v) => Sample::Gauge(v),
            Reading::IntGauge(v) => Sample::IntGauge(v),
            Reading::Histogram(h) => {
                let mut cum = Vec::with_capacity(h.bounds().len() + 1);
                h.cumulative_into(&mut cum);
                let bounds = h.bounds().iter().copied().chain([f64::INFINITY]);
                Sample::Histogram {
                    buckets: bounds.zip(cum).collect(),
                    sum: h.has_sum().then(|| h.sum()),
                }
            }
            Reading::Summary(s) => Sample::Summary(s.snapshot()),
            Reading::Info => Sample::Info,
        }
    }
}

/// An owned snapshot of one series, for tests, the HTML index and interop encoders.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// An integer counter.
    Counter(u64),
    /// A float counter.
    FloatCounter(f64),
    /// A float gauge.
    Gauge(f64),
    /// An integer gauge.
    IntGauge(i64),
    /// A histogram: cumulative bucket counts (the last is `+Inf`) and the sum.
    Histogram {
        /// `(upper bound, cumulative count)` including `(+Inf, count)`.
        buckets: Vec<(f64, u64)>,
        /// Sum of observations; `None` for a histogram with a negative bound, which exposes
        /// no `_sum` (nor `_count`) in OpenMetrics ([`promdecl_spec::histogram_has_sum`]).
        sum: Option<f64>,
    },
    /// A summary: its quantiles over the window, count and sum.
    Summary(SummarySnapshot),
    /// An info series (always 1).
    Info,
}

impl Sample {
    /// The single value of a scalar sample; a histogram's or summary's count; `1` for info.
    pub fn value(&self) -> f64 {
        match self {
            Sample::Counter(v) => *v as f64,
            Sample::FloatCounter(v) | Sample::Gauge(v) => *v,
            Sample::IntGauge(v) => *v as f64,
            Sample::Histogram { buckets, .. } => buckets.last().map_or(0.0, |b| b.1 as f64),
            Sample::Summary(s) => s.count as f64,
            Sample::Info => 1.0,
        }
    }
}

/// A series type stored in a [`Family`](crate::Family). Implemented by the types of this module.
pub trait Series: Send + Sync + 'static {
    /// The kind of family this series belongs to.
    const KIND: crate::Kind;
    /// Creates a zeroed series for a family.
    fn new(desc: &'static FamilyDesc) -> Self;
    /// The current value, borrowed.
    fn read(&self) -> Reading<'_>;
    /// An owned snapshot of the current value.
    fn sample(&self) -> Sample {
        self.read().to_sample()
    }
    /// Applies a value the way the kind records one: counters add it (ignoring negative or
    /// non-finite amounts, saturating integer counters at `u64::MAX`), gauges set it,
    /// histograms observe it.
    fn record(&self, v: f64);
    /// Updates this series dropped because the exposition could not represent them (a
    /// histogram's NaN observation); 0 for kinds that drop none.
    fn dropped(&self) -> u64 {
        0
    }
    /// Adds the values of `other`, a series of the same family taken out and brought back
    /// (an idle series an update raced with): counters and histograms add, gauges keep their
    /// own, newer value.
    fn absorb(&self, other: &Self);
    /// Zeroes the series, for a slot freed by a removal and handed to a new tuple.
    fn reset(&self);
}

/// Something a [`Timer`] can record elapsed seconds into.
pub trait Record {
    /// Records one duration in seconds.
    fn record_seconds(&self, seconds: f64);
}

/// Records the seconds elapsed since its creation when dropped.
///
/// ```
/// # use promdecl::{FamilyDesc, Kind, value::Series};
/// # static D: FamilyDesc = FamilyDesc { name: "t_seconds", kind: Kind::Histogram, help: "h",
/// #   unit: None, labels: &[], buckets: Some(&[0.1, 1.0]), max_series: None,
/// #   native: None, summary: None, idle_timeout: None, note: None };
/// # let h = promdecl::value::HistogramValue::new(&D);
/// {
///     let _t = h.start_timer();
///     // work
/// }
/// assert_eq!(h.count(), 1);
/// ```
#[must_use = "the timer records when dropped; bind it with `let _t = ...`"]
#[derive(Debug)]
pub struct Timer<T>
where
    T: Deref,
    T::Target: Record,
{
    target: T,
    start: Instant,
}

impl<T> Timer<T>
where
    T: Deref,
    T::Target: Record,
{
    pub(crate) fn new(target: T) -> Self {
        Self {
            target,
            start: Instant::now(),
        }
    }

    /// Stops the timer now and returns the seconds it recorded.
    pub fn observe_duration(self) -> f64 {
        self.start.elapsed().as_secs_f64()
        // recorded by Drop
    }
}

impl<T> Drop for Timer<T>
where
    T: Deref,
    T::Target: Record,
{
    fn drop(&mut self) {
        self.target
            .record_seconds(self.start.elapsed().as_secs_f64());
    }
}
