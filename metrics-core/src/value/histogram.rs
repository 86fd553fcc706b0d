//! Histogram series: per-lane bucket counts and sums, and native buckets when declared.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::lane::{add_f64, saturating_add, Lane, Lanes};
use super::native::{NativeSnapshot, NativeValue};
use super::{Reading, Record, Series, Timer};
use crate::desc::FamilyDesc;

/// A histogram series: per-lane atomic bucket counts and sums, no lock.
///
/// Buckets are stored non-cumulatively and summed at scrape time, so `_count` always equals the
/// `+Inf` bucket within one scrape. `_sum` may lag an in-flight observation by one value.
///
/// Every exposition is valid OpenMetrics whatever is observed
/// ([`promdecl_spec::histogram_observable`]):
/// - NaN and ±Inf are dropped, never reaching a bucket or the sum, and counted
///   ([`HistogramValue::dropped`], exposed per family as `metrics_observations_dropped_total`);
/// - a histogram whose bounds are all non-negative exposes `_sum` and `_count`; its sum is a
///   counter, so it drops negative observations too (counted the same way);
/// - a histogram with a negative bound (`buckets = [-1.0, 0.0, 1.0]`) counts any finite value
///   and exposes its `_bucket` samples only, no `_sum` or `_count`, in every format
///   ([`promdecl_spec::histogram_has_sum`]); its `+Inf` bucket is the count.
///
/// Finite observations so large that the sum overflows (two of `1e308`) make the sum `+Inf`,
/// which OpenMetrics accepts. Bucket counts grow by one per observation, so they cannot reach
/// `u64::MAX`; their sums at scrape time saturate regardless.
///
/// # Native buckets
///
/// A family declared with native buckets ([`FamilyDesc::native`]) also counts every
/// observation in Prometheus's sparse exponential buckets, read at scrape time with
/// [`HistogramValue::native`]. The same observations reach both parts: NaN and ±Inf are
/// dropped and counted as above (where Prometheus would count a NaN and make the sum NaN), and
/// negative values only reach the native negative buckets of a histogram with a negative
/// classic bound. A native-only histogram (declared with no classic buckets: its bounds are
/// empty) still exposes `_count`, `_sum` and one `le="+Inf"` bucket in the text formats.
///
/// Observing into a native bucket that exists is lock-free: two atomic adds on the table's
/// observer count, a few loads and one atomic add on the bucket, with no allocation; a new
/// bucket is claimed with a compare-and-swap. An observer never waits for another thread (a
/// resolution change, at most 12 per series, moves the counts to a spare table and waits only
/// for observers already in the old one). Each series allocates its native table once, when
/// created: a power of two of cells, 12 bytes each, at least twice `max_buckets` (and more than
/// the buckets that can exist at schema -4), plus an overflow count per schema -4 bucket: about
/// 7 KiB for the defaults, and 13 KiB once the first resolution change has made the spare table.
///
/// ```
/// use promdecl::value::{HistogramValue, NativeSpec, Series};
/// use promdecl::{FamilyDesc, Kind};
///
/// static D: FamilyDesc = FamilyDesc { name: "rpc_seconds", kind: Kind::Histogram, help: "h",
///     unit: None, labels: &[], buckets: Some(&[]), native: Some(NativeSpec::from_factor(2.0)),
///     summary: None,
///     max_series: None, idle_timeout: None, note: None };
/// let h = HistogramValue::new(&D);
/// for v in [0.5, 1.0, 3.0, 3.5] {
///     h.observe(v);
/// }
/// let native = h.native().expect("declared native");
/// // Schema 0: 0.5 in (1/4, 1/2], 1.0 in (1/2, 1], 3.0 and 3.5 in (2, 4].
/// assert_eq!(native.schema, 0);
/// assert_eq!(native.positive, [(-1, 1), (0, 1), (2, 2)]);
/// assert_eq!((native.count, native.sum), (4, 8.0));
/// // The classic part: no bounds, so only `+Inf`.
/// let mut cumulative = Vec::new();
/// h.cumulative_into(&mut cumulative);
/// assert_eq!(cumulative, [4]);
/// ```
#[derive(Debug)]
pub struct HistogramValue {
    bounds: &'static [f64],
    /// Each lane: its sum (f64 bits), then `bounds.len() + 1` bucket cells.
    lanes: Lanes,
    /// Bounds of the observations counted ([`promdecl_spec::histogram_observable`]); the rest
    /// are dropped. Two plain floats: `RangeInclusive::contains` also reads its exhausted flag.
    lowest: f64,
    highest: f64,
    /// Observations dropped; written only when one is.
    dropped: AtomicU64,
    /// The native buckets, when the family declares them (boxed: a classic series pays one
    /// pointer).
    native: Option<Box<NativeValue>>,
}

/// The first bucket whose bound is `>= v`: the number of bounds below `v`. Counting them all
/// is branch-free and the comparisons are independent (the compiler vectorises them), where a
/// binary search is a chain of dependent loads; it wins for any bucket count a histogram has in
/// practice, so bisection is kept for long lists only.
#[inline(always)]
fn bucket_of(bounds: &[f64], v: f64) -> usize {
    if bounds.len() <= 64 {
        bounds.iter().map(|&b| usize::from(b < v)).sum()
    } else {
        bounds.partition_point(|&b| b < v)
    }
}

/// Cell of a lane holding the sum; bucket `i` is cell `i + 1`.
const SUM: usize = 0;

