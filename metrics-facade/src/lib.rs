//! A [`metrics`] recorder that lands `metrics::counter!`, `gauge!` and `histogram!` from any
//! crate in a promdecl [`Registry`], beside the families declared there.
//!
//! ```
//! use std::sync::Arc;
//! use promdecl::{Format, Registry};
//! use promdecl_facade::PromdeclRecorder;
//!
//! let registry = Arc::new(Registry::new());
//! let recorder = PromdeclRecorder::new(registry.clone());
//! metrics::with_local_recorder(&recorder, || {
//!     metrics::counter!("jobs_total", "queue" => "default").increment(1);
//! });
//! assert!(registry.encode(Format::Text).contains("jobs_total{queue=\"default\"} 1\n"));
//! ```
//!
//! # Mapping rules
//!
//! - **Families.** A run-time family ([`promdecl::FamilyDesc::builder`]) is registered on the
//!   first use of a name. Its labels are the key's label names, in the order of that first
//!   call; later calls may give the same labels in any order.
//! - **Counter names.** promdecl exposes counters under names ending in `_total`; a facade
//!   counter whose name does not end in `_total` gets it appended (the Prometheus naming
//!   convention, as `metrics-exporter-prometheus` does): `counter!("jobs")` is `jobs_total`,
//!   and `counter!("jobs_total")` is the same family.
//! - **Rejections.** A name or label name promdecl refuses (by
//!   [`FamilyBuilder::build`](promdecl::FamilyBuilder::build) or
//!   [`Registry::register_family`]), a second use of a name with another label set, or with
//!   another kind, is never exposed: it is logged once with `tracing::warn!`, counted once in
//!   the recorder's own `metrics_facade_rejected_total{reason}` (reasons `name`,
//!   `label_name`, `label_set`, `kind` and `conflict`: a clash with a family registered by
//!   other means), and its updates go to a no-op handle.
//! - **Series budget.** Each family gets the recorder's series budget
//!   ([`PromdeclRecorder::max_series`], default [`promdecl::DEFAULT_MAX_SERIES`]); label
//!   values past it fold into the `__overflow__` series, counted in
//!   `metrics_series_overflow_total`, as in any promdecl family.
//! - **Descriptions.** `describe_counter!`, `describe_gauge!` and `describe_histogram!`
//!   before the first use of a name give its HELP and, when the name ends in the unit
//!   (`_seconds`, `_bytes`, ... before any `_total`), its promdecl unit. A description given
//!   after the first use cannot change the family already registered and is ignored. Without
//!   one, HELP reads ``metrics facade counter `<name>` `` (HELP may not be empty).
//! - **Histogram buckets.** The first matching [`PromdeclRecorder::buckets_for`] pattern
//!   gives a histogram's buckets; without one, every histogram gets
//!   [`promdecl::buckets::DEFAULT`] (5 ms to 10 s, meant for seconds: configure buckets for
//!   histograms in other units).
//! - **Updates.** A handle holds its family and label values and looks its series up on every
//!   update (one hash probe), so a series removed or expired is re-created by the next update.
//!   Counter `absolute(v)` increments by the difference when `v` is larger than the current
//!   value (a counter cannot be set; two racing `absolute` calls may both add) and otherwise
//!   does nothing.

#![deny(missing_docs)]

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex, RwLock};

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SetRecorderError, SharedString, Unit,
};
use promdecl::value::{CounterValue, GaugeValue, HistogramValue, Series};
use promdecl::{Family, FamilyDesc, Kind, Registry};

/// The family in which the recorder counts the keys it rejects, by `reason`.
pub const REJECTED_FAMILY: &str = "metrics_facade_rejected_total";

/// Which facade metric names a bucket layout applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The name exactly.
    Full(String),
    /// Names starting with this.
    Prefix(String),
    /// Names ending with this (`"_seconds"`, `"_bytes"`).
    Suffix(String),
}

impl Matcher {
    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Matcher::Full(s) => name == s,
            Matcher::Prefix(s) => name.starts_with(s.as_str()),
            Matcher::Suffix(s) => name.ends_with(s.as_str()),
        }
    }
}

