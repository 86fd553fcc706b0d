//! Families defined at run time: names, help, labels and buckets read from configuration.
//!
//! A [`FamilyBuilder`] checks a definition with the rules the derive applies at compile time
//! (they live once, in `promdecl-spec`) and returns a `&'static` [`FamilyDesc`], so a run-time
//! family is stored, registered, exposed and documented exactly like a declared one.
//!
//! Descriptors are interned: building the same definition again returns the same descriptor,
//! so a service that registers and unregisters families from its configuration keeps one copy
//! of each distinct definition for the life of the process, however often it does so.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::desc::{FamilyDesc, Kind, LabelDesc, NativeSpec, SummarySpec};

/// A run-time family definition that breaks a rule; the message names the rule and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescError(String);

impl fmt::Display for DescError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DescError {}

/// Builds a [`FamilyDesc`] at run time; start with [`FamilyDesc::builder`].
///
/// ```
/// use std::time::Duration;
/// use promdecl::{FamilyDesc, Kind};
///
/// let desc = FamilyDesc::builder("jobs_total", Kind::Counter, "Jobs run, by queue")
///     .label("queue")
///     .enum_label("outcome", ["ok", "failed"])
///     .max_series(100)
///     .idle_timeout(Duration::from_secs(600))
///     .build()?;
/// assert_eq!(desc.labels.len(), 2);
///
/// let err = FamilyDesc::builder("jobs", Kind::Counter, "Jobs run").build().unwrap_err();
/// assert!(err.to_string().contains("must end in `_total`"));
/// # Ok::<(), promdecl::DescError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FamilyBuilder {
    name: String,
    kind: Kind,
    help: String,
    unit: Option<String>,
    labels: Vec<(String, Option<Vec<String>>)>,
    buckets: Option<Vec<f64>>,
    native: Option<NativeSpec>,
    summary: Option<SummarySpec>,
    max_series: Option<usize>,
    idle_timeout: Option<Duration>,
}

impl FamilyDesc {
    /// Starts a run-time definition of a family named `name` (exactly as exposed: a counter's
    /// name ends in `_total`).
    pub fn builder(name: impl Into<String>, kind: Kind, help: impl Into<String>) -> FamilyBuilder {
        FamilyBuilder {
            name: name.into(),
            kind,
            help: help.into(),
            unit: None,
            labels: Vec::new(),
            buckets: None,
            native: None,
            summary: None,
            max_series: None,
            idle_timeout: None,
        }
    }
}

impl FamilyBuilder {
    /// Adds a free-form label: any string value, bounded by the series budget.
    pub fn label(mut self, name: impl Into<String>) -> Self {
        self.labels.push((name.into(), None));
        self
    }

    /// Adds an enumerated label with these values, in slot order: every combination is
    /// exposed from the start.
    pub fn enum_label<V: Into<String>>(
        mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.labels.push((name.into(), Some(values)));
        self
    }

    /// Declares the unit; the name must end in it.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// A histogram's bucket upper bounds, without `+Inf`.
    pub fn buckets(mut self, bounds: impl Into<Vec<f64>>) -> Self {
        self.buckets = Some(bounds.into());
        self
    }

    /// Native (sparse, exponential) buckets for a histogram ([`FamilyDesc::native`]), kept
    /// besides its classic buckets when [`FamilyBuilder::buckets`] gives them; without them
    /// the histogram is native-only, whatever its unit (its classic form is `_count`, `_sum`
    /// and one `le="+Inf"` bucket).
    ///
    /// ```
    /// use promdecl::value::NativeSpec;
    /// use promdecl::{FamilyDesc, Kind};
    ///
    /// let desc = FamilyDesc::builder("payload_bytes", Kind::Histogram, "Payload sizes")
    ///     .native(NativeSpec::from_factor(1.1).with_max_buckets(100))
    ///     .build()?;
    /// assert_eq!(desc.buckets, Some(&[][..]));
    /// assert_eq!(desc.native.map(|n| n.schema), Some(3));
    ///
    /// let err = FamilyDesc::builder("payload_bytes", Kind::Histogram, "Payload sizes")
    ///     .native(NativeSpec::from_factor(1.0))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("growth factor `f` more than 1"));
    /// # Ok::<(), promdecl::DescError>(())
    /// ```
    pub fn native(mut self, spec: NativeSpec) -> Self {
        self.native = Some(spec);
        self
    }

