//! Gauge series: float and integer.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

use super::lane::add_f64;
use super::{Reading, Record, Series, Timer};
use crate::desc::FamilyDesc;

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
    pub fn start_timer(&self) -> Timer<&Self> {
        Timer::new(self)
    }
}

impl Record for GaugeValue {
    fn record_seconds(&self, seconds: f64) {
        self.set(seconds);
    }
}

impl Series for GaugeValue {
    const KIND: crate::Kind = crate::Kind::Gauge;
    fn new(_: &'static FamilyDesc) -> Self {
        Self::default()
    }
    fn read(&self) -> Reading<'_> {
        Reading::Gauge(self.get())
    }
    fn record(&self, v: f64) {
        self.set(v);
    }
    fn absorb(&self, _older: &Self) {}
    fn reset(&self) {
        self.0.store(0, Relaxed);
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
    const KIND: crate::Kind = crate::Kind::Gauge;
    fn new(_: &'static FamilyDesc) -> Self {
        Self::default()
    }
    fn read(&self) -> Reading<'_> {
        Reading::IntGauge(self.get())
    }
    fn record(&self, v: f64) {
        self.set(v as i64);
    }
    fn absorb(&self, _older: &Self) {}
    fn reset(&self) {
        self.0.store(0, Relaxed);
    }
}