/// A [`metrics::Recorder`] that registers a promdecl family per facade metric name; see the
/// [crate documentation](crate) for the mapping rules.
pub struct PromdeclRecorder {
    registry: Arc<Registry>,
    max_series: usize,
    buckets: Vec<(Matcher, &'static [f64])>,
    rejected: Option<Arc<Family<CounterValue>>>,
    // Boxed to keep the recorder (and `install`'s error, which returns it) small.
    state: Box<Mutex<State>>,
    /// The handle made for each key so far, so that a `counter!` call repeated with the same
    /// key (the common use) is one probe by the key's precomputed hash and a clone. At most
    /// [`CACHED_KEYS`]; keys past it take the full path each time.
    cache: Box<RwLock<HashMap<Key, Cached, BuildHasherDefault<KeyHash>>>>,
}

/// Keys whose handles [`PromdeclRecorder`] keeps: enough for every series of a few families at
/// the default budget, bounded whatever label values callers send.
pub const CACHED_KEYS: usize = 10_000;

#[derive(Clone)]
enum Cached {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

/// Hashes a [`Key`] by the hash it carries (`Key`'s `Hash` writes exactly that `u64`).
#[derive(Default)]
struct KeyHash(u64);

impl std::hash::Hasher for KeyHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not reached for `Key`; still a hash, should another type come here.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl fmt::Debug for PromdeclRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromdeclRecorder")
            .field("max_series", &self.max_series)
            .field("buckets", &self.buckets)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    /// By exposed family name.
    families: HashMap<String, Entry>,
    /// By facade name and kind.
    descriptions: HashMap<(String, Kind), (Option<Unit>, String)>,
    /// Rejections already reported: exposed name, sorted label names, reason.
    reported: HashSet<(String, Vec<String>, &'static str)>,
}

enum Entry {
    Counter(Arc<Family<CounterValue>>, Vec<String>),
    Gauge(Arc<Family<GaugeValue>>, Vec<String>),
    Histogram(Arc<Family<HistogramValue>>, Vec<String>),
    /// The name itself was refused: every key of it is.
    Rejected,
}

impl Entry {
    fn kind(&self) -> Option<Kind> {
        match self {
            Entry::Counter(..) => Some(Kind::Counter),
            Entry::Gauge(..) => Some(Kind::Gauge),
            Entry::Histogram(..) => Some(Kind::Histogram),
            Entry::Rejected => None,
        }
    }
}

impl PromdeclRecorder {
    /// A recorder registering its families in `registry`; it registers
    /// [`REJECTED_FAMILY`] there too (unless the registry refuses it, as it would a second
    /// recorder's: then rejections are only logged).
    pub fn new(registry: Arc<Registry>) -> Self {
        let rejected = FamilyDesc::builder(
            REJECTED_FAMILY,
            Kind::Counter,
            "Metrics facade keys not exposed: invalid names or label names, a second label set or kind for a name, or a clash with another family, by reason",
        )
        .enum_label("reason", ["name", "label_name", "label_set", "kind", "conflict"])
        .build()
        .ok()
        .and_then(|desc| registry.register_family::<CounterValue>(desc).ok());
        Self {
            registry,
            max_series: promdecl::DEFAULT_MAX_SERIES,
            buckets: Vec::new(),
            rejected,
            state: Box::default(),
            cache: Box::default(),
        }
    }

    /// The series budget of each family the recorder creates (default
    /// [`promdecl::DEFAULT_MAX_SERIES`]).
    pub fn max_series(mut self, n: usize) -> Self {
        self.max_series = n;
        self
    }

    /// Gives histograms whose facade name matches `matcher` these bucket upper bounds
    /// (without `+Inf`); the first pattern added that matches wins.
    pub fn buckets_for(mut self, matcher: Matcher, bounds: &'static [f64]) -> Self {
        self.buckets.push((matcher, bounds));
        self
    }

    /// The registry the recorder registers in.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Installs the recorder as the process-wide [`metrics`] recorder.
    pub fn install(self) -> Result<(), SetRecorderError<Self>> {
        metrics::set_global_recorder(self)
    }

    fn buckets(&self, name: &str) -> &'static [f64] {
        self.buckets
            .iter()
            .find(|(m, _)| m.matches(name))
            .map_or(promdecl::buckets::DEFAULT, |(_, b)| *b)
    }

    fn describe(&self, kind: Kind, key: KeyName, unit: Option<Unit>, help: SharedString) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .descriptions
            .insert((key.as_str().to_owned(), kind), (unit, help.to_string()));
    }

    /// Counts and logs a rejection, once per exposed name, label set and reason.
    fn reject(
        &self,
        state: &mut State,
        name: &str,
        labels: &[String],
        reason: &'static str,
        why: &str,
    ) {
        let mut sorted = labels.to_vec();
        sorted.sort();
        if state.reported.insert((name.to_owned(), sorted, reason)) {
            tracing::warn!(
                metric = name,
                reason,
                "metrics facade key not exposed: {why}"
            );
            if let Some(rejected) = &self.rejected {
                if let Ok(series) = rejected.get_by_values(&[reason]) {
                    series.inc();
                }
            }
        }
    }