    /// A summary's quantiles and window (default [`SummarySpec::DEFAULT`]).
    ///
    /// ```
    /// use promdecl::{FamilyDesc, Kind, SummarySpec};
    /// use std::time::Duration;
    ///
    /// let spec = SummarySpec::DEFAULT.with_quantiles(&[0.5, 0.99]).with_max_age(Duration::from_secs(60));
    /// let desc = FamilyDesc::builder("job_seconds", Kind::Summary, "Job durations")
    ///     .summary(spec)
    ///     .build()?;
    /// assert_eq!(desc.summary, Some(spec));
    ///
    /// let err = FamilyDesc::builder("job_seconds", Kind::Summary, "Job durations")
    ///     .summary(SummarySpec::DEFAULT.with_quantiles(&[1.5]))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("from 0 to 1"));
    /// # Ok::<(), promdecl::DescError>(())
    /// ```
    pub fn summary(mut self, spec: SummarySpec) -> Self {
        self.summary = Some(spec);
        self
    }

    /// The series budget of the free-form labels (default [`crate::DEFAULT_MAX_SERIES`]).
    pub fn max_series(mut self, n: usize) -> Self {
        self.max_series = Some(n);
        self
    }

    /// Removes free-form series idle this long ([`FamilyDesc::idle_timeout`]).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Checks the definition and returns its descriptor: the same one for the same definition.
    pub fn build(self) -> Result<&'static FamilyDesc, DescError> {
        self.check()?;
        let mut interned = interned().lock().unwrap_or_else(|e| e.into_inner());
        let same_name = interned.entry(self.name.clone()).or_default();
        if let Some(d) = same_name.iter().find(|d| self.describes(d)) {
            return Ok(d);
        }
        let desc: &'static FamilyDesc = Box::leak(Box::new(self.leak()));
        same_name.push(desc);
        Ok(desc)
    }

    fn check(&self) -> Result<(), DescError> {
        let (name, kind) = (self.name.as_str(), self.kind);
        let err = |msg: String| Err(DescError(msg));
        // Names outside the legacy grammar are checked where they are registered: only a
        // registry built with `utf8_names()` takes them.
        if !promdecl_spec::is_utf8_name(name) {
            return err(format!(
                "invalid metric name `{name}`; use letters, digits, `_` and `:`, not starting with a digit"
            ));
        }
        if let Some(suffix) = kind.required_suffix().filter(|s| !name.ends_with(s)) {
            return err(format!(
                "{} family `{name}` must end in `{suffix}`, as it is exposed; name it `{name}{suffix}`",
                kind.as_str()
            ));
        }
        if let Some((suffix, _)) = promdecl_spec::reserved_suffix(kind, name) {
            return err(format!(
                "{} `{name}` ends in `{suffix}`, which marks another metric type, so PromQL and \
                 `promtool check metrics` misread it; rename it",
                kind.as_str()
            ));
        }
        if self.help.trim().is_empty() {
            return err(format!(
                "`{name}` has empty help text; describe what it measures"
            ));
        }
        if let Some(u) = &self.unit {
            if !promdecl_spec::name_has_unit(kind, name, u) {
                return err(format!(
                    "unit `{u}` contradicts the name `{name}`; end the name in `_{u}` or drop the unit"
                ));
            }
        }
        let mut seen = Vec::new();
        for (label, values) in &self.labels {
            if !promdecl_spec::is_label_name(label) {
                return err(format!(
                    "invalid label name `{label}` of `{name}`; use ASCII letters, digits and `_`"
                ));
            }
            if let Some(why) = kind.label_reserved(label) {
                return err(format!(
                    "label `{label}` of `{name}` is reserved: {why}; rename it"
                ));
            }
            if seen.contains(&label) {
                return err(format!(
                    "duplicate label `{label}` of `{name}`; each label appears once"
                ));
            }
            seen.push(label);
            if let Some(values) = values {
                if values.is_empty() {
                    return err(format!(
                        "enumerated label `{label}` of `{name}` has no values"
                    ));
                }
                if let Some(v) = values
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| values[..i].contains(v).then_some(v))
                {
                    return err(format!(
                        "enumerated label `{label}` of `{name}` lists `{v}` twice"
                    ));
                }
            }
        }
        match (&self.buckets, kind) {
            (Some(_), k) if k != Kind::Histogram => {
                return err(format!(
                    "`buckets` is only valid on histograms; `{name}` is a {}",
                    k.as_str()
                ))
            }
            (Some(b), _) if !crate::buckets::is_valid(b) => {
                return err(format!(
                    "buckets of `{name}` must be non-empty, finite and strictly increasing"
                ))
            }
            (None, Kind::Histogram)
                if self.native.is_none()
                    && promdecl_spec::unit_of(kind, name) != Some(promdecl_spec::SECONDS) =>
            {
                return err(format!(
                    "histogram `{name}` has no buckets and is not in seconds, so no default applies; give its buckets, or make it native with `.native(NativeSpec::DEFAULT)`"
                ))
            }
            _ => {}
        }
        if let Some(native) = &self.native {
            if kind != Kind::Histogram {
                return err(format!(
                    "`native` buckets are only valid on histograms; `{name}` is a {}",
                    kind.as_str()
                ));
            }
            if let Some(problem) = native.problem() {
                return err(format!("{problem} (histogram `{name}`)"));
            }
        }
        if let Some(summary) = &self.summary {
            if kind != Kind::Summary {
                return err(format!(
                    "quantiles are only valid on summaries; `{name}` is a {}",
                    kind.as_str()
                ));
            }
            if let Some(problem) = summary.problem() {
                return err(format!("{problem} (summary `{name}`)"));
            }
        }
        let free_form = self.labels.iter().any(|(_, v)| v.is_none());
        for (set, what) in [
            (self.max_series.is_some(), "`max_series`"),
            (self.idle_timeout.is_some(), "`idle_timeout`"),
        ] {
            if set && !free_form {
                return err(format!(
                    "{what} only applies to families with a free-form label; `{name}` has none, so remove it"
                ));
            }
        }
        if self.max_series == Some(0) {
            return err(format!("`max_series` of `{name}` must be at least 1"));
        }
        if self.idle_timeout == Some(Duration::ZERO) {
            return err(format!("`idle_timeout` of `{name}` must be more than zero"));
        }
        Ok(())
    }

    /// Whether `d` is this definition.
    fn describes(&self, d: &FamilyDesc) -> bool {
        d.name == self.name
            && d.kind == self.kind
            && d.help == self.help
            && d.unit == self.unit_in_force().as_deref()
            && d.labels.len() == self.labels.len()
            && d.labels
                .iter()
                .zip(&self.labels)
                .all(|(l, (name, values))| {
                    l.name == name
                        && match (l.values, values) {
                            (None, None) => true,
                            (Some(a), Some(b)) => a.iter().eq(b.iter()),
                            _ => false,
                        }
                })
            && d.buckets == self.buckets_in_force().as_deref()
            && d.native == self.native
            && d.summary == self.summary_in_force()
            && d.max_series == self.max_series
            && d.idle_timeout == self.idle_timeout
    }

    /// The unit declared, or read off the name as the derive does.
    fn unit_in_force(&self) -> Option<String> {
        self.unit
            .clone()
            .or_else(|| promdecl_spec::unit_of(self.kind, &self.name).map(str::to_string))
    }

    /// The buckets in force: declared, none for a native-only histogram, or the default of a
    /// histogram in seconds.
    fn buckets_in_force(&self) -> Option<Vec<f64>> {
        match (&self.buckets, self.kind) {
            (Some(b), _) => Some(b.clone()),
            (None, Kind::Histogram) if self.native.is_some() => Some(Vec::new()),
            (None, Kind::Histogram) => Some(crate::buckets::DEFAULT.to_vec()),
            _ => None,
        }
    }

    /// The summary spec in force: declared, or the default of a summary.
    fn summary_in_force(&self) -> Option<SummarySpec> {
        (self.kind == Kind::Summary).then(|| self.summary.unwrap_or_default())
    }

    fn leak(&self) -> FamilyDesc {
        fn text(s: &str) -> &'static str {
            Box::leak(s.to_owned().into_boxed_str())
        }
        let labels: Vec<LabelDesc> = self
            .labels
            .iter()
            .map(|(name, values)| LabelDesc {
                name: text(name),
                values: values.as_ref().map(|v| {
                    let v: Vec<&'static str> = v.iter().map(|s| text(s)).collect();
                    &*Box::leak(v.into_boxed_slice())
                }),
            })
            .collect();
        FamilyDesc {
            name: text(&self.name),
            kind: self.kind,
            help: text(&self.help),
            unit: self.unit_in_force().map(|u| text(&u)),
            labels: Box::leak(labels.into_boxed_slice()),
            buckets: self
                .buckets_in_force()
                .map(|b| &*Box::leak(b.into_boxed_slice())),
            native: self.native,
            summary: self.summary_in_force(),
            max_series: self.max_series,
            idle_timeout: self.idle_timeout,
            note: None,
        }
    }
}

