//! Runtime of a declarative Prometheus metrics framework.
//!
//! Declare families as annotated fields of a struct and derive [`Metrics`]; this crate stores
//! them (dense slots for enumerated labels, a bounded map for free-form ones), registers them,
//! and writes Prometheus text 0.0.4 or OpenMetrics 1.0 with the names exactly as declared.
//!
//! ```
//! use promdecl::{Counter, Histogram, LabelValue, Metrics, Registry, Format};
//!
//! /// Outcome of an operation.
//! #[derive(Clone, Copy, LabelValue)]
//! pub enum Status { Success, Failure }
//!
//! #[derive(Metrics)]
//! #[metrics(prefix = "chorus_dht")]
//! pub struct Dht {
//!     /// Total number of DHT put operations
//!     #[metric(counter, labels = [status = Status])]
//!     put_operations_total: Counter,
//!     /// DHT operation latency distribution
//!     #[metric(histogram, labels = [operation = [put, get], status = Status],
//!              buckets = promdecl::buckets::LATENCY)]
//!     operation_latency_seconds: Histogram,
//! }
//!
//! let registry = Registry::new();
//! let dht = registry.register(Dht::new())?;
//! dht.put_operations_total(Status::Success).inc();
//! dht.operation_latency_seconds(dht_labels::Operation::Put, Status::Success).observe(0.02);
//! let text = registry.encode(Format::Text);
//! assert!(text.contains("chorus_dht_put_operations_total{status=\"success\"} 1\n"));
//! assert!(text.contains("chorus_dht_put_operations_total{status=\"failure\"} 0\n"));
//! # Ok::<(), promdecl::RegistryError>(())
//! ```
//!
//! ## Valid output whatever the input
//!
//! - Label values are escaped; a free-form value longer than [`DEFAULT_MAX_LABEL_VALUE_BYTES`]
//!   (or [`RegistryBuilder::max_label_value_bytes`]) or equal to [`OVERFLOW_VALUE`] never gets
//!   a series: it folds into the overflow series, counted in [`OVERFLOW_FAMILY`].
//! - Histograms drop what OpenMetrics cannot hold (NaN, ±Inf, and negative values where `_sum`
//!   is exposed), counted in [`DROPPED_FAMILY`]; one with a negative bound exposes its buckets
//!   only (see [`value::HistogramValue`]).
//! - Integer counters saturate at `u64::MAX`.
//! - [`Registry::register`] refuses a family that shares any name with another in any format
//!   ([`Kind::occupied_names`]) or takes one of the registry's own, naming both.
#![deny(missing_docs)]

pub mod buckets;
mod collector;
mod desc;
mod dynamic;
mod encode;
mod exemplar;
mod family;
mod index;
mod info;
#[cfg(feature = "prometheus-client")]
pub mod interop;
mod joined;
mod label;
mod registry;
mod start;
pub mod testing;
pub mod value;
mod view;

pub use collector::CollectError;
pub use desc::{
    FamilyDesc, Kind, LabelDesc, NativeSpec, SummarySpec, DEFAULT_MAX_LABEL_VALUE_BYTES,
    DEFAULT_MAX_SERIES,
};
pub use dynamic::{DescError, FamilyBuilder};
pub use encode::protobuf::proto;
pub use encode::{Escaping, Exposition, Format};
pub use exemplar::{ExemplarError, MAX_EXEMPLAR_LABEL_CHARS};
pub use family::{Family, Handle, OVERFLOW_VALUE};
pub use info::Info;
pub use label::LabelValue;
#[cfg(feature = "derive")]
pub use promdecl_macros::{LabelValue, Metrics};
pub use registry::{
    Metrics, Registry, RegistryBuilder, RegistryError, COLLECTOR_SKIPS_FAMILY,
    DEFAULT_COLLECT_TIMEOUT, DROPPED_FAMILY, OVERFLOW_FAMILY,
};
pub use value::{lane_layout, LaneLayout};
pub use view::{AnyFamily, LabelError, SeriesRef};

