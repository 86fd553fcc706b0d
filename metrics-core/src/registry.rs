//! The registry: groups of families, const labels, a name prefix, and the exposition of them all.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::RwLock;

#[cfg(doc)]
use crate::desc::DEFAULT_MAX_LABEL_VALUE_BYTES;
use std::any::Any;
use std::time::{Duration, Instant};

use crate::collector::{CollectError, Skip, Worker};
use crate::desc::{FamilyDesc, Kind, LabelDesc};
use crate::encode::{self, Escaping, Exposition, Format, Source};
use crate::family::Family;
use crate::value::Reading;
use crate::value::Series;
use crate::view::{AnyFamily, SeriesRef};

/// A struct of metric families: what `#[derive(Metrics)]` implements.
pub trait Metrics: Send + Sync + 'static {
    /// Descriptors of every family, in declaration order.
    const FAMILIES: &'static [FamilyDesc];
    /// Calls `f` with each family, in declaration order.
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily));
}

/// Object-safe form of [`Metrics`], so one registry holds many struct types.
trait Group: Send + Sync {
    fn families(&self) -> &'static [FamilyDesc];
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily));
}

impl<M: Metrics> Group for M {
    fn families(&self) -> &'static [FamilyDesc] {
        M::FAMILIES
    }
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily)) {
        Metrics::visit(self, f)
    }
}

/// A family defined at run time is a group of one.
impl<S: Series> Group for Family<S> {
    fn families(&self) -> &'static [FamilyDesc] {
        std::slice::from_ref(self.desc())
    }
    fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily)) {
        f(self)
    }
}

/// Who registered run-time families, as error messages name it.
const RUN_TIME: &str = "a family defined at run time";

struct Registered {
    owner: &'static str,
    /// Prepended to the names of this group's families: the registry's prefix, then the
    /// group's own (`app_http_`).
    prefix: String,
    group: Arc<dyn Group>,
    /// Identity of the registered `Arc`, so registering it again is a no-op.
    addr: usize,
    /// A run-time family, typed, so registering its definition again returns it.
    dynamic: Option<Arc<dyn Any + Send + Sync>>,
    /// The collector that fills this group in at scrape time.
    collector: Option<Arc<Worker>>,
}

/// A registration problem. The message names both sides of a clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// The same family (name, type, labels, help) registered twice.
    Duplicate {
        /// Exposed name.
        name: String,
        /// The struct that registered it first.
        existing: String,
        /// The struct that tried again.
        new: String,
    },
    /// The same name with a different type, label set or help text.
    Conflict {
        /// Exposed name.
        name: String,
        /// First registration: owner and shape.
        existing: String,
        /// Second registration: owner and shape.
        new: String,
    },
    /// A const label, a prefix or a const label clashing with a family's own label.
    Invalid(String),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Duplicate {
                name,
                existing,
                new,
            } => write!(
                f,
                "metric `{name}` is already registered by `{existing}`; `{new}` registers it again"
            ),
            RegistryError::Conflict {
                name,
                existing,
                new,
            } => write!(
                f,
                "metric name `{name}` is taken by {existing} and again by {new}: a family \
                 takes every name it may expose in any format, and a name belongs to one \
                 family, with one type, label set and help text; rename one of them"
            ),
            RegistryError::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for RegistryError {}

/// ``counter `shop_jobs_total` {queue} by `app::Jobs` (help: "Jobs run"; also takes
/// `shop_jobs`, `shop_jobs_created`)``: a family as an error message names it, with the other
/// names it takes ([`Kind::occupied_names`]) under `prefix`.
fn shape(owner: &str, prefix: &str, d: &FamilyDesc) -> String {
    let labels: Vec<&str> = d.labels.iter().map(|l| l.name).collect();
    let mut also: Vec<String> = d.kind.occupied_names(d.name).skip(1).collect();
    also.iter_mut().for_each(|n| *n = format!("`{prefix}{n}`"));
    let also = match also.is_empty() {
        true => String::new(),
        false => format!("; also takes {}", also.join(", ")),
    };
    format!(
        "{} `{prefix}{}` {{{}}} {owner} (help: {:?}{also})",
        d.kind.as_str(),
        d.name,
        labels.join(", "),
        d.help
    )
}

