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
    /// Upper bounds of a histogram's classic buckets, without `+Inf`; `None` for other kinds
    /// (a histogram descriptor written by hand with `None` gets [`crate::buckets::DEFAULT`]).
    /// Empty for a native-only histogram, which exposes its classic form as `_count`, `_sum`
    /// and one `le="+Inf"` bucket.
    pub buckets: Option<&'static [f64]>,
    /// A histogram's native (sparse, exponential) buckets, kept besides its classic ones (if
    /// any); `None` for a classic-only histogram and for other kinds.
    pub native: Option<NativeSpec>,
    /// A summary's quantiles and sliding window; `None` for other kinds (a summary descriptor
    /// written by hand with `None` gets [`SummarySpec::DEFAULT`]).
    pub summary: Option<SummarySpec>,
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

/// The native buckets of a histogram: Prometheus's sparse, exponential buckets.
///
/// Bucket `i` holds the values `v` with `2^((i-1)·2^-schema) < v <= 2^(i·2^-schema)`, so each
/// bucket is `2^(2^-schema)` times as wide as the one below (its growth factor); values with
/// `|v| <= zero_threshold` go to a zero bucket, and only populated buckets are stored. When
/// more than `max_buckets` are populated, the schema drops by one (halving the resolution)
/// until they fit, down to [`NativeSpec::MIN_SCHEMA`], where the maximum may be exceeded. A
/// scrape reads them as a [`NativeSnapshot`](crate::value::NativeSnapshot). Each series
/// allocates a fixed table when created: 12 bytes a cell, a power of two of cells of at least
/// twice `max_buckets` (512 cells, 6 KiB, for the defaults), plus a small overflow array, and
/// a second table of the same size at its first resolution change (see
/// [`HistogramValue`](crate::value::HistogramValue)).
///
/// ```
/// use promdecl::value::NativeSpec;
///
/// // Buckets at most 10 % wider than the one below: schema 3 (growth 2^(1/8) = 1.09).
/// const SPEC: NativeSpec = NativeSpec::from_factor(1.1).with_max_buckets(100);
/// assert_eq!((SPEC.schema, SPEC.max_buckets), (3, 100));
/// assert_eq!(NativeSpec::DEFAULT, NativeSpec::from_factor(NativeSpec::DEFAULT_FACTOR));
/// assert_eq!(NativeSpec::from_factor(2.0).schema, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NativeSpec {
    /// The resolution, from [`NativeSpec::MIN_SCHEMA`] to [`NativeSpec::MAX_SCHEMA`]: buckets
    /// grow by `2^(2^-schema)`.
    pub schema: i8,
    /// Observations with `|v| <=` this go to the zero bucket; finite and not negative.
    pub zero_threshold: f64,
    /// Populated buckets (positive and negative together) kept before the resolution is
    /// halved; from 1 to [`NativeSpec::MAX_BUCKETS_LIMIT`].
    pub max_buckets: u32,
}

/// `2^(2^-s)` for `s` from [`NativeSpec::MIN_SCHEMA`] to [`NativeSpec::MAX_SCHEMA`], each the
/// nearest `f64` (checked against `exp2` by a test).
const GROWTH: [f64; 13] = [
    65536.0,
    256.0,
    16.0,
    4.0,
    2.0,
    std::f64::consts::SQRT_2,
    1.189207115002721,
    1.0905077326652577,
    1.0442737824274138,
    1.0218971486541166,
    1.0108892860517005,
    1.0054299011128027,
    1.0027112750502025,
];

impl NativeSpec {
    /// The coarsest schema: buckets 65536 times as wide as the one below.
    pub const MIN_SCHEMA: i8 = -4;
    /// The finest schema: buckets about 1.0027 times as wide as the one below.
    pub const MAX_SCHEMA: i8 = 8;
    /// Growth factor of `#[metric(histogram, native)]`: 1.1, so schema 3.
    pub const DEFAULT_FACTOR: f64 = 1.1;
    /// The largest growth factor declared: `2^16`, that of [`NativeSpec::MIN_SCHEMA`].
    pub const MAX_FACTOR: f64 = 65536.0;
    /// The default zero threshold, `2^-128` (client_golang's): only values too small to
    /// matter go to the zero bucket.
    pub const DEFAULT_ZERO_THRESHOLD: f64 = 2.938735877055719e-39;
    /// The default maximum of populated buckets, client_golang's recommendation.
    pub const DEFAULT_MAX_BUCKETS: u32 = 160;
    /// The largest `max_buckets` accepted, which bounds a series' table at 32,768 cells
    /// (384 KiB).
    pub const MAX_BUCKETS_LIMIT: u32 = 16_384;
    /// Factor 1.1 (schema 3), zero threshold `2^-128`, at most 160 buckets.
    pub const DEFAULT: NativeSpec = NativeSpec::from_factor(NativeSpec::DEFAULT_FACTOR);

