//! Summary series: quantiles over a sliding window of DDSketches, with `_sum` and `_count` over
//! all time.

use std::fmt;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sketches_ddsketch::{Config, DDSketch};

use super::{Reading, Record, Series, Timer};
use crate::desc::{FamilyDesc, SummarySpec};

/// A summary series: a sliding window of quantile sketches behind a per-series lock.
///
/// Observing takes the lock and adds to the newest sketch (a logarithm and an increment), so a
/// summary costs a few times a histogram's observation and serialises threads on one series:
/// prefer a histogram, which aggregates across instances, unless client-side quantiles are
/// needed. The accuracy and the window are those of [`SummarySpec`]; memory is at most
/// `age_buckets` sketches of [`SummarySpec::MAX_SKETCH_BINS`] bins of 8 bytes (about 41 KiB
/// for the defaults), and typically 2–4 KiB per age bucket for latencies.
///
/// Only finite values of at least 0 are counted: `_sum` is a counter in OpenMetrics, which
/// forbids it to be NaN or negative. Others are dropped and counted
/// ([`SummaryValue::dropped`], exposed per family as `metrics_observations_dropped_total`).
///
/// ```
/// use promdecl::value::{Series, SummaryValue};
/// use promdecl::{FamilyDesc, Kind, SummarySpec};
///
/// static D: FamilyDesc = FamilyDesc { name: "rpc_seconds", kind: Kind::Summary, help: "h",
///     unit: None, labels: &[], buckets: None, native: None, summary: Some(SummarySpec::DEFAULT),
///     max_series: None, idle_timeout: None, note: None };
/// let s = SummaryValue::new(&D);
/// for ms in 1..=1000 {
///     s.observe(f64::from(ms));
/// }
/// let snapshot = s.snapshot();
/// assert_eq!((snapshot.count, snapshot.sum), (1000, 500_500.0));
/// // p99 is the value at rank floor(0.99 * 999) = 989 of 0..1000, which is 990.
/// let (q, p99) = snapshot.quantiles[2];
/// assert_eq!(q, 0.99);
/// assert!((p99 - 990.0).abs() <= 990.0 * SummarySpec::RELATIVE_ACCURACY);
/// ```
pub struct SummaryValue {
    spec: SummarySpec,
    state: Mutex<State>,
}

struct State {
    /// The age buckets, a ring; `head` takes observations.
    sketches: Box<[DDSketch]>,
    head: usize,
    /// When `head` began to be the newest; `None` until the first read, so creating and
    /// observing read no clock.
    head_since: Option<Instant>,
    count: u64,
    sum: f64,
    dropped: u64,
}

/// A summary read at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SummarySnapshot {
    /// `(quantile, value)` for each declared quantile; the value is NaN when the window holds
    /// no observation.
    pub quantiles: Vec<(f64, f64)>,
    /// Observations counted since the series was created.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
}

fn sketch() -> DDSketch {
    // Values at most 1e-9 count as zero: nothing summarised is finer than a nanosecond.
    DDSketch::new(Config::new(
        SummarySpec::RELATIVE_ACCURACY,
        SummarySpec::MAX_SKETCH_BINS,
        1e-9,
    ))
}

impl State {
    fn new(spec: &SummarySpec) -> State {
        State {
            sketches: (0..spec.age_buckets.max(1)).map(|_| sketch()).collect(),
            head: 0,
            head_since: None,
            count: 0,
            sum: 0.0,
            dropped: 0,
        }
    }

    /// Starts a fresh age bucket for every `width` elapsed since `head` became the newest.
    fn advance(&mut self, now: Instant, width: Duration) {
        let Some(since) = self.head_since else {
            self.head_since = Some(now);
            return;
        };
        let elapsed = now.saturating_duration_since(since);
        let steps = (elapsed.as_nanos() / width.as_nanos().max(1)) as u64;
        let n = self.sketches.len();
        for _ in 0..steps.min(n as u64) {
            self.head = (self.head + 1) % n;
            self.sketches[self.head] = sketch();
        }
        // Whole widths only, so the buckets keep their phase.
        let advanced = width.saturating_mul(u32::try_from(steps).unwrap_or(u32::MAX));
        self.head_since = Some(since.checked_add(advanced).unwrap_or(now));
    }
}

impl SummaryValue {
    fn with_spec(spec: SummarySpec) -> SummaryValue {
        SummaryValue {
            state: Mutex::new(State::new(&spec)),
            spec,
        }
    }