/// Who registered a family, as an error message says it.
#[derive(Clone, Copy)]
enum Owner {
    /// A struct registered by the user.
    Group(&'static str),
    /// One of the registry's own families, whose names are reserved.
    Registry,
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Group(name) => write!(f, "by `{name}`"),
            Owner::Registry => f.write_str("reserved by the registry for its own family"),
        }
    }
}

/// Builds a [`Registry`] with const labels, a name prefix and a label value cap.
#[derive(Debug, Default)]
pub struct RegistryBuilder {
    prefix: String,
    const_labels: Vec<(String, String)>,
    max_label_value_bytes: Option<usize>,
    collect_timeout: Option<Duration>,
    utf8_names: bool,
    without_start_timestamps: bool,
}

/// How long a scrape waits for the collectors ([`Registry::register_collector`]) before it
/// leaves out the families of those not finished: one second, a tenth of Prometheus' default
/// scrape timeout, so the rest of the scrape is served well in time.
pub const DEFAULT_COLLECT_TIMEOUT: Duration = Duration::from_secs(1);

impl RegistryBuilder {
    /// Prepends `prefix_` to every exposed name.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Adds a label to every series (e.g. `node_id`, `cluster`).
    pub fn const_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.const_labels.push((name.into(), value.into()));
        self
    }

    /// Sets the longest free-form label value, in bytes, that gets a series of its own in the
    /// families registered here (default [`DEFAULT_MAX_LABEL_VALUE_BYTES`]). A longer value
    /// folds into its family's overflow series and is counted in
    /// `metrics_series_overflow_total`; an info family ignores a set with one.
    ///
    /// It applies from registration on, so register a struct before updating it.
    ///
    /// ```
    /// use promdecl::{testing, Counter, Format, Metrics, Registry, OVERFLOW_VALUE};
    ///
    /// #[derive(Metrics)]
    /// struct Paths {
    ///     /// Requests by path
    ///     #[metric(counter, labels = [path])]
    ///     requests_total: Counter,
    /// }
    ///
    /// let registry = Registry::builder().max_label_value_bytes(8).build().unwrap();
    /// let paths = registry.register(Paths::new()).unwrap();
    /// paths.requests_total("/a").inc();
    /// paths.requests_total("/a/very/long/path").inc();
    /// assert_eq!(testing::value(&*paths, "requests_total", &[OVERFLOW_VALUE]), Some(1.0));
    /// let text = registry.encode(Format::Text);
    /// assert!(text.contains("metrics_series_overflow_total{family=\"requests_total\"} 1\n"));
    /// assert!(!text.contains("very"));
    /// ```
    pub fn max_label_value_bytes(mut self, bytes: usize) -> Self {
        self.max_label_value_bytes = Some(bytes);
        self
    }

    /// How long a scrape waits for collectors (default [`DEFAULT_COLLECT_TIMEOUT`]).
    pub fn collect_timeout(mut self, timeout: Duration) -> Self {
        self.collect_timeout = Some(timeout);
        self
    }

    /// Lets run-time families ([`FamilyDesc::builder`]) take metric names outside the legacy
    /// character set, as Prometheus 3 allows (`http.server.duration_seconds`). A scraper that
    /// asks `escaping=allow-utf-8` gets them quoted; any other gets them escaped as it asks
    /// ([`Escaping`]), underscores by default. Off by default: such names reach older
    /// scrapers and PromQL only escaped.
    ///
    /// ```
    /// use promdecl::value::GaugeValue;
    /// use promdecl::{Escaping, Exposition, FamilyDesc, Format, Kind, Registry};
    ///
    /// let registry = Registry::builder().utf8_names().build().unwrap();
    /// let desc = FamilyDesc::builder("queue.depth", Kind::Gauge, "Jobs waiting")
    ///     .build()
    ///     .unwrap();
    /// let depth = registry.register_family::<GaugeValue>(desc).unwrap();
    /// depth.get_by_values(&[]).unwrap().set(3.0);
    /// let utf8 = Exposition::text(Format::Text).with_escaping(Escaping::AllowUtf8);
    /// let text = String::from_utf8(registry.expose(utf8)).unwrap();
    /// assert!(text.contains("{\"queue.depth\"} 3\n"));
    /// assert!(registry.encode(Format::Text).contains("\nqueue_depth 3\n"));
    /// ```
    pub fn utf8_names(mut self) -> Self {
        self.utf8_names = true;
        self
    }

    /// Leaves out start timestamps: OpenMetrics `_created` samples and protobuf
    /// `created_timestamp`. They are on by default, for counters and histograms: they tell
    /// Prometheus when a series started from zero, so an increase before its first scrape is
    /// not lost. Prometheus 2 without `created-timestamp-zero-ingestion` stores OpenMetrics
    /// `_created` samples as series of their own, which some prefer to avoid.
    ///
    /// A series created by an update takes the start of the latest scrape as its start (it did
    /// not exist then), because reading the clock on the update path can cost a system call:
    /// the timestamp is at most one scrape interval early, never late. Enumerated series start
    /// when their family is created.
    pub fn without_start_timestamps(mut self) -> Self {
        self.without_start_timestamps = true;
        self
    }

    /// Checks the prefix and label names.
    pub fn build(self) -> Result<Registry, RegistryError> {
        if !self.prefix.is_empty() && !promdecl_spec::is_label_name(&self.prefix) {
            return Err(RegistryError::Invalid(format!(
                "registry prefix `{}` is not a valid metric name prefix; use [a-zA-Z_][a-zA-Z0-9_]*",
                self.prefix
            )));
        }
        let mut seen = Vec::new();
        for (name, _) in &self.const_labels {
            if !promdecl_spec::is_label_name(name) {
                return Err(RegistryError::Invalid(format!(
                    "const label `{name}` is not a valid label name; use [a-zA-Z_][a-zA-Z0-9_]*"
                )));
            }
            if let Some(why) = promdecl_spec::const_label_reserved(name) {
                return Err(RegistryError::Invalid(format!(
                    "const label `{name}` is reserved: {why}"
                )));
            }
            if seen.contains(&name) {
                return Err(RegistryError::Invalid(format!(
                    "const label `{name}` is given twice"
                )));
            }
            seen.push(name);
        }
        Ok(Registry {
            prefix: if self.prefix.is_empty() {
                String::new()
            } else {
                format!("{}_", self.prefix)
            },
            const_labels: self.const_labels,
            max_label_value_bytes: self.max_label_value_bytes,
            collect_timeout: self.collect_timeout.unwrap_or(DEFAULT_COLLECT_TIMEOUT),
            utf8_names: self.utf8_names,
            start_timestamps: !self.without_start_timestamps,
            groups: RwLock::new(Vec::new()),
        })
    }
}

