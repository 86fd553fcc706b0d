//! The series types: one atomic (or a few) per labelled series.
//!
//! Every update is a relaxed atomic operation: no lock, no allocation, no panic.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use crate::desc::FamilyDesc;

/// A snapshot of one series, for tests, the HTML index and interop encoders.
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
        /// Sum of observations.
        sum: f64,
    },
    /// An info series (always 1).
    Info,
}

impl Sample {
    /// The single value of a scalar sample; a histogram's count; `1` for info.
    pub fn value(&self) -> f64 {
        match self {
            Sample::Counter(v) => *v as f64,
            Sample::FloatCounter(v) | Sample::Gauge(v) => *v,
            Sample::IntGauge(v) => *v as f64,
            Sample::Histogram { buckets, .. } => buckets.last().map_or(0.0, |b| b.1 as f64),
            Sample::Info => 1.0,
        }
    }
}

/// A series type stored in a [`Family`](crate::Family).
pub trait Series: Send + Sync + 'static {
    /// Creates a zeroed series for a family.
    fn new(desc: &'static FamilyDesc) -> Self;
    /// Reads the current value.
    fn sample(&self) -> Sample;
    /// Applies a value the way the kind records one: counters add it (ignoring negative or
    /// non-finite amounts), gauges set it, histograms observe it.
    fn record(&self, v: f64);
}

/// Something a [`Timer`] can record elapsed seconds into.
pub trait Record {
    /// Records one duration in seconds.
    fn record_seconds(&self, seconds: f64);
}

/// Records the seconds elapsed since its creation when dropped.
///
/// ```
/// # use promdecl::{Histogram, FamilyDesc, Kind, value::Series};
/// # static D: FamilyDesc = FamilyDesc { name: "t_seconds", kind: Kind::Histogram, help: "h",
/// #   unit: None, labels: &[], buckets: Some(&[0.1, 1.0]), max_series: None, note: None };
/// # let h = promdecl::value::HistogramValue::new(&D);
/// {
///     let _t = h.start_timer();
///     // work
/// }
/// assert_eq!(h.count(), 1);
/// ```
#[must_use = "the timer records when dropped; bind it with `let _t = ...`"]
#[derive(Debug)]
pub struct Timer<'a, R: Record> {
    target: &'a R,
    start: Instant,
}

impl<'a, R: Record> Timer<'a, R> {
    fn new(target: &'a R) -> Self {
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

impl<R: Record> Drop for Timer<'_, R> {
    fn drop(&mut self) {
        self.target
            .record_seconds(self.start.elapsed().as_secs_f64());
    }
}

/// Adds `delta` to an `f64` stored as bits; a CAS loop because there is no atomic float add.
#[inline]
pub(crate) fn add_f64(cell: &AtomicU64, delta: f64) {
    let mut cur = cell.load(Relaxed);
    loop {
        let next = (f64::from_bits(cur) + delta).to_bits();
        match cell.compare_exchange_weak(cur, next, Relaxed, Relaxed) {
            Ok(_) => return,
            Err(actual) => cur = actual,
        }
    }
}

/// An integer counter series.
#[derive(Debug, Default)]
pub struct CounterValue(AtomicU64);

impl CounterValue {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.fetch_add(1, Relaxed);
    }
    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }
    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// `Series` and `EncodeSeries` for an integer counter type with `get` and `inc_by(u64)`.
macro_rules! integer_counter_series {
    ($t:ty) => {
        impl $crate::value::Series for $t {
            fn new(_: &'static $crate::FamilyDesc) -> Self {
                Self::default()
            }
            fn sample(&self) -> $crate::value::Sample {
                $crate::value::Sample::Counter(self.get())
            }
            fn record(&self, v: f64) {
                // Counters never go down; a non-finite or negative amount is ignored.
                if v.is_finite() && v >= 0.0 {
                    self.inc_by(v as u64);
                }
            }
        }

        impl $crate::encode::EncodeSeries for $t {
            fn encode(&self, enc: &mut $crate::encode::FamilyEncoder<'_>, labels: &str) {
                enc.sample("", labels, None, $crate::encode::Num::U64(self.get()));
            }
        }
    };
}
pub(crate) use integer_counter_series;

integer_counter_series!(CounterValue);

/// A float counter series, for amounts (currency, work units).
#[derive(Debug, Default)]
pub struct FloatCounterValue(AtomicU64);

impl FloatCounterValue {
    /// Adds `v`. Negative, infinite or NaN amounts are ignored: a counter never goes down.
    #[inline]
    pub fn inc_by(&self, v: f64) {
        if v.is_finite() && v > 0.0 {
            add_f64(&self.0, v);
        }
    }
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        add_f64(&self.0, 1.0);
    }
    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Relaxed))
    }
}

impl Series for FloatCounterValue {
    fn new(_: &'static FamilyDesc) -> Self {
        Self::default()
    }
    fn sample(&self) -> Sample {
        Sample::FloatCounter(self.get())
    }
    fn record(&self, v: f64) {
        self.inc_by(v);
    }
}

/// A float gauge series.
#[derive(Debug, Default)]
pub struct GaugeValue(AtomicU64);

impl GaugeValue {
    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Relaxed);
    }
    /// Adds `v` (which may be negative).
    #[inline]
    pub fn add(&self, v: f64) {
        add_f64(&self.0, v);
    }
    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        add_f64(&self.0, -v);
    }
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1.0);
    }
    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.add(-1.0);
    }
    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Relaxed))
    }
    /// Starts a timer that sets this gauge to the elapsed seconds when dropped.
    pub fn start_timer(&self) -> Timer<'_, Self> {
        Timer::new(self)
    }
}

impl Record for GaugeValue {
    fn record_seconds(&self, seconds: f64) {
        self.set(seconds);
    }
}