    /// The family of `key` and its label values in family order; `None` when rejected.
    fn lookup(&self, kind: Kind, key: &Key) -> Option<(Entry, Vec<String>)> {
        let facade = key.name();
        let name = match kind {
            Kind::Counter if !facade.ends_with("_total") => format!("{facade}_total"),
            _ => facade.to_owned(),
        };
        let names: Vec<String> = key.labels().map(|l| l.key().to_owned()).collect();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !state.families.contains_key(&name) {
            let entry = self.create(&mut state, kind, facade, &name, &names);
            state.families.insert(name.clone(), entry);
        }
        let (entry_kind, family_labels) = match &state.families[&name] {
            Entry::Rejected => return None,
            Entry::Counter(_, l) | Entry::Gauge(_, l) | Entry::Histogram(_, l) => {
                (state.families[&name].kind(), l.clone())
            }
        };
        if entry_kind != Some(kind) {
            let why = format!(
                "`{name}` is already a {}",
                entry_kind.map_or("", Kind::as_str)
            );
            self.reject(&mut state, &name, &names, "kind", &why);
            return None;
        }
        let mut sorted = names.clone();
        sorted.sort();
        let mut expected = family_labels.clone();
        expected.sort();
        if sorted != expected {
            let why = format!("`{name}` has labels {family_labels:?}, not {names:?}");
            self.reject(&mut state, &name, &names, "label_set", &why);
            return None;
        }
        let values = family_labels
            .iter()
            .map(|l| {
                key.labels()
                    .find(|k| k.key() == l)
                    .map_or_else(String::new, |k| k.value().to_owned())
            })
            .collect();
        let entry = match &state.families[&name] {
            Entry::Counter(f, l) => Entry::Counter(f.clone(), l.clone()),
            Entry::Gauge(f, l) => Entry::Gauge(f.clone(), l.clone()),
            Entry::Histogram(f, l) => Entry::Histogram(f.clone(), l.clone()),
            Entry::Rejected => return None,
        };
        Some((entry, values))
    }

    fn create(
        &self,
        state: &mut State,
        kind: Kind,
        facade: &str,
        name: &str,
        labels: &[String],
    ) -> Entry {
        let (unit, help) = state
            .descriptions
            .get(&(facade.to_owned(), kind))
            .cloned()
            .unwrap_or((None, String::new()));
        let help = if help.trim().is_empty() {
            format!("metrics facade {} `{facade}`", kind.as_str())
        } else {
            help
        };
        let mut builder = labels
            .iter()
            .fold(FamilyDesc::builder(name, kind, help), |b, l| {
                b.label(l.as_str())
            });
        if !labels.is_empty() {
            // A budget applies only to families with labels.
            builder = builder.max_series(self.max_series);
        }
        let builder = match kind {
            Kind::Histogram => builder.buckets(self.buckets(facade)),
            _ => builder,
        };
        let base = name.strip_suffix("_total").unwrap_or(name);
        let unit = unit
            .map(|u| u.as_str())
            .filter(|u| base.ends_with(&format!("_{u}")));
        // A unit promdecl does not take (not a base unit) is dropped rather than the family.
        let built = match unit {
            Some(u) => builder.clone().unit(u).build().or_else(|_| builder.build()),
            None => builder.build(),
        };
        let desc = match built {
            Ok(desc) => desc,
            Err(e) => {
                let msg = e.to_string();
                let reason = if is_label_error(&msg) {
                    "label_name"
                } else {
                    "name"
                };
                self.reject(state, name, labels, reason, &msg);
                return Entry::Rejected;
            }
        };
        let registered = match kind {
            Kind::Counter => self
                .register(desc)
                .map(|f| Entry::Counter(f, labels.to_vec())),
            Kind::Gauge => self
                .register(desc)
                .map(|f| Entry::Gauge(f, labels.to_vec())),
            _ => self
                .register(desc)
                .map(|f| Entry::Histogram(f, labels.to_vec())),
        };
        registered.unwrap_or_else(|e| {
            let reason = if is_legacy_name(name) {
                "conflict"
            } else {
                "name"
            };
            self.reject(state, name, labels, reason, &e.to_string());
            Entry::Rejected
        })
    }

    fn cached(&self, key: &Key) -> Option<Cached> {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        cache.get(key).cloned()
    }