/// Holds registered metric structs and encodes them.
///
/// Updates never touch the registry: they go straight to the families. A scrape takes a read
/// lock on the list of groups only, so it never blocks an update.
///
/// ```
/// use promdecl::{Counter, Metrics, Registry, Format};
///
/// #[derive(Metrics)]
/// #[metrics(prefix = "demo")]
/// struct Demo {
///     /// Requests served
///     #[metric(counter)]
///     requests_total: Counter,
/// }
///
/// let registry = Registry::builder().const_label("node_id", "n1").build().unwrap();
/// let demo = registry.register(Demo::new()).unwrap();
/// demo.requests_total().inc();
/// let text = registry.encode(Format::Text);
/// assert!(text.contains("demo_requests_total{node_id=\"n1\"} 1\n"));
/// assert!(registry.register(Demo::new()).is_err());
/// ```
pub struct Registry {
    prefix: String,
    const_labels: Vec<(String, String)>,
    max_label_value_bytes: Option<usize>,
    collect_timeout: Duration,
    utf8_names: bool,
    start_timestamps: bool,
    groups: RwLock<Vec<Registered>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("prefix", &self.prefix)
            .field("const_labels", &self.const_labels)
            .field("max_label_value_bytes", &self.max_label_value_bytes)
            .field("groups", &self.groups.read().len())
            .finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

/// One of the registry's own families: a counter with one label, `family`.
const fn own_family(
    name: &'static str,
    help: &'static str,
    labels: &'static [LabelDesc],
) -> FamilyDesc {
    FamilyDesc {
        name,
        kind: Kind::Counter,
        help,
        unit: None,
        labels,
        buckets: None,
        native: None,
        summary: None,
        max_series: None,
        idle_timeout: None,
        note: None,
    }
}

/// Labels of the registry's own families that count per family.
const BY_FAMILY: &[LabelDesc] = &[LabelDesc {
    name: "family",
    values: None,
}];

/// The framework's own family: updates folded into overflow series, by family.
///
/// Exposed (under the registry's prefix) for every family with a free-form label. Its names are
/// reserved: registering a family that takes one of them is an error.
pub static OVERFLOW_FAMILY: FamilyDesc = own_family(
    "metrics_series_overflow_total",
    "Updates folded into a family's overflow series because it reached its series budget",
    BY_FAMILY,
);

/// The framework's own family: histogram observations dropped because OpenMetrics cannot
/// represent them, by family.
///
/// NaN and ±Inf observations, and negative ones in a histogram that exposes `_sum` (whose bounds
/// are all non-negative), are dropped rather than let the sum become NaN or decrease
/// ([`promdecl_spec::histogram_observable`]). A series appears, under the registry's prefix,
/// for each family once it has dropped an observation, so a clean exposition carries none. Its
/// names are reserved like [`OVERFLOW_FAMILY`]'s.
pub static DROPPED_FAMILY: FamilyDesc = own_family(
    "metrics_observations_dropped_total",
    "Histogram observations dropped because OpenMetrics cannot represent them: NaN, infinite, or negative where the histogram exposes a sum",
    BY_FAMILY,
);

/// The framework's own family: scrapes that left out a collector's families, by collector and
/// reason (`timeout`: it did not finish within the
/// [`collect_timeout`](RegistryBuilder::collect_timeout); `error`: it failed or panicked).
///
/// Exposed, under the registry's prefix, with a zero series per collector and reason from its
/// registration on. Its names are reserved like [`OVERFLOW_FAMILY`]'s.
pub static COLLECTOR_SKIPS_FAMILY: FamilyDesc = own_family(
    "metrics_collector_skips_total",
    "Scrapes that left out a collector's families because it timed out or failed",
    &[
        LabelDesc {
            name: "collector",
            values: None,
        },
        LabelDesc {
            name: "reason",
            values: Some(&["timeout", "error"]),
        },
    ],
);

/// The registry's own families, whose names no registered family may take.
const OWN_FAMILIES: [&FamilyDesc; 3] = [&OVERFLOW_FAMILY, &DROPPED_FAMILY, &COLLECTOR_SKIPS_FAMILY];

impl Registry {
    /// An empty registry with no prefix and no const labels.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .unwrap_or_else(|_| unreachable!("empty builder is valid"))
    }