    /// Buckets that grow by at most `factor`, with the default zero threshold and maximum.
    ///
    /// The schema is the coarsest whose growth factor `2^(2^-schema)` is at most `factor`
    /// ([`NativeSpec::schema_for_factor`]): 1.1 gives schema 3 (1.0905), 2 gives 0.
    pub const fn from_factor(factor: f64) -> NativeSpec {
        NativeSpec {
            schema: NativeSpec::schema_for_factor(factor),
            zero_threshold: NativeSpec::DEFAULT_ZERO_THRESHOLD,
            max_buckets: NativeSpec::DEFAULT_MAX_BUCKETS,
        }
    }

    /// The coarsest schema whose growth factor `2^(2^-schema)` is at most `factor`, as
    /// client_golang picks it from `NativeHistogramBucketFactor`; a factor below schema 8's
    /// (1.0027) gives 8.
    ///
    /// A factor that is not more than 1 (or NaN) gives `MAX_SCHEMA + 1`, and one above
    /// [`NativeSpec::MAX_FACTOR`] gives `MIN_SCHEMA - 1`: schemas out of range, which
    /// [`FamilyBuilder::native`](crate::FamilyBuilder::native) rejects (the derive rejects such
    /// factors at compile time).
    pub const fn schema_for_factor(factor: f64) -> i8 {
        if factor.is_nan() || factor <= 1.0 {
            return NativeSpec::MAX_SCHEMA + 1;
        }
        if factor > NativeSpec::MAX_FACTOR {
            return NativeSpec::MIN_SCHEMA - 1;
        }
        let mut i = 0;
        while i < GROWTH.len() {
            if GROWTH[i] <= factor {
                return NativeSpec::MIN_SCHEMA + i as i8;
            }
            i += 1;
        }
        NativeSpec::MAX_SCHEMA
    }

    /// This spec with another zero threshold (finite, not negative).
    pub const fn with_zero_threshold(self, zero_threshold: f64) -> NativeSpec {
        NativeSpec {
            zero_threshold,
            ..self
        }
    }

    /// This spec with another maximum of populated buckets (from 1 to
    /// [`NativeSpec::MAX_BUCKETS_LIMIT`]).
    pub const fn with_max_buckets(self, max_buckets: u32) -> NativeSpec {
        NativeSpec {
            max_buckets,
            ..self
        }
    }

    /// The growth factor of the declared schema, `2^(2^-schema)`: each bucket's upper bound
    /// over its lower one.
    pub fn growth_factor(&self) -> f64 {
        (-f64::from(self.schema)).exp2().exp2()
    }

    /// Whether every field is in range: the schema from [`NativeSpec::MIN_SCHEMA`] to
    /// [`NativeSpec::MAX_SCHEMA`], the zero threshold finite and not negative, `max_buckets`
    /// from 1 to [`NativeSpec::MAX_BUCKETS_LIMIT`]. The derive asserts it at compile time.
    pub const fn is_valid(&self) -> bool {
        self.schema >= NativeSpec::MIN_SCHEMA
            && self.schema <= NativeSpec::MAX_SCHEMA
            && self.zero_threshold >= 0.0
            && self.zero_threshold <= f64::MAX
            && self.max_buckets >= 1
            && self.max_buckets <= NativeSpec::MAX_BUCKETS_LIMIT
    }