impl HistogramValue {
    /// Records one observation: NaN and ±Inf, and negative values when the histogram exposes a
    /// sum, are dropped and counted instead (see [`HistogramValue`]).
    #[inline]
    pub fn observe(&self, v: f64) {
        // NaN fails both comparisons.
        if !(v >= self.lowest && v <= self.highest) {
            self.drop_observation();
            return;
        }
        let bucket = bucket_of(self.bounds, v);
        let lane = Lane::of_thread();
        if let Some(c) = self.lanes.cell(lane.index, bucket + 1) {
            lane.add_one(c);
        }
        if let Some(c) = self.lanes.cell(lane.index, SUM) {
            lane.add_f64(c, v);
        }
        if let Some(native) = &self.native {
            native.observe(v);
        }
    }

    /// Observes `v` and keeps `labels` (a `trace_id`, say) as the exemplar of the bucket `v`
    /// falls in, exposed in OpenMetrics and protobuf. The observation always counts as
    /// [`observe`](Self::observe) counts it; the exemplar is refused, with the reason, when
    /// its labels break OpenMetrics' rules, and not kept for a dropped value.
    pub fn observe_with_exemplar(
        &self,
        v: f64,
        labels: &[(&str, &str)],
    ) -> Result<(), crate::ExemplarError> {
        self.observe(v);
        if !(v >= self.lowest && v <= self.highest) {
            // Dropped: no exemplar to keep, but bad labels are still reported.
            return crate::exemplar::check(labels);
        }
        let bucket = bucket_of(self.bounds, v);
        crate::exemplar::record(crate::exemplar::address(self), bucket, labels, v)
    }

    #[cold]
    #[inline(never)]
    fn drop_observation(&self) {
        saturating_add(&self.dropped, 1);
    }

    /// Observations dropped because OpenMetrics could not represent them: NaN, ±Inf, and
    /// negative values in a histogram that exposes `_sum`.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// Whether this histogram exposes `_sum` and `_count`: when none of its bounds is negative.
    pub fn has_sum(&self) -> bool {
        promdecl_spec::histogram_has_sum(self.bounds)
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    pub fn start_timer(&self) -> Timer<&Self> {
        Timer::new(self)
    }

    fn bucket(&self, i: usize) -> u64 {
        self.lanes.sum_u64(i + 1)
    }

    /// Total number of observations (saturating at `u64::MAX`).
    pub fn count(&self) -> u64 {
        (0..=self.bounds.len()).fold(0u64, |acc, i| acc.saturating_add(self.bucket(i)))
    }

    /// Sum of the observations counted (internal for a histogram without `_sum`).
    pub fn sum(&self) -> f64 {
        self.lanes.sum_f64(SUM)
    }

    /// The bucket upper bounds (without `+Inf`).
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// The native buckets now, for the encoders; `None` unless the family declares them.
    ///
    /// Its `count` is the sum of its buckets (as Prometheus requires); the classic buckets,
    /// read separately, may differ from it by observations in flight.
    pub fn native(&self) -> Option<NativeSnapshot> {
        let native = self.native.as_ref()?;
        Some(native.snapshot(self.sum()))
    }

    /// Whether this histogram keeps native buckets.
    pub fn is_native(&self) -> bool {
        self.native.is_some()
    }

    /// Cumulative counts per bucket, the last being `+Inf`, each read once, into `out`
    /// (saturating, so they never decrease along the buckets).
    pub fn cumulative_into(&self, out: &mut Vec<u64>) {
        out.clear();
        let mut acc = 0u64;
        for i in 0..=self.bounds.len() {
            acc = acc.saturating_add(self.bucket(i));
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
    const KIND: crate::Kind = crate::Kind::Histogram;
    fn new(desc: &'static FamilyDesc) -> Self {
        let bounds = desc.buckets.unwrap_or(crate::buckets::DEFAULT);
        // The sum, buckets and `+Inf`; 0.0 is all-zero bits, so zeroed cells start every sum at 0.
        let observable = promdecl_spec::histogram_observable(bounds);
        let (lowest, highest) = (*observable.start(), *observable.end());
        Self {
            bounds,
            lanes: Lanes::new(bounds.len() + 2),
            lowest,
            highest,
            dropped: AtomicU64::new(0),
            native: desc
                .native
                .map(|spec| Box::new(NativeValue::new(&spec, lowest < 0.0))),
        }
    }
    fn read(&self) -> Reading<'_> {
        Reading::Histogram(self)
    }
    fn record(&self, v: f64) {
        self.observe(v);
    }
    fn dropped(&self) -> u64 {
        HistogramValue::dropped(self)
    }
    fn absorb(&self, other: &Self) {
        // Into a shared lane, whose cells take atomic adds from any thread.
        let lane = self.lanes.shared_lane();
        for i in 0..=self.bounds.len().min(other.bounds.len()) {
            if let Some(c) = self.lanes.cell(lane, i + 1) {
                saturating_add(c, other.bucket(i));
            }
        }
        if let Some(c) = self.lanes.cell(lane, SUM) {
            add_f64(c, other.sum());
        }
        saturating_add(&self.dropped, other.dropped());
        if let (Some(mine), Some(theirs)) = (&self.native, &other.native) {
            mine.absorb(&theirs.snapshot(0.0));
        }
    }
    fn reset(&self) {
        self.lanes.clear();
        self.dropped.store(0, Relaxed);
        if let Some(native) = &self.native {
            native.reset();
        }
    }
}