    /// Starts a builder for prefix and const labels.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The const labels applied to every series.
    pub fn const_labels(&self) -> &[(String, String)] {
        &self.const_labels
    }

    /// Registers a metrics struct and returns it shared.
    pub fn register<M: Metrics>(&self, metrics: M) -> Result<Arc<M>, RegistryError> {
        self.register_arc(Arc::new(metrics))
    }

    /// Registers a shared metrics struct. Registering the same `Arc` again is a no-op.
    pub fn register_arc<M: Metrics>(&self, metrics: Arc<M>) -> Result<Arc<M>, RegistryError> {
        self.add(metrics, self.prefix.clone())
    }

    /// Registers a metrics struct whose names get `prefix_` in front (after the registry's own
    /// prefix): a library's families under the name the application chooses.
    ///
    /// ```
    /// use promdecl::{Counter, Format, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// #[metrics(prefix = "cache")]
    /// struct Cache {
    ///     /// Cache hits
    ///     #[metric(counter)]
    ///     hits_total: Counter,
    /// }
    ///
    /// let registry = Registry::new();
    /// let cache = registry.register_prefixed("shop", Cache::new()).unwrap();
    /// cache.hits_total().inc();
    /// assert!(registry.encode(Format::Text).contains("shop_cache_hits_total 1\n"));
    /// ```
    pub fn register_prefixed<M: Metrics>(
        &self,
        prefix: &str,
        metrics: M,
    ) -> Result<Arc<M>, RegistryError> {
        if !promdecl_spec::is_label_name(prefix) {
            return Err(RegistryError::Invalid(format!(
                "prefix `{prefix}` is not a valid metric name prefix; use [a-zA-Z_][a-zA-Z0-9_]*"
            )));
        }
        self.add(Arc::new(metrics), format!("{}{prefix}_", self.prefix))
    }