    /// What is wrong with this spec, if anything: a schema out of range (from a factor out of
    /// range), a negative, NaN or infinite zero threshold, or a maximum out of range.
    pub(crate) fn problem(&self) -> Option<String> {
        let (lo, hi) = (NativeSpec::MIN_SCHEMA, NativeSpec::MAX_SCHEMA);
        if !(lo..=hi).contains(&self.schema) {
            return Some(format!(
                "native schema {} is out of range; use {lo} to {hi}, or \
                 `NativeSpec::from_factor(f)` with a growth factor `f` more than 1 and at most \
                 65536",
                self.schema
            ));
        }
        if !(self.zero_threshold >= 0.0 && self.zero_threshold.is_finite()) {
            return Some(format!(
                "native zero threshold {} must be finite and at least 0, like `1e-9`",
                self.zero_threshold
            ));
        }
        if !(1..=NativeSpec::MAX_BUCKETS_LIMIT).contains(&self.max_buckets) {
            return Some(format!(
                "native `max_buckets` {} must be from 1 to {}",
                self.max_buckets,
                NativeSpec::MAX_BUCKETS_LIMIT
            ));
        }
        None
    }
}

impl Default for NativeSpec {
    fn default() -> Self {
        NativeSpec::DEFAULT
    }
}

/// A summary's quantiles and the sliding window they are computed over.
///
/// Each series keeps `age_buckets` sketches, each taking observations for
/// `max_age / age_buckets`; a read (a scrape) merges them, so the quantiles cover the
/// observations of the last `max_age`, less up to one age bucket's span as the oldest one is
/// dropped whole. The window advances when it is read, so no clock is read when observing: an
/// observation made since the previous read counts in the age bucket that was newest then
/// (the window may hold it up to one scrape interval longer than `max_age`).
///
/// The sketches are DDSketches (the `sketches-ddsketch` crate): every quantile reported is
/// within [`SummarySpec::RELATIVE_ACCURACY`] (1 %) of the observation at its rank,
/// `floor(q · (n - 1))` of the `n` in the window, sorted; values below `1e-9` count as 0.
/// Each sketch holds at most [`SummarySpec::MAX_SKETCH_BINS`] bins of 8 bytes, and
/// covers a range of 9 orders of magnitude at that accuracy; below it, the lowest values are
/// merged (the high quantiles, which summaries are for, keep their accuracy).
///
/// ```
/// use promdecl::SummarySpec;
/// use std::time::Duration;
///
/// const SPEC: SummarySpec = SummarySpec::DEFAULT.with_quantiles(&[0.5, 0.99]);
/// assert_eq!(SPEC.max_age, Duration::from_secs(600));
/// assert_eq!(SPEC.age_buckets, 5);
/// assert!(SPEC.is_valid());
/// assert!(!SummarySpec::DEFAULT.with_quantiles(&[0.9, 0.5]).is_valid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummarySpec {
    /// The quantiles exposed, each from 0 to 1, strictly increasing.
    pub quantiles: &'static [f64],
    /// How far back the quantiles look.
    pub max_age: std::time::Duration,
    /// How many sketches the window is kept in: more make it slide more smoothly, each costing
    /// a sketch.
    pub age_buckets: u32,
}