    /// Keeps the handle of `key` unless the cache is full or holds one already (of another
    /// kind: a key used as two kinds keeps its first handle, the other is refused each time).
    fn remember(&self, key: &Key, handle: Cached) {
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() < CACHED_KEYS && !cache.contains_key(key) {
            cache.insert(key.clone(), handle);
        }
    }

    fn register<S: Series>(
        &self,
        desc: &'static FamilyDesc,
    ) -> Result<Arc<Family<S>>, promdecl::RegistryError> {
        self.registry.register_family::<S>(desc)
    }
}

/// Whether a [`promdecl::DescError`] message is about a label name.
fn is_label_error(msg: &str) -> bool {
    msg.contains("label name") || msg.starts_with("label `") || msg.starts_with("duplicate label")
}

/// Whether `name` is in the classic metric name grammar, which every registry takes.
fn is_legacy_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

impl Recorder for PromdeclRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(Kind::Counter, key, unit, description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(Kind::Gauge, key, unit, description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(Kind::Histogram, key, unit, description);
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        if let Some(Cached::Counter(c)) = self.cached(key) {
            return c;
        }
        let counter = match self.lookup(Kind::Counter, key) {
            Some((Entry::Counter(family, _), values)) => {
                Counter::from_arc(Arc::new(SeriesHandle { family, values }))
            }
            _ => Counter::noop(),
        };
        self.remember(key, Cached::Counter(counter.clone()));
        counter
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        if let Some(Cached::Gauge(g)) = self.cached(key) {
            return g;
        }
        let gauge = match self.lookup(Kind::Gauge, key) {
            Some((Entry::Gauge(family, _), values)) => {
                Gauge::from_arc(Arc::new(SeriesHandle { family, values }))
            }
            _ => Gauge::noop(),
        };
        self.remember(key, Cached::Gauge(gauge.clone()));
        gauge
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        if let Some(Cached::Histogram(h)) = self.cached(key) {
            return h;
        }
        let histogram = match self.lookup(Kind::Histogram, key) {
            Some((Entry::Histogram(family, _), values)) => {
                Histogram::from_arc(Arc::new(SeriesHandle { family, values }))
            }
            _ => Histogram::noop(),
        };
        self.remember(key, Cached::Histogram(histogram.clone()));
        histogram
    }
}

/// A facade handle: a family and the label values of one series, looked up on each update.
struct SeriesHandle<S> {
    family: Arc<Family<S>>,
    values: Vec<String>,
}

impl<S: Series> SeriesHandle<S> {
    fn with(&self, f: impl FnOnce(&S)) {
        const STACK: usize = 8;
        let update = |values: &[&str]| {
            if let Ok(series) = self.family.get_by_values(values) {
                f(&series);
            }
        };
        if self.values.len() <= STACK {
            let mut refs = [""; STACK];
            for (r, v) in refs.iter_mut().zip(&self.values) {
                *r = v.as_str();
            }
            update(&refs[..self.values.len()]);
        } else {
            let refs: Vec<&str> = self.values.iter().map(String::as_str).collect();
            update(&refs);
        }
    }
}

impl CounterFn for SeriesHandle<CounterValue> {
    fn increment(&self, value: u64) {
        self.with(|c| c.inc_by(value));
    }

    fn absolute(&self, value: u64) {
        self.with(|c| {
            let current = c.get();
            if value > current {
                c.inc_by(value - current);
            }
        });
    }
}

impl GaugeFn for SeriesHandle<GaugeValue> {
    fn increment(&self, value: f64) {
        self.with(|g| g.add(value));
    }

    fn decrement(&self, value: f64) {
        self.with(|g| g.sub(value));
    }

    fn set(&self, value: f64) {
        self.with(|g| g.set(value));
    }
}

impl HistogramFn for SeriesHandle<HistogramValue> {
    fn record(&self, value: f64) {
        self.with(|h| h.observe(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_cache_is_bounded_and_keys_past_it_still_count() {
        let registry = Arc::new(Registry::new());
        let recorder = PromdeclRecorder::new(registry.clone()).max_series(2 * CACHED_KEYS);
        let n = CACHED_KEYS + 10;
        metrics::with_local_recorder(&recorder, || {
            for round in 0..2 {
                for i in 0..n {
                    metrics::counter!("calls_total", "id" => i.to_string()).increment(round + 1);
                }
            }
        });
        assert_eq!(recorder.cache.read().unwrap().len(), CACHED_KEYS);
        let text = registry.encode(promdecl::Format::Text);
        let last = format!("calls_total{{id=\"{}\"}} 3\n", n - 1);
        assert!(text.contains(&last), "{last}");
        assert!(text.contains("calls_total{id=\"0\"} 3\n"));
    }
}