impl Series for GaugeValue {
    fn new(_: &'static FamilyDesc) -> Self {
        Self::default()
    }
    fn sample(&self) -> Sample {
        Sample::Gauge(self.get())
    }
    fn record(&self, v: f64) {
        self.set(v);
    }
}

/// An integer gauge series.
#[derive(Debug, Default)]
pub struct IntGaugeValue(AtomicI64);

impl IntGaugeValue {
    /// Sets the value.
    #[inline]
    pub fn set(&self, v: i64) {
        self.0.store(v, Relaxed);
    }
    /// Adds `v` (wrapping, never panicking).
    #[inline]
    pub fn add(&self, v: i64) {
        self.0.fetch_add(v, Relaxed);
    }
    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: i64) {
        self.0.fetch_sub(v, Relaxed);
    }
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }
    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.sub(1);
    }
    /// The current value.
    pub fn get(&self) -> i64 {
        self.0.load(Relaxed)
    }
}

impl Series for IntGaugeValue {
    fn new(_: &'static FamilyDesc) -> Self {
        Self::default()
    }
    fn sample(&self) -> Sample {
        Sample::IntGauge(self.get())
    }
    fn record(&self, v: f64) {
        self.set(v as i64);
    }
}

/// Lanes per histogram series (3 owned by one thread each, 1 shared; see [`crate::sharded`]):
/// two cores hammering one histogram do not bounce a line, and owners add without a lock prefix.
pub const HISTOGRAM_LANES: usize = 4;

/// Cells per cache line pair (128 bytes, which also defeats adjacent-line prefetch sharing).
const CELLS_PER_LINE: usize = 16;

/// A 128-byte aligned run of atomics: shards never share a line.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Line([AtomicU64; CELLS_PER_LINE]);

/// A histogram series: per-lane atomic bucket counts and sums, no lock.
///
/// Buckets are stored non-cumulatively and summed at scrape time, so `_count` always equals the
/// `+Inf` bucket within one scrape. `_sum` may lag an in-flight observation by one value.
#[derive(Debug)]
pub struct HistogramValue {
    bounds: &'static [f64],
    /// Each lane: its sum (f64 bits), then `bounds.len() + 1` bucket cells.
    lines: Box<[Line]>,
    lines_per_lane: usize,
}

/// Cell of a lane holding the sum; bucket `i` is cell `i + 1`.
const SUM: usize = 0;

impl HistogramValue {
    #[inline]
    fn cell(&self, lane: usize, i: usize) -> Option<&AtomicU64> {
        let line = self
            .lines
            .get(lane * self.lines_per_lane + i / CELLS_PER_LINE)?;
        line.0.get(i % CELLS_PER_LINE)
    }

    /// Records one observation. NaN goes to the `+Inf` bucket, as in the Go client.
    #[inline]
    pub fn observe(&self, v: f64) {
        // First bucket whose bound is >= v; NaN passes every bound and lands in `+Inf`.
        let bucket = self.bounds.partition_point(|&b| b < v || v.is_nan());
        let lane = crate::sharded::Lane::of_thread(HISTOGRAM_LANES);
        if let Some(c) = self.cell(lane.index, bucket + 1) {
            lane.add_u64(c, 1);
        }
        if let Some(first) = self.lines.get(lane.index * self.lines_per_lane) {
            lane.add_f64(&first.0[SUM], v);
        }
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    pub fn start_timer(&self) -> Timer<'_, Self> {
        Timer::new(self)
    }

    fn bucket(&self, i: usize) -> u64 {
        (0..HISTOGRAM_LANES)
            .filter_map(|lane| self.cell(lane, i + 1))
            .fold(0u64, |acc, c| acc.wrapping_add(c.load(Relaxed)))
    }

    /// Total number of observations.
    pub fn count(&self) -> u64 {
        (0..=self.bounds.len()).fold(0u64, |acc, i| acc.wrapping_add(self.bucket(i)))
    }

    /// Sum of observations.
    pub fn sum(&self) -> f64 {
        (0..HISTOGRAM_LANES)
            .filter_map(|lane| self.cell(lane, SUM))
            .map(|c| f64::from_bits(c.load(Relaxed)))
            .sum()
    }

    /// The bucket upper bounds (without `+Inf`).
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// Cumulative counts per bucket, the last being `+Inf`, each read once, into `out`.
    pub fn cumulative_into(&self, out: &mut Vec<u64>) {
        out.clear();
        let mut acc = 0u64;
        for i in 0..=self.bounds.len() {
            acc = acc.wrapping_add(self.bucket(i));
            out.push(acc);
        }
    }
}

impl Record for HistogramValue {
    fn record_seconds(&self, seconds: f64) {
        self.observe(seconds);
    }
}

impl Series for HistogramValue {
    fn new(desc: &'static FamilyDesc) -> Self {
        let bounds = desc.buckets.unwrap_or(crate::buckets::DEFAULT);
        // The sum, buckets and `+Inf`; 0.0 is all-zero bits, so zeroed cells start every sum at 0.
        let lines_per_lane = (bounds.len() + 2).div_ceil(CELLS_PER_LINE);
        Self {
            bounds,
            lines: (0..lines_per_lane * HISTOGRAM_LANES)
                .map(|_| Line::default())
                .collect(),
            lines_per_lane,
        }
    }
    fn sample(&self) -> Sample {
        let mut cum = Vec::with_capacity(self.bounds.len() + 1);
        self.cumulative_into(&mut cum);
        let buckets = self
            .bounds
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(cum)
            .collect();
        Sample::Histogram {
            buckets,
            sum: self.sum(),
        }
    }
    fn record(&self, v: f64) {
        self.observe(v);
    }
}
