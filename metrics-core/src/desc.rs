//! Static descriptors: everything known about a family at compile time.
//!
//! The derive emits one [`FamilyDesc`] per field. Generators (docs, alert checks, dashboards) read
//! these without creating a registry, so they are the single source of truth for a family.

pub use promdecl_spec::Kind;

/// One label of a family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelDesc {
    /// The label name, as exposed.
    pub name: &'static str,
    /// The allowed values of an enumerated label, in slot order; `None` for a free-form label.
    pub values: Option<&'static [&'static str]>,
}

impl LabelDesc {
    /// Whether the label takes arbitrary strings (and so counts against the series budget).
    pub const fn is_free_form(&self) -> bool {
        self.values.is_none()
    }
}

/// Everything declared about one metric family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FamilyDesc {
    /// The exposed name, exactly (counters include `_total`).
    pub name: &'static str,
    /// The metric type.
    pub kind: Kind,
    /// HELP text, from the doc comment or `help = "..."`.
    pub help: &'static str,
    /// The unit, declared or read off the name's suffix.
    pub unit: Option<&'static str>,
    /// Labels in exposition order.
    pub labels: &'static [LabelDesc],
    /// Upper bounds of a histogram's buckets, without `+Inf`.
    pub buckets: Option<&'static [f64]>,
    /// Series budget for the free-form labels: distinct value tuples kept before folding.
    ///
    /// Values that never get a series of their own, whatever the budget, fold too: the
    /// overflow value [`OVERFLOW_VALUE`](crate::OVERFLOW_VALUE) itself, and values longer than
    /// [`DEFAULT_MAX_LABEL_VALUE_BYTES`] (or the registry's
    /// [`max_label_value_bytes`](crate::RegistryBuilder::max_label_value_bytes)).
    ///
    /// A family holds at most 16,777,214 value tuples whatever the budget (its index names a
    /// tuple in 24 bits).
    pub max_series: Option<usize>,
    /// How long a free-form series may go without an update before it is removed, freeing its
    /// share of the budget (`#[metric(..., idle_timeout = "10m")]`); `None` keeps series until
    /// they are removed. Enumerated-only families never expire.
    ///
    /// Expiry is checked at each scrape (and when a new tuple finds the budget full), so a
    /// series goes between `idle_timeout` and `idle_timeout` plus one scrape interval after its
    /// last update. Timeouts longer than 24 days count as 24 days.
    pub idle_timeout: Option<std::time::Duration>,
    /// A decision recorded where the source document was silent or broke conventions.
    pub note: Option<&'static str>,
}

/// Series budget of a family with free-form labels that declares no `max_series`.
pub const DEFAULT_MAX_SERIES: usize = 1000;

/// Longest free-form label value, in bytes, that gets a series of its own: a longer value
/// (a raw URL, an error message, a request body by mistake) folds into the family's overflow
/// series and is counted in `metrics_series_overflow_total`, never stored or served.
///
/// 256 bytes holds any identifier, topic, route template or host name; a registry sets
/// another cap with [`RegistryBuilder::max_label_value_bytes`](crate::RegistryBuilder::max_label_value_bytes).
pub const DEFAULT_MAX_LABEL_VALUE_BYTES: usize = 256;

impl FamilyDesc {
    /// Number of enumerated-label combinations: the dense slots per free-form tuple.
    pub fn dense_len(&self) -> usize {
        self.labels
            .iter()
            .filter_map(|l| l.values)
            .map(|v| v.len().max(1))
            .product()
    }

    /// Number of free-form labels.
    pub fn free_form_count(&self) -> usize {
        self.labels.iter().filter(|l| l.is_free_form()).count()
    }

    /// The series budget in force: `max_series` or [`DEFAULT_MAX_SERIES`].
    pub fn series_budget(&self) -> usize {
        self.max_series.unwrap_or(DEFAULT_MAX_SERIES)
    }

    /// The values of every label for one series, given its free-form values and dense slot.
    ///
    /// Slots are row-major over the enumerated labels in declared order (the last varies fastest).
    pub fn label_values<'a>(&'a self, free: &[&'a str], slot: usize) -> Vec<&'a str> {
        self.label_values_iter(free, slot).collect()
    }

    /// [`FamilyDesc::label_values`] without collecting them.
    pub(crate) fn label_values_iter<'a, 'b>(
        &'a self,
        free: &'b [&'a str],
        slot: usize,
    ) -> impl Iterator<Item = &'a str> + 'b
    where
        'a: 'b,
    {
        // Each enumerated label's digit of `slot`: the combinations of the labels after it are
        // the stride.
        let mut stride = self.dense_len();
        let mut free = free.iter();
        self.labels.iter().map(move |l| match l.values {
            Some(values) => {
                let n = values.len().max(1);
                stride /= n;
                values
                    .get(slot / stride.max(1) % n)
                    .copied()
                    .unwrap_or_default()
            }
            None => free.next().copied().unwrap_or_default(),
        })
    }
}