/// Every run-time descriptor built so far, by name.
fn interned() -> &'static Mutex<HashMap<String, Vec<&'static FamilyDesc>>> {
    static INTERNED: OnceLock<Mutex<HashMap<String, Vec<&'static FamilyDesc>>>> = OnceLock::new();
    INTERNED.get_or_init(Default::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_histograms_need_no_classic_buckets() {
        let native = |name: &str| {
            FamilyDesc::builder(name, Kind::Histogram, "h").native(NativeSpec::DEFAULT)
        };
        // Native-only, in any unit: no classic bounds.
        let bytes = native("rt_payload_bytes").build().unwrap();
        assert_eq!(bytes.buckets, Some(&[][..]));
        assert_eq!(bytes.native, Some(NativeSpec::DEFAULT));
        let seconds = native("rt_wait_seconds").build().unwrap();
        assert_eq!(seconds.buckets, Some(&[][..]));
        // Both, when classic buckets are given.
        let both = native("rt_size_bytes")
            .buckets([1.0, 10.0])
            .build()
            .unwrap();
        assert_eq!(both.buckets, Some(&[1.0, 10.0][..]));
        assert!(both.native.is_some());
        // Interned with the spec: another spec is another descriptor.
        assert!(std::ptr::eq(
            native("rt_payload_bytes").build().unwrap(),
            bytes
        ));
        let coarser = FamilyDesc::builder("rt_payload_bytes", Kind::Histogram, "h")
            .native(NativeSpec::from_factor(2.0))
            .build()
            .unwrap();
        assert!(!std::ptr::eq(coarser, bytes));
        // Without `native`, a histogram in bytes still needs its buckets.
        let err = FamilyDesc::builder("rt_payload_bytes", Kind::Histogram, "h")
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("`.native(NativeSpec::DEFAULT)`"),
            "{err}"
        );
    }

    #[test]
    fn the_same_definition_is_one_descriptor() {
        let build = || {
            FamilyDesc::builder("rt_jobs_total", Kind::Counter, "Jobs")
                .label("queue")
                .build()
                .unwrap()
        };
        assert!(std::ptr::eq(build(), build()));
        let other = FamilyDesc::builder("rt_jobs_total", Kind::Counter, "Other help")
            .label("queue")
            .build()
            .unwrap();
        assert!(!std::ptr::eq(build(), other));
    }

    #[test]
    fn each_rule_is_named() {
        let cases = [
            (
                FamilyDesc::builder("a\nb", Kind::Gauge, "h"),
                "invalid metric name",
            ),
            (
                FamilyDesc::builder("x", Kind::Counter, "h"),
                "must end in `_total`",
            ),
            (
                FamilyDesc::builder("x_total", Kind::Gauge, "h"),
                "ends in `_total`",
            ),
            (FamilyDesc::builder("x", Kind::Gauge, " "), "empty help"),
            (
                FamilyDesc::builder("x_seconds", Kind::Histogram, "h").label("le"),
                "reserved",
            ),
            (
                FamilyDesc::builder("x", Kind::Gauge, "h").label("a-b"),
                "invalid label name",
            ),
            (
                FamilyDesc::builder("x", Kind::Gauge, "h")
                    .label("a")
                    .label("a"),
                "duplicate label",
            ),
            (
                FamilyDesc::builder("x", Kind::Gauge, "h").buckets([1.0]),
                "only valid on histograms",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h"),
                "no buckets",
            ),
            (
                FamilyDesc::builder("x_seconds", Kind::Histogram, "h").buckets([2.0, 1.0]),
                "strictly increasing",
            ),
            (
                FamilyDesc::builder("x", Kind::Gauge, "h").max_series(5),
                "free-form label",
            ),
            (
                FamilyDesc::builder("x", Kind::Gauge, "h")
                    .label("a")
                    .idle_timeout(Duration::ZERO),
                "more than zero",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Gauge, "h").unit("seconds"),
                "contradicts",
            ),
            (
                FamilyDesc::builder("x", Kind::Gauge, "h").native(NativeSpec::DEFAULT),
                "only valid on histograms",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h")
                    .native(NativeSpec::from_factor(0.9)),
                "more than 1 and at most 65536",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h")
                    .native(NativeSpec::from_factor(1e6)),
                "more than 1 and at most 65536",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h").native(NativeSpec {
                    schema: 9,
                    ..NativeSpec::DEFAULT
                }),
                "use -4 to 8",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h")
                    .native(NativeSpec::DEFAULT.with_zero_threshold(-1e-9)),
                "finite and at least 0",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h")
                    .native(NativeSpec::DEFAULT.with_zero_threshold(f64::INFINITY)),
                "finite and at least 0",
            ),
            (
                FamilyDesc::builder("x_bytes", Kind::Histogram, "h")
                    .native(NativeSpec::DEFAULT.with_max_buckets(0)),
                "must be from 1 to 16384",
            ),
        ];
        for (builder, rule) in cases {
            let err = builder.clone().build().expect_err(rule).to_string();
            assert!(err.contains(rule), "{err:?} should name {rule:?}");
        }
        // A name outside the legacy grammar is a valid definition; only a registry built with
        // `utf8_names()` takes it.
        let utf8 = FamilyDesc::builder("1x.y", Kind::Gauge, "h")
            .build()
            .unwrap();
        let err = crate::Registry::new()
            .register_family::<crate::value::GaugeValue>(utf8)
            .expect_err("a legacy registry refuses a UTF-8 name")
            .to_string();
        assert!(err.contains("utf8_names()"), "{err}");
        let registry = crate::Registry::builder().utf8_names().build().unwrap();
        assert!(registry
            .register_family::<crate::value::GaugeValue>(utf8)
            .is_ok());
    }
}
