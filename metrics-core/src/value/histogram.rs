//! Histogram series: per-lane bucket counts and sums.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::lane::Lane;
use super::{Reading, Record, Series, Timer};
use crate::desc::FamilyDesc;

/// Lanes per histogram series (3 owned by one thread each, 1 shared; see [`crate::sharded`]):
/// two cores hammering one histogram do not bounce a line, and owners add without a lock prefix.
const HISTOGRAM_LANES: usize = 4;

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
        let lane = Lane::of_thread(HISTOGRAM_LANES);
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
    fn read(&self) -> Reading<'_> {
        Reading::Histogram(self)
    }
    fn record(&self, v: f64) {
        self.observe(v);
    }
}