    fn add<M: Metrics>(&self, metrics: Arc<M>, prefix: String) -> Result<Arc<M>, RegistryError> {
        let addr = Arc::as_ptr(&metrics) as *const () as usize;
        let owner = std::any::type_name::<M>();
        let mut groups = self.groups.write();
        if groups.iter().any(|g| g.addr == addr) {
            return Ok(metrics);
        }
        self.check(&groups, owner, &prefix, M::FAMILIES)?;
        if let Some(bytes) = self.max_label_value_bytes {
            metrics.visit(&mut |family| family.set_max_label_value_bytes(bytes));
        }
        groups.push(Registered {
            owner,
            prefix,
            group: metrics.clone(),
            addr,
            dynamic: None,
            collector: None,
        });
        Ok(metrics)
    }

    /// Registers a collector: `metrics`, whose families `collect` fills in from wherever the
    /// values live each time the registry is encoded, so they are fresh at every scrape.
    ///
    /// `collect` runs on a worker thread of the collector's own. A scrape waits for every
    /// collector together at most the [`collect_timeout`](RegistryBuilder::collect_timeout)
    /// (default [`DEFAULT_COLLECT_TIMEOUT`]); a collector that has not finished by then, or
    /// that returned an error or panicked, has its families left out of that scrape, and the
    /// skip is counted in [`COLLECTOR_SKIPS_FAMILY`] under `name`
    /// ([`last_collect_error`](Registry::last_collect_error) keeps the message). Concurrent
    /// scrapes share one run. [`unregister`](Registry::unregister) stops the worker.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use promdecl::{Format, IntGauge, Metrics, Registry};
    ///
    /// #[derive(Metrics)]
    /// #[metrics(prefix = "queue")]
    /// struct Queue {
    ///     /// Jobs waiting
    ///     #[metric(gauge)]
    ///     length: IntGauge,
    /// }
    ///
    /// let waiting = Arc::new(AtomicUsize::new(3));
    /// let registry = Registry::new();
    /// let seen = waiting.clone();
    /// registry.register_collector("queue", Queue::new(), move |q: &Queue| {
    ///     q.length().set(seen.load(Ordering::Relaxed) as i64);
    ///     Ok(())
    /// })?;
    /// assert!(registry.encode(Format::Text).contains("queue_length 3\n"));
    /// waiting.store(5, Ordering::Relaxed);
    /// assert!(registry.encode(Format::Text).contains("queue_length 5\n"));
    /// # Ok::<(), promdecl::RegistryError>(())
    /// ```
    pub fn register_collector<M, F>(
        &self,
        name: &str,
        metrics: M,
        collect: F,
    ) -> Result<Arc<M>, RegistryError>
    where
        M: Metrics,
        F: Fn(&M) -> Result<(), CollectError> + Send + Sync + 'static,
    {
        let metrics = Arc::new(metrics);
        let owner = std::any::type_name::<M>();
        let addr = Arc::as_ptr(&metrics) as *const () as usize;
        let mut groups = self.groups.write();
        if groups
            .iter()
            .any(|g| g.collector.as_ref().is_some_and(|w| w.name() == name))
        {
            return Err(RegistryError::Invalid(format!(
                "a collector named `{name}` is already registered; give each collector its own name"
            )));
        }
        self.check(&groups, owner, &self.prefix, M::FAMILIES)?;
        if let Some(bytes) = self.max_label_value_bytes {
            metrics.visit(&mut |family| family.set_max_label_value_bytes(bytes));
        }
        let job_metrics = metrics.clone();
        let worker = Worker::spawn(name.to_string(), Box::new(move || collect(&job_metrics)))
            .map_err(|e| RegistryError::Invalid(format!("cannot start collector `{name}`: {e}")))?;
        groups.push(Registered {
            owner,
            prefix: self.prefix.clone(),
            group: metrics.clone(),
            addr,
            dynamic: None,
            collector: Some(Arc::new(worker)),
        });
        Ok(metrics)
    }

    /// The message of the last failed run of collector `name`, if one failed.
    pub fn last_collect_error(&self, name: &str) -> Option<String> {
        self.groups
            .read()
            .iter()
            .filter_map(|g| g.collector.as_ref())
            .find(|w| w.name() == name)
            .and_then(|w| w.last_error())
    }