/// A family of integer counters (each saturating at `u64::MAX`).
pub type Counter = Family<value::CounterValue>;
/// A family of float counters, for amounts.
pub type FloatCounter = Family<value::FloatCounterValue>;
/// A family of counters sharded per thread: opt-in for the hottest, most contended series
/// (each saturating at `u64::MAX`).
pub type ShardedCounter = Family<value::ShardedCounterValue>;
/// A family of float gauges.
pub type Gauge = Family<value::GaugeValue>;
/// A family of integer gauges.
pub type IntGauge = Family<value::IntGaugeValue>;
/// A family of histograms.
pub type Histogram = Family<value::HistogramValue>;
/// A summary family: quantiles over a sliding window ([`value::SummaryValue`]).
pub type Summary = Family<value::SummaryValue>;

/// Support items for generated code. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::buckets::is_valid as buckets_are_valid;
    use crate::desc::{FamilyDesc, Kind};
    use crate::value::*;

    /// What a field type of a derived struct must be: a family built from its descriptor.
    ///
    /// Generated code reaches everything about a field through this one trait, so a field
    /// whose type is no family gives one error, at the type.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a metric family type",
        label = "use `Counter`, `FloatCounter`, `ShardedCounter`, `Gauge`, `IntGauge`, `Histogram`, `Summary` or `Info`"
    )]
    pub trait FamilyType: crate::AnyFamily + Sized {
        /// The kind the field type implements, checked against the declared kind.
        const KIND: Kind;
        /// What an accessor returns.
        type Series;
        /// Builds the family.
        fn from_desc(desc: &'static FamilyDesc) -> Self;
        /// The series for free-form values `free` and enumerated slot `slot`.
        fn series(&self, free: &[&str], slot: usize) -> crate::Handle<'_, Self::Series>;
        /// The series of enumerated slot `slot` of a family without free-form labels, whose
        /// series are never removed: no handle needed.
        fn fixed(&self, slot: usize) -> &Self::Series;
        /// Removes the series of free-form values `free`; whether it existed.
        fn remove(&self, _free: &[&str]) -> bool {
            false
        }
        /// Removes the series matching `pattern`; how many.
        fn remove_matching(&self, _pattern: &[Option<&str>]) -> usize {
            0
        }
        /// The family as the registry sees it.
        fn as_any(&self) -> &dyn crate::AnyFamily {
            self
        }
    }

    macro_rules! family_type {
        ($($series:ty => $kind:ident),*) => {$(
            impl FamilyType for crate::Family<$series> {
                const KIND: Kind = Kind::$kind;
                type Series = $series;
                fn from_desc(desc: &'static FamilyDesc) -> Self {
                    Self::new(desc)
                }
                #[inline(always)]
                fn series(&self, free: &[&str], slot: usize) -> crate::Handle<'_, $series> {
                    self.get(free, slot)
                }
                #[inline(always)]
                fn fixed(&self, slot: usize) -> &$series {
                    self.get_fixed(slot)
                }
                fn remove(&self, free: &[&str]) -> bool {
                    crate::Family::remove(self, free)
                }
                fn remove_matching(&self, pattern: &[Option<&str>]) -> usize {
                    crate::Family::remove_matching(self, pattern)
                }
            }
        )*};
    }
    family_type!(CounterValue => Counter, FloatCounterValue => Counter,
                 ShardedCounterValue => Counter, GaugeValue => Gauge,
                 IntGaugeValue => Gauge, HistogramValue => Histogram,
                 SummaryValue => Summary);

    impl FamilyType for crate::Info {
        const KIND: Kind = Kind::Info;
        type Series = crate::Info;
        fn from_desc(desc: &'static FamilyDesc) -> Self {
            Self::new(desc)
        }
        fn series(&self, _: &[&str], _: usize) -> crate::Handle<'_, crate::Info> {
            crate::Handle::borrowed(self)
        }
        fn fixed(&self, _: usize) -> &crate::Info {
            self
        }
    }

    /// Compile-time kind comparison (`PartialEq` is not const).
    pub const fn same_kind(a: Kind, b: Kind) -> bool {
        a as u8 == b as u8
    }
}
