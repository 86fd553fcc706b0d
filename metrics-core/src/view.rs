//! What readers see of a family: exposition formats, the registry, the server's index page.
//!
//! This sits below both the storage (`family`, `info`) and the formats (`encode`), so neither
//! depends on the other through it.

use crate::desc::{FamilyDesc, Kind};
use crate::value::{Reading, Sample, Series};

/// One series as exposition formats and readers see it: its label values and its reading.
#[derive(Debug, Clone, Copy)]
pub struct SeriesRef<'a> {
    desc: &'static FamilyDesc,
    labels: Labels<'a>,
    /// The series' `name="value"` text, cached for the text formats.
    text: &'a str,
    reading: Reading<'a>,
    /// When the series started from zero, in ms since the Unix epoch; 0 when it has no start
    /// timestamp (gauges, info, values computed at the scrape).
    created_ms: u64,
    /// The stored series' address, its key in the exemplar table; 0 for values computed at
    /// the scrape.
    address: usize,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Labels<'a> {
    /// Free-form values of a stored tuple and the enumerated slot.
    Stored { free: &'a [&'a str], slot: usize },
    /// Every value, in declared order.
    Listed(&'a [String]),
}

impl<'a> SeriesRef<'a> {
    /// Series `series` of a family's storage, created at `created_ms` (ms since the Unix
    /// epoch).
    pub(crate) fn new<S: Series>(
        desc: &'static FamilyDesc,
        labels: Labels<'a>,
        text: &'a str,
        series: &'a S,
        created_ms: u64,
    ) -> Self {
        let counts = matches!(desc.kind, Kind::Counter | Kind::Histogram | Kind::Summary);
        Self {
            desc,
            labels,
            text,
            reading: series.read(),
            created_ms: if counts { created_ms } else { 0 },
            address: crate::exemplar::address(series),
        }
    }

    /// A series whose label values are `values` (declared order) and whose cached text
    /// rendering is `text`.
    pub(crate) fn listed(
        desc: &'static FamilyDesc,
        values: &'a [String],
        text: &'a str,
        reading: Reading<'a>,
    ) -> Self {
        let labels = Labels::Listed(values);
        Self {
            desc,
            labels,
            text,
            reading,
            created_ms: 0,
            address: 0,
        }
    }

    /// The family's descriptor.
    pub fn desc(&self) -> &'static FamilyDesc {
        self.desc
    }

    /// The label values, in declared order.
    pub fn label_values(&self) -> Vec<&'a str> {
        match self.labels {
            Labels::Stored { free, slot } => self.desc.label_values(free, slot),
            Labels::Listed(values) => values.iter().map(String::as_str).collect(),
        }
    }

    /// The current value.
    pub fn reading(&self) -> Reading<'a> {
        self.reading
    }

    /// When a counter or histogram series started counting from zero: its start timestamp
    /// (OpenMetrics `_created`). At most one scrape interval early, never late (see
    /// [`RegistryBuilder::without_start_timestamps`](crate::RegistryBuilder::without_start_timestamps)).
    pub fn created(&self) -> Option<std::time::SystemTime> {
        (self.created_ms > 0).then(|| crate::start::as_time(self.created_ms))
    }

    /// The series' exemplars, indexed by bucket (a counter's is at 0), if it has any.
    pub(crate) fn exemplars(&self) -> Option<Vec<Option<crate::exemplar::Stored>>> {
        match self.address {
            0 => None,
            a => crate::exemplar::of(a),
        }
    }

    /// [`created`](Self::created) in ms since the Unix epoch, 0 for none.
    pub(crate) fn created_ms(&self) -> u64 {
        self.created_ms
    }

    /// `name="value",...` in declared order, escaped for the text formats.
    pub(crate) fn text_labels(&self) -> &'a str {
        self.text
    }
}

/// Object-safe view of any family, used by the registry, the exposition formats and readers
/// such as the server's index page.
pub trait AnyFamily: Send + Sync {
    /// The descriptor.
    fn desc(&self) -> &'static FamilyDesc;
    /// Calls `f` with every series.
    fn for_each_series(&self, f: &mut dyn FnMut(&SeriesRef<'_>));
    /// Calls `f` with each series' label values (declared order) and an owned snapshot.
    fn for_each_sample(&self, f: &mut dyn FnMut(&[&str], Sample)) {
        self.for_each_series(&mut |s| f(&s.label_values(), s.reading().to_sample()));
    }
    /// Updates folded into the overflow series: past the series budget, or with a free-form
    /// value that never gets a series (the overflow value itself, or one over the length cap).
    fn folded(&self) -> u64;
    /// Updates dropped because the exposition could not represent them (a histogram's NaN,
    /// infinite or, when it exposes `_sum`, negative observations).
    fn dropped(&self) -> u64 {
        0
    }
    /// Sets the longest free-form label value that gets a series of its own; the registry
    /// calls it on registration when built with
    /// [`max_label_value_bytes`](crate::RegistryBuilder::max_label_value_bytes).
    #[doc(hidden)]
    fn set_max_label_value_bytes(&self, _bytes: usize) {}
    /// Expires idle series and frees removed ones (see [`Family::expire_idle`](crate::Family::expire_idle));
    /// the registry calls it before encoding.
    #[doc(hidden)]
    fn expire_idle(&self) {}
    /// Number of exposed series.
    fn series_count(&self) -> usize;
    /// Records `value` into the series named by `labels` (declared order, as strings): counters
    /// add, gauges set, histograms observe, info families take the labels and ignore the value.
    /// For the demo workload and dynamic tests; services use the typed accessors.
    #[doc(hidden)]
    fn record(&self, labels: &[&str], value: f64) -> Result<(), LabelError>;
}

/// Label values that do not fit a family's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError(String);

impl LabelError {
    pub(crate) fn new(msg: String) -> Self {
        Self(msg)
    }
}

impl std::fmt::Display for LabelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LabelError {}