    /// Runs every collector for one scrape; the groups (by address) to leave out.
    fn collect(&self) -> Vec<usize> {
        let workers: Vec<(usize, Arc<Worker>)> = self
            .groups
            .read()
            .iter()
            .filter_map(|g| Some((g.addr, g.collector.clone()?)))
            .collect();
        let deadline = Instant::now() + self.collect_timeout;
        // All asked first, then waited for against one deadline: they run side by side.
        let pending: Vec<_> = workers.iter().map(|(_, w)| w.request()).collect();
        workers
            .iter()
            .zip(pending)
            .filter_map(|((addr, w), p)| w.wait(p, deadline).is_err().then_some(*addr))
            .collect()
    }

    /// Registers a family defined at run time ([`FamilyDesc::builder`]) and returns it shared;
    /// its series type `S` (the [`Family`] alias: [`Counter`](crate::Counter),
    /// [`Histogram`](crate::Histogram), ...) must be of the descriptor's kind.
    ///
    /// Registering the same definition again with the same series type returns the family
    /// already registered, values and all; a different definition under a name it takes is
    /// refused like any clash.
    ///
    /// ```
    /// use promdecl::{Counter, FamilyDesc, Format, Kind, Registry};
    ///
    /// let registry = Registry::new();
    /// let desc = FamilyDesc::builder("jobs_total", Kind::Counter, "Jobs run").label("queue").build()?;
    /// let jobs: std::sync::Arc<Counter> = registry.register_family(desc)?;
    /// jobs.get_by_values(&["default"])?.inc();
    /// assert!(registry.encode(Format::Text).contains("jobs_total{queue=\"default\"} 1\n"));
    ///
    /// let again: std::sync::Arc<Counter> = registry.register_family(desc)?;
    /// assert!(std::sync::Arc::ptr_eq(&jobs, &again));
    /// assert!(registry.unregister_family("jobs_total"));
    /// assert!(!registry.encode(Format::Text).contains("jobs_total"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_family<S: Series>(
        &self,
        desc: &'static FamilyDesc,
    ) -> Result<Arc<Family<S>>, RegistryError> {
        if S::KIND != desc.kind {
            return Err(RegistryError::Invalid(format!(
                "metric `{}` is declared a {} but registered with {} series; use the family type of its kind",
                desc.name,
                desc.kind.as_str(),
                S::KIND.as_str()
            )));
        }
        let mut groups = self.groups.write();
        let existing = groups.iter().find_map(|g| {
            let typed = g.dynamic.clone()?.downcast::<Family<S>>().ok()?;
            (g.prefix == self.prefix && *typed.desc() == *desc).then_some(typed)
        });
        if let Some(family) = existing {
            return Ok(family);
        }
        self.check(&groups, RUN_TIME, &self.prefix, std::slice::from_ref(desc))?;
        let family = Arc::new(Family::<S>::new(desc));
        if let Some(bytes) = self.max_label_value_bytes {
            family.set_max_label_value_bytes(bytes);
        }
        groups.push(Registered {
            owner: RUN_TIME,
            prefix: self.prefix.clone(),
            group: family.clone(),
            addr: Arc::as_ptr(&family) as *const () as usize,
            dynamic: Some(family.clone()),
            collector: None,
        });
        Ok(family)
    }

    /// Unregisters the run-time family named `name` (as defined, without the registry's
    /// prefix); returns whether one was registered. Its series leave the exposition; the
    /// family itself lives on while someone holds it.
    pub fn unregister_family(&self, name: &str) -> bool {
        let mut groups = self.groups.write();
        let before = groups.len();
        groups.retain(|g| {
            g.dynamic.is_none() || g.group.families().first().is_none_or(|d| d.name != name)
        });
        groups.len() != before
    }

    /// Removes a registered struct; returns whether it was registered.
    pub fn unregister<M: Metrics>(&self, metrics: &Arc<M>) -> bool {
        let addr = Arc::as_ptr(metrics) as *const () as usize;
        let mut groups = self.groups.write();
        let before = groups.len();
        groups.retain(|g| g.addr != addr);
        groups.len() != before
    }

    /// Refuses a family that takes a name ([`Kind::occupied_names`]) a registered family or
    /// the registry's own families take, or declares a const label; names both sides.
    fn check<'a>(
        &'a self,
        groups: &'a [Registered],
        owner: &'static str,
        prefix: &'a str,
        new: &'static [FamilyDesc],
    ) -> Result<(), RegistryError> {
        // Every taken name -> (owner, prefix, descriptor).
        let mut taken: HashMap<String, (Owner, &str, &FamilyDesc)> = HashMap::new();
        let mut take = |owner: Owner, prefix: &'a str, d: &'static FamilyDesc| {
            for n in d.kind.occupied_names(d.name) {
                let name = format!("{prefix}{n}");
                if let Some(prev) = taken.insert(name.clone(), (owner, prefix, d)) {
                    return Err((name, prev));
                }
            }
            Ok(())
        };
        for d in OWN_FAMILIES {
            let _ = take(Owner::Registry, &self.prefix, d);
        }
        for g in groups {
            for d in g.group.families() {
                let _ = take(Owner::Group(g.owner), &g.prefix, d);
            }
        }
        for d in new {
            if !self.utf8_names && !promdecl_spec::is_legacy_name(d.name) {
                return Err(RegistryError::Invalid(format!(
                    "invalid metric name `{}` for this registry: outside the legacy character \
                     set (letters, digits, `_` and `:`, not starting with a digit); rename it, \
                     or build the registry with `Registry::builder().utf8_names()`",
                    d.name
                )));
            }
            if let Some((label, _)) = self
                .const_labels
                .iter()
                .find(|(k, _)| d.labels.iter().any(|l| l.name == k))
            {
                return Err(RegistryError::Invalid(format!(
                    "metric `{}` of `{owner}` declares label `{label}`, which the registry adds as a const label",
                    d.name
                )));
            }
            let Err((name, (prev_owner, prev_prefix, prev))) = take(Owner::Group(owner), prefix, d)
            else {
                continue;
            };
            let exposed = format!("{prefix}{}", d.name);
            let same = format!("{prev_prefix}{}", prev.name) == exposed
                && prev.kind == d.kind
                && prev.labels == d.labels
                && prev.help == d.help;
            return Err(match prev_owner {
                Owner::Group(prev_owner) if same => RegistryError::Duplicate {
                    name: exposed,
                    existing: prev_owner.to_string(),
                    new: owner.to_string(),
                },
                _ => RegistryError::Conflict {
                    name,
                    existing: shape(&prev_owner.to_string(), prev_prefix, prev),
                    new: shape(&Owner::Group(owner).to_string(), prefix, d),
                },
            });
        }
        Ok(())
    }

    /// Calls `f` with every registered family, in registration order.
    pub fn visit(&self, f: &mut dyn FnMut(&dyn AnyFamily)) {
        self.visit_prefixed(&mut |_, family| f(family));
    }

    /// Calls `f` with the prefix each registered family is exposed under (`prefix` + its
    /// descriptor's name is the exposed name) and the family, in registration order.
    pub fn visit_prefixed(&self, f: &mut dyn FnMut(&str, &dyn AnyFamily)) {
        self.visit_grouped(&mut |_, prefix, family| f(prefix, family));
    }

    /// Calls `f` with what registered each family, the prefix it is exposed under and the
    /// family, in registration order. The first is the declaring struct's path as
    /// [`std::any::type_name`] writes it (`my_app::http::Http`), or `a family defined at run
    /// time` for a family registered alone: what a page groups families by.
    pub fn visit_grouped(&self, f: &mut dyn FnMut(&str, &str, &dyn AnyFamily)) {
        for g in self.groups.read().iter() {
            g.group.visit(&mut |family| f(g.owner, &g.prefix, family));
        }
    }

    /// Encodes every family in text format `format`, names outside the legacy character set
    /// escaped with underscores ([`Escaping::Underscores`](crate::Escaping)).
    pub fn encode(&self, format: Format) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.encode_into(&mut out, format);
        out
    }

    /// [`encode`](Registry::encode), appending to `out`.
    pub fn encode_into(&self, out: &mut String, format: Format) {
        self.with_source(Escaping::Underscores, |source| {
            encode::write_text(out, format, source)
        });
    }

    /// Writes `exposition` (a text format or protobuf, with its escaping), as a server answers
    /// a scrape that negotiated it; its `Content-Type` is
    /// [`exposition.content_type()`](Exposition::content_type).
    pub fn expose(&self, exposition: Exposition) -> Vec<u8> {
        let escaping = exposition.escaping();
        match exposition.text_format() {
            Some(format) => {
                let mut out = String::with_capacity(16 * 1024);
                self.with_source(escaping, |source| {
                    encode::write_text(&mut out, format, source)
                });
                out.into_bytes()
            }
            None => {
                let mut out = Vec::with_capacity(16 * 1024);
                self.with_source(escaping, |source| encode::protobuf::write(&mut out, source));
                out
            }
        }
    }

    /// Calls `write` with every family of an exposition: runs the collectors first
    /// ([`register_collector`](Registry::register_collector)), and expires idle series.
    fn with_source(&self, escaping: Escaping, write: impl FnOnce(&Source<'_>)) {
        crate::start::scrape_started();
        let skipped = self.collect();
        let families = |f: &mut dyn FnMut(&str, &dyn AnyFamily)| {
            let mut overflow = Counts::new(&OVERFLOW_FAMILY);
            let mut dropped = Counts::new(&DROPPED_FAMILY);
            let mut skips = Counts::new(&COLLECTOR_SKIPS_FAMILY);
            let groups = self.groups.read();
            for g in groups.iter() {
                if let Some(w) = &g.collector {
                    for reason in Skip::ALL {
                        skips.row(&[w.name(), reason.as_str()], w.skipped(reason));
                    }
                }
            }
            let visible = groups.iter().filter(|g| !skipped.contains(&g.addr));
            let mut each = |prefix: &str, family: &dyn AnyFamily| {
                family.expire_idle();
                f(prefix, family);
                // Named as declared plus the prefix its group was registered under (the
                // registry-wide prefix is left out, as in the declaration).
                let own = prefix.strip_prefix(self.prefix.as_str()).unwrap_or(prefix);
                let desc = family.desc();
                if desc.free_form_count() > 0 {
                    overflow.note(own, desc, family.folded());
                }
                if matches!(desc.kind, Kind::Histogram | Kind::Summary) {
                    let n = family.dropped();
                    if n > 0 {
                        dropped.note(own, desc, n);
                    }
                }
            };
            for g in visible {
                g.group.visit(&mut |family| each(&g.prefix, family));
            }
            for counts in [&overflow, &dropped, &skips] {
                if !counts.rows.is_empty() {
                    f(&self.prefix, counts);
                }
            }
        };
        write(&Source {
            escaping,
            start_timestamps: self.start_timestamps,
            const_labels: &self.const_labels,
            families: &families,
        });
    }
}