impl SummarySpec {
    /// The quantiles of a summary that declares none: the median, p90 and p99.
    pub const DEFAULT_QUANTILES: &'static [f64] = &[0.5, 0.9, 0.99];
    /// The window of a summary that declares none: ten minutes, as in the Go client.
    pub const DEFAULT_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);
    /// The age buckets of a summary that declares none.
    pub const DEFAULT_AGE_BUCKETS: u32 = 5;
    /// The most age buckets a summary may keep.
    pub const MAX_AGE_BUCKETS: u32 = 60;
    /// The relative error of every reported quantile: within 1 % of the observation at its
    /// rank.
    pub const RELATIVE_ACCURACY: f64 = 0.01;
    /// The most bins one sketch keeps (8 bytes each).
    pub const MAX_SKETCH_BINS: u32 = 1024;
    /// Every default.
    pub const DEFAULT: SummarySpec = SummarySpec {
        quantiles: SummarySpec::DEFAULT_QUANTILES,
        max_age: SummarySpec::DEFAULT_MAX_AGE,
        age_buckets: SummarySpec::DEFAULT_AGE_BUCKETS,
    };

    /// These quantiles instead.
    pub const fn with_quantiles(self, quantiles: &'static [f64]) -> SummarySpec {
        SummarySpec { quantiles, ..self }
    }

    /// This window instead.
    pub const fn with_max_age(self, max_age: std::time::Duration) -> SummarySpec {
        SummarySpec { max_age, ..self }
    }

    /// This many age buckets instead.
    pub const fn with_age_buckets(self, age_buckets: u32) -> SummarySpec {
        SummarySpec {
            age_buckets,
            ..self
        }
    }

    /// Whether every field is in range: at least one quantile, each from 0 to 1 and strictly
    /// increasing; a window of at least one second; 1 to [`SummarySpec::MAX_AGE_BUCKETS`] age
    /// buckets. The derive asserts it at compile time.
    pub const fn is_valid(&self) -> bool {
        self.problem_index().is_none()
    }

    /// `Some(0)` for a bad quantile list, `Some(1)` for the window, `Some(2)` for the buckets.
    const fn problem_index(&self) -> Option<u8> {
        let q = self.quantiles;
        if q.is_empty() {
            return Some(0);
        }
        let mut i = 0;
        while i < q.len() {
            if !(q[i] >= 0.0 && q[i] <= 1.0) || (i > 0 && q[i] <= q[i - 1]) {
                return Some(0);
            }
            i += 1;
        }
        if self.max_age.as_secs() < 1 {
            return Some(1);
        }
        if self.age_buckets < 1 || self.age_buckets > SummarySpec::MAX_AGE_BUCKETS {
            return Some(2);
        }
        None
    }

    /// What is wrong with this spec, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        Some(match self.problem_index()? {
            0 => format!(
                "summary quantiles {:?} must be one or more numbers from 0 to 1, strictly \
                 increasing, like `[0.5, 0.9, 0.99]`",
                self.quantiles
            ),
            1 => format!(
                "summary `max_age` {:?} must be at least one second, like 10 minutes",
                self.max_age
            ),
            _ => format!(
                "summary `age_buckets` {} must be from 1 to {}",
                self.age_buckets,
                SummarySpec::MAX_AGE_BUCKETS
            ),
        })
    }
}

impl Default for SummarySpec {
    fn default() -> Self {
        SummarySpec::DEFAULT
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_factors_are_exp2_rounded() {
        for (i, g) in GROWTH.iter().enumerate() {
            let schema = i32::from(NativeSpec::MIN_SCHEMA) + i as i32;
            let libm = (-f64::from(schema)).exp2().exp2();
            assert!(
                g.to_bits().abs_diff(libm.to_bits()) <= 1,
                "{schema}: {g} vs {libm}"
            );
        }
        assert_eq!(GROWTH[5], std::f64::consts::SQRT_2);
    }

    #[test]
    fn factors_pick_the_coarsest_schema_within_them() {
        for (factor, schema) in [
            (1.1, 3),
            (1.09, 4),
            (1.0905077326652577, 3),
            (1.2, 2),
            (1.5, 1),
            (2.0, 0),
            (3.9, 0),
            (4.0, -1),
            (100.0, -2),
            (65536.0, -4),
            (1.0027112750502025, 8),
            (1.001, 8),
            (1.0 + f64::EPSILON, 8),
            (1.0, 9),
            (0.5, 9),
            (f64::NAN, 9),
            (65536.5, -5),
            (f64::INFINITY, -5),
        ] {
            assert_eq!(NativeSpec::schema_for_factor(factor), schema, "{factor}");
        }
        assert_eq!(NativeSpec::DEFAULT.schema, 3);
        assert_eq!(NativeSpec::DEFAULT.zero_threshold, 2f64.powi(-128));
        assert_eq!(NativeSpec::from_factor(4.0).growth_factor(), 4.0);
    }

    #[test]
    fn problems_are_named() {
        assert_eq!(NativeSpec::DEFAULT.problem(), None);
        assert!(NativeSpec::DEFAULT.is_valid());
        let bad = [
            (NativeSpec::from_factor(1.0), "out of range"),
            (NativeSpec::from_factor(1e9), "out of range"),
            (
                NativeSpec::DEFAULT.with_zero_threshold(-1.0),
                "zero threshold",
            ),
            (
                NativeSpec::DEFAULT.with_zero_threshold(f64::NAN),
                "zero threshold",
            ),
            (
                NativeSpec::DEFAULT.with_zero_threshold(f64::INFINITY),
                "zero threshold",
            ),
            (NativeSpec::DEFAULT.with_max_buckets(0), "max_buckets"),
            (NativeSpec::DEFAULT.with_max_buckets(16_385), "max_buckets"),
        ];
        for (spec, what) in bad {
            assert!(!spec.is_valid(), "{what}");
            let problem = spec.problem().expect(what);
            assert!(problem.contains(what), "{problem}");
        }
    }
}
