//! Counter series: integer, float, and sharded per thread.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::lane::{add_f64, saturating_add, Lane, Lanes};
use super::{Reading, Series};
use crate::desc::FamilyDesc;
use crate::exemplar::{self, ExemplarError};

/// An integer counter series. It saturates at `u64::MAX` instead of wrapping.
///
/// ```
/// # use promdecl::{FamilyDesc, Kind, value::{CounterValue, Series}};
/// # static D: FamilyDesc = FamilyDesc { name: "c_total", kind: Kind::Counter, help: "h",
/// #   unit: None, labels: &[], buckets: None, native: None, summary: None, max_series: None, idle_timeout: None,
/// #   note: None };
/// let c = CounterValue::new(&D);
/// c.inc_by(u64::MAX - 1);
/// c.inc_by(5);
/// c.inc();
/// assert_eq!(c.get(), u64::MAX);
/// ```
#[derive(Debug, Default)]
pub struct CounterValue(AtomicU64);

impl CounterValue {
    /// Adds one, saturating at `u64::MAX`.
    #[inline]
    pub fn inc(&self) {
        saturating_add(&self.0, 1);
    }
    /// Adds `n`, saturating at `u64::MAX`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        saturating_add(&self.0, n);
    }
    /// Adds `n` and keeps `labels` (a `trace_id`, say) as this series' exemplar, exposed in
    /// OpenMetrics and protobuf with `n` as its value. The add always happens; the exemplar
    /// is refused, with the reason, when its labels break OpenMetrics' rules
    /// ([`MAX_EXEMPLAR_LABEL_CHARS`](crate::MAX_EXEMPLAR_LABEL_CHARS)).
    pub fn inc_by_with_exemplar(
        &self,
        n: u64,
        labels: &[(&str, &str)],
    ) -> Result<(), ExemplarError> {
        self.inc_by(n);
        exemplar::record(exemplar::address(self), 0, labels, n as f64)
    }
    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }

    fn clear(&self) {
        self.0.store(0, Relaxed);
    }
}

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
    /// Adds `v` and keeps `labels` as this series' exemplar (see
    /// [`CounterValue::inc_by_with_exemplar`]); an amount the counter ignores keeps none.
    pub fn inc_by_with_exemplar(
        &self,
        v: f64,
        labels: &[(&str, &str)],
    ) -> Result<(), ExemplarError> {
        if !(v.is_finite() && v > 0.0) {
            return Ok(());
        }
        self.inc_by(v);
        exemplar::record(exemplar::address(self), 0, labels, v)
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

/// A counter series sharded per thread. Declare the field as [`ShardedCounter`](crate::ShardedCounter).
///
/// It takes one 128-byte line per lane ([`lane_layout`](crate::lane_layout): up to 16 lanes,
/// 2 KiB, on a large machine), so use it only where many threads hit one series. Each lane
/// and their sum saturate at `u64::MAX` instead of wrapping.
#[derive(Debug)]
pub struct ShardedCounterValue {
    lanes: Lanes,
}

impl Default for ShardedCounterValue {
    fn default() -> Self {
        Self {
            lanes: Lanes::new(1),
        }
    }
}

impl ShardedCounterValue {
    /// Adds one, saturating at `u64::MAX`.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n`, saturating at `u64::MAX`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        let lane = Lane::of_thread();
        if let Some(c) = self.lanes.cell(lane.index, 0) {
            lane.add_u64(c, n);
        }
    }

    /// The current value: the sum of the lanes, saturating at `u64::MAX`.
    pub fn get(&self) -> u64 {
        self.lanes.sum_u64(0)
    }

    fn clear(&self) {
        self.lanes.clear();
    }
}

macro_rules! integer_counter_series {
    ($($t:ty),*) => {$(
        impl Series for $t {
            const KIND: crate::Kind = crate::Kind::Counter;
            fn new(_: &'static FamilyDesc) -> Self {
                Self::default()
            }
            fn read(&self) -> Reading<'_> {
                Reading::Counter(self.get())
            }
            fn record(&self, v: f64) {
                // Counters never go down; a non-finite or negative amount is ignored. The cast
                // saturates (`1e30` becomes `u64::MAX`), and so does the add.
                if v.is_finite() && v >= 0.0 {
                    self.inc_by(v as u64);
                }
            }
            fn absorb(&self, other: &Self) {
                self.inc_by(other.get());
            }
            fn reset(&self) {
                self.clear();
            }
        }
    )*};
}

integer_counter_series!(CounterValue, ShardedCounterValue);

impl Series for FloatCounterValue {
    const KIND: crate::Kind = crate::Kind::Counter;
    fn new(_: &'static FamilyDesc) -> Self {
        Self::default()
    }
    fn read(&self) -> Reading<'_> {
        Reading::FloatCounter(self.get())
    }
    fn record(&self, v: f64) {
        self.inc_by(v);
    }
    fn absorb(&self, other: &Self) {
        self.inc_by(other.get());
    }
    fn reset(&self) {
        self.0.store(0, Relaxed);
    }
}