    /// Records one observation: NaN, ±Inf and negative values are dropped and counted instead.
    #[inline]
    pub fn observe(&self, v: f64) {
        let mut s = self.state.lock();
        if !(0.0..=f64::MAX).contains(&v) {
            s.dropped = s.dropped.saturating_add(1);
            return;
        }
        let head = s.head;
        s.sketches[head].add(v);
        s.count = s.count.saturating_add(1);
        s.sum += v;
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    pub fn start_timer(&self) -> Timer<&Self> {
        Timer::new(self)
    }

    /// Observations dropped: NaN, ±Inf and negative values.
    pub fn dropped(&self) -> u64 {
        self.state.lock().dropped
    }

    /// The declared quantiles and window.
    pub fn spec(&self) -> &SummarySpec {
        &self.spec
    }

    /// The quantiles over the window now, with the count and sum.
    pub fn snapshot(&self) -> SummarySnapshot {
        self.snapshot_at(Instant::now())
    }

    /// The snapshot as of `now`: the window first slides to it.
    fn snapshot_at(&self, now: Instant) -> SummarySnapshot {
        let width = self.spec.max_age / self.spec.age_buckets.max(1);
        let mut s = self.state.lock();
        s.advance(now, width);
        let mut window = sketch();
        for part in s.sketches.iter() {
            // One configuration for every sketch, so merging cannot fail.
            let _ = window.merge(part);
        }
        let (count, sum) = (s.count, s.sum);
        drop(s);
        let quantiles = self
            .spec
            .quantiles
            .iter()
            .map(|&q| (q, window.quantile(q).ok().flatten().unwrap_or(f64::NAN)))
            .collect();
        SummarySnapshot {
            quantiles,
            count,
            sum,
        }
    }
}

impl fmt::Debug for SummaryValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.lock();
        f.debug_struct("SummaryValue")
            .field("spec", &self.spec)
            .field("count", &s.count)
            .field("sum", &s.sum)
            .finish_non_exhaustive()
    }
}

impl Record for SummaryValue {
    fn record_seconds(&self, seconds: f64) {
        self.observe(seconds);
    }
}

impl Series for SummaryValue {
    const KIND: crate::Kind = crate::Kind::Summary;
    fn new(desc: &'static FamilyDesc) -> Self {
        SummaryValue::with_spec(desc.summary.unwrap_or(SummarySpec::DEFAULT))
    }
    fn read(&self) -> Reading<'_> {
        Reading::Summary(self)
    }
    fn record(&self, v: f64) {
        self.observe(v);
    }
    fn dropped(&self) -> u64 {
        SummaryValue::dropped(self)
    }
    fn absorb(&self, other: &Self) {
        // `other` was taken out of its family: no one else locks it, so the order is safe.
        let theirs = other.state.lock();
        let mut mine = self.state.lock();
        let head = mine.head;
        for part in theirs.sketches.iter() {
            let _ = mine.sketches[head].merge(part);
        }
        mine.count = mine.count.saturating_add(theirs.count);
        mine.sum += theirs.sum;
        mine.dropped = mine.dropped.saturating_add(theirs.dropped);
    }
    fn reset(&self) {
        *self.state.lock() = State::new(&self.spec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(spec: SummarySpec) -> SummaryValue {
        SummaryValue::with_spec(spec)
    }

    #[test]
    fn an_empty_window_reports_nan_quantiles_and_keeps_count_and_sum() {
        let spec = SummarySpec::DEFAULT
            .with_max_age(Duration::from_secs(10))
            .with_age_buckets(2);
        let s = summary(spec);
        let t0 = Instant::now();
        assert!(s.snapshot_at(t0).quantiles.iter().all(|(_, v)| v.is_nan()));
        s.observe(2.0);
        s.observe(4.0);
        let now = s.snapshot_at(t0 + Duration::from_secs(1));
        assert_eq!((now.count, now.sum), (2, 6.0));
        assert!(now.quantiles.iter().all(|(_, v)| v.is_finite()));
        // Two age buckets of 5 s: after 10 s both have been replaced.
        let later = s.snapshot_at(t0 + Duration::from_secs(10));
        assert!(later.quantiles.iter().all(|(_, v)| v.is_nan()), "{later:?}");
        assert_eq!(
            (later.count, later.sum),
            (2, 6.0),
            "_count and _sum never slide"
        );
    }

    #[test]
    fn the_window_drops_the_oldest_age_bucket_whole() {
        let spec = SummarySpec::DEFAULT
            .with_quantiles(&[1.0])
            .with_max_age(Duration::from_secs(30))
            .with_age_buckets(3);
        let s = summary(spec);
        let t0 = Instant::now();
        s.snapshot_at(t0);
        s.observe(100.0);
        // 10 s later the 100 is in the older of two live buckets; a 1 arrives in the new one.
        assert_eq!(
            s.snapshot_at(t0 + Duration::from_secs(10)).quantiles[0].1,
            100.0
        );
        s.observe(1.0);
        assert_eq!(
            s.snapshot_at(t0 + Duration::from_secs(29)).quantiles[0].1,
            100.0
        );
        // At 30 s the bucket holding 100 is replaced; the 1 is still in the window.
        let max = s.snapshot_at(t0 + Duration::from_secs(30)).quantiles[0].1;
        assert_eq!(max, 1.0);
    }

    #[test]
    fn unrepresentable_values_are_dropped_and_counted() {
        let s = summary(SummarySpec::DEFAULT);
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0] {
            s.observe(v);
        }
        s.observe(0.0);
        let snap = s.snapshot();
        assert_eq!((s.dropped(), snap.count, snap.sum), (4, 1, 0.0));
        assert_eq!(snap.quantiles[0].1, 0.0);
    }

    #[test]
    fn absorb_and_reset() {
        let (a, b) = (summary(SummarySpec::DEFAULT), summary(SummarySpec::DEFAULT));
        a.observe(1.0);
        b.observe(3.0);
        b.observe(f64::NAN);
        a.absorb(&b);
        let snap = a.snapshot();
        assert_eq!((snap.count, snap.sum, a.dropped()), (2, 4.0, 1));
        a.reset();
        let snap = a.snapshot();
        assert_eq!((snap.count, snap.sum, a.dropped()), (0, 0.0, 0));
        assert!(snap.quantiles[0].1.is_nan());
    }
}