/// One of the registry's own families ([`OVERFLOW_FAMILY`], [`DROPPED_FAMILY`]) for one scrape:
/// a count per family.
struct Counts {
    desc: &'static FamilyDesc,
    /// `(label values, rendered labels, count)`.
    rows: Vec<(Vec<String>, String, u64)>,
}

impl Counts {
    fn new(desc: &'static FamilyDesc) -> Self {
        Self {
            desc,
            rows: Vec::new(),
        }
    }

    /// Adds the row of `family`, registered under `group_prefix`.
    fn note(&mut self, group_prefix: &str, family: &FamilyDesc, count: u64) {
        self.row(&[&format!("{group_prefix}{}", family.name)], count);
    }

    fn row(&mut self, values: &[&str], count: u64) {
        let text = encode::text::render_labels(self.desc, values);
        self.rows
            .push((values.iter().map(|v| v.to_string()).collect(), text, count));
    }
}

impl AnyFamily for Counts {
    fn desc(&self) -> &'static FamilyDesc {
        self.desc
    }
    fn for_each_series(&self, f: &mut dyn FnMut(&SeriesRef<'_>)) {
        for (values, text, count) in &self.rows {
            f(&SeriesRef::listed(
                self.desc,
                values,
                text,
                Reading::Counter(*count),
            ));
        }
    }
    fn folded(&self) -> u64 {
        0
    }
    fn series_count(&self) -> usize {
        self.rows.len()
    }
    fn record(&self, _: &[&str], _: f64) -> Result<(), crate::LabelError> {
        Err(crate::LabelError::new(format!(
            "`{}` is computed at scrape time and cannot be recorded into",
            self.desc.name
        )))
    }
}
