//! semstreams' service-specific metrics: `MetricsRegistry.RegisterCounter(serviceName,
//! metricName, ...)` and its siblings, `Unregister`, and the `MetricsRegistrar` interface a
//! service takes as a dependency.
//!
//! A service names, describes and labels its own metrics when it starts, so they are families
//! defined at run time: [`ServiceRegistry`] checks each definition with
//! [`FamilyDesc::builder`] (the rules the derive applies at compile time) and registers it with
//! [`Registry::register_family`]. It is a thin layer that adds what the document specifies on
//! top:
//!
//! - **Names.** "Service-specific metrics use the metric name as provided during
//!   registration": a metric is exposed under its name as given (after the [`Registry`]'s own
//!   prefix, which a semstreams registry does not have), with no service prefix and no
//!   `service` label. The service only keys the registration.
//! - **Keys.** A registration is keyed by `(service, metric name)`, and a metric name belongs to
//!   one service at a time: another service registering it is an error that says it is
//!   "already registered" (the phrase the document's error-handling example looks for).
//! - **Idempotent.** Registering the same definition under the same key again returns the
//!   family already registered, values and all. The document's registry reports success for
//!   any metric under a taken key ("returns success if metric already registered with same
//!   key"), so a different second metric would silently go unexposed; here a different
//!   definition under the key is an error naming both definitions.
//! - **Validation.** A definition that breaks a rule (a counter not ending in `_total`, a bad
//!   label name, unsorted buckets, ...) is an error whose message names the rule.
//! - **`Unregister`** removes the family from the registry (its series leave the exposition)
//!   and returns whether it was registered.
//! - **Thread safety.** Registration takes a mutex; updates are the lock-free family updates.
//!
//! The document's plain `prometheus.Counter` / `Gauge` / `Histogram` are families without
//! labels; its `CounterVec` / `GaugeVec` / `HistogramVec` take free-form labels, each family with
//! the default series budget ([`promdecl::DEFAULT_MAX_SERIES`]) past which new label values
//! fold into the overflow series. A histogram given no buckets gets [`DEF_BUCKETS`], as the Go
//! client gives a `HistogramOpts` without `Buckets`. Counters are [`Counter`]s, which count in
//! whole numbers (`inc`, `inc_by(u64)`) where the Go client's `Add` takes a float.
//!
//! [`ServiceRegistry::sections`] hands the registered metrics to the generators, one section per
//! service, so a running process can document what its services registered.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use promdecl::value::Series;
use promdecl::{
    Counter, DescError, Family, FamilyBuilder, FamilyDesc, Gauge, Histogram, Kind, Registry,
    RegistryError,
};
use promdecl_gen::Section;

use super::buckets::DEF_BUCKETS;

/// Registers service-specific metrics: semstreams' `MetricsRegistrar` interface, which a service
/// takes as a dependency (`&dyn MetricsRegistrar` or `Arc<dyn MetricsRegistrar>`) so tests can
/// hand it a mock.
///
/// Each method registers `metric` for `service` and returns the family; see the
/// [module documentation](self) for names, keys, idempotence and errors. The plain forms are the
/// `_vec` forms without labels, so a mock implements four methods.
///
/// ```
/// use std::sync::Arc;
/// use promdecl::{Counter, Format, Registry};
/// use promdecl_catalog::semstreams::{MetricsRegistrar, ServiceError, ServiceRegistry};
///
/// /// The document's `MyService`: it registers its metric through whatever registrar it is given.
/// struct MyService {
///     operations: Arc<Counter>,
/// }
///
/// impl MyService {
///     fn new(metrics: &dyn MetricsRegistrar) -> Result<Self, ServiceError> {
///         let operations =
///             metrics.register_counter("my-service", "operations_total", "Total operations")?;
///         Ok(Self { operations })
///     }
///
///     fn do_work(&self) {
///         // A family without labels has one series, reached with no label values.
///         if let Ok(series) = self.operations.get_by_values(&[]) {
///             series.inc();
///         }
///     }
/// }
///
/// let registry = Arc::new(Registry::new());
/// let services = ServiceRegistry::new(registry.clone());
/// let service = MyService::new(&services)?;
/// service.do_work();
/// assert!(registry.encode(Format::Text).contains("\noperations_total 1\n"));
///
/// // Starting the service again registers the same metric: the same family comes back.
/// let again = MyService::new(&services)?;
/// assert!(Arc::ptr_eq(&service.operations, &again.operations));
/// assert!(services.unregister("my-service", "operations_total"));
/// # Ok::<(), ServiceError>(())
/// ```
pub trait MetricsRegistrar: Send + Sync {
    /// `RegisterCounter`: a counter without labels.
    fn register_counter(
        &self,
        service: &str,
        metric: &str,
        help: &str,
    ) -> Result<Arc<Counter>, ServiceError> {
        self.register_counter_vec(service, metric, help, &[])
    }

    /// `RegisterCounterVec`: a counter with free-form `labels`.
    fn register_counter_vec(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<Arc<Counter>, ServiceError>;

    /// `RegisterGauge`: a gauge without labels.
    fn register_gauge(
        &self,
        service: &str,
        metric: &str,
        help: &str,
    ) -> Result<Arc<Gauge>, ServiceError> {
        self.register_gauge_vec(service, metric, help, &[])
    }

    /// `RegisterGaugeVec`: a gauge with free-form `labels`.
    fn register_gauge_vec(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<Arc<Gauge>, ServiceError>;

    /// `RegisterHistogram`: a histogram without labels, with bucket upper bounds `buckets`
    /// ([`DEF_BUCKETS`] when empty).
    fn register_histogram(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        buckets: &[f64],
    ) -> Result<Arc<Histogram>, ServiceError> {
        self.register_histogram_vec(service, metric, help, buckets, &[])
    }

    /// `RegisterHistogramVec`: a histogram with free-form `labels` and bucket upper bounds
    /// `buckets` ([`DEF_BUCKETS`] when empty).
    fn register_histogram_vec(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        buckets: &[f64],
        labels: &[&str],
    ) -> Result<Arc<Histogram>, ServiceError>;

    /// `Unregister`: removes `service`'s `metric`; returns whether it was registered.
    fn unregister(&self, service: &str, metric: &str) -> bool;
}

/// A registration problem; the message names the service and the metric.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceError {
    /// The definition breaks a rule; the message names it.
    Invalid {
        /// The registering service.
        service: String,
        /// The metric name it registers.
        metric: String,
        /// The rule broken.
        source: DescError,
    },
    /// The service registered the metric before with a different definition.
    Conflict {
        /// The registering service.
        service: String,
        /// The metric name it registers.
        metric: String,
        /// The registered definition.
        existing: String,
        /// The refused definition.
        new: String,
    },
    /// Another service registered the metric name.
    AlreadyRegistered {
        /// The registering service.
        service: String,
        /// The metric name it registers.
        metric: String,
        /// The service holding the name.
        owner: String,
    },
    /// The registry refused the family: it takes a name a family registered otherwise takes
    /// (the core `semstreams_*` metrics, say).
    Registry {
        /// The registering service.
        service: String,
        /// The metric name it registers.
        metric: String,
        /// The registry's error, naming both families (boxed: it is the largest part).
        source: Box<RegistryError>,
    },
}

impl ServiceError {
    /// The registering service.
    pub fn service(&self) -> &str {
        match self {
            Self::Invalid { service, .. }
            | Self::Conflict { service, .. }
            | Self::AlreadyRegistered { service, .. }
            | Self::Registry { service, .. } => service,
        }
    }

    /// The metric name it registers.
    pub fn metric(&self) -> &str {
        match self {
            Self::Invalid { metric, .. }
            | Self::Conflict { metric, .. }
            | Self::AlreadyRegistered { metric, .. }
            | Self::Registry { metric, .. } => metric,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid {
                service,
                metric,
                source,
            } => write!(
                f,
                "service `{service}` cannot register `{metric}`: {source}"
            ),
            Self::Conflict {
                service,
                metric,
                existing,
                new,
            } => write!(
                f,
                "service `{service}` already registered metric `{metric}` as {existing}, and now \
                 registers it as {new}; register the same definition, or unregister it first"
            ),
            Self::AlreadyRegistered {
                service,
                metric,
                owner,
            } => write!(
                f,
                "metric `{metric}` is already registered by service `{owner}`; service \
                 `{service}` registers it again: a metric name belongs to one service, so \
                 rename one of them"
            ),
            Self::Registry {
                service,
                metric,
                source,
            } => write!(
                f,
                "service `{service}` cannot register `{metric}`: {source}"
            ),
        }
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Invalid { source, .. } => Some(source),
            Self::Registry { source, .. } => Some(&**source),
            Self::Conflict { .. } | Self::AlreadyRegistered { .. } => None,
        }
    }
}

/// ``counter {status, method} (help: "Total HTTP requests")``: a definition as an error names it.
fn shape(d: &FamilyDesc) -> String {
    let labels: Vec<&str> = d.labels.iter().map(|l| l.name).collect();
    let mut out = format!(
        "{} {{{}}} (help: {:?}",
        d.kind.as_str(),
        labels.join(", "),
        d.help
    );
    if let Some(b) = d.buckets {
        out.push_str(&format!("; buckets: {b:?}"));
    }
    out.push(')');
    out
}

/// One registration: the service holding the name and the definition (the registry holds the
/// family, and returns it for the same definition).
struct Entry {
    service: String,
    desc: &'static FamilyDesc,
}

/// semstreams' `MetricsRegistry` for service-specific metrics, on top of a [`Registry`]: see the
/// [module documentation](self) for its behaviour, and [`MetricsRegistrar`] (which it
/// implements, and which must be in scope to call the registration methods) for its methods.
///
/// ```
/// use std::sync::Arc;
/// use promdecl::{Format, Registry};
/// use promdecl_catalog::semstreams::buckets::DEF_BUCKETS;
/// use promdecl_catalog::semstreams::{MetricsRegistrar, ServiceRegistry};
///
/// let registry = Arc::new(Registry::new());
/// let services = ServiceRegistry::new(registry.clone());
///
/// let requests = services.register_counter_vec(
///     "api-service",
///     "http_requests_total",
///     "Total HTTP requests by status and method",
///     &["status", "method"],
/// )?;
/// requests.get_by_values(&["200", "GET"])?.inc();
///
/// let queries = services.register_histogram(
///     "database-service",
///     "query_duration_seconds",
///     "Time spent executing queries",
///     DEF_BUCKETS,
/// )?;
/// queries.get_by_values(&[])?.observe(0.042);
///
/// let text = registry.encode(Format::Text);
/// assert!(text.contains("http_requests_total{status=\"200\",method=\"GET\"} 1\n"));
/// assert!(text.contains("query_duration_seconds_count 1\n"));
///
/// // Another service may not take the name; the message says so as the document's example
/// // expects.
/// let err = services
///     .register_counter("billing", "http_requests_total", "Requests")
///     .unwrap_err();
/// assert!(err.to_string().contains("already registered"));
/// // A rule broken: the message names it.
/// let err = services.register_counter("api-service", "http_requests", "Requests").unwrap_err();
/// assert!(err.to_string().contains("must end in `_total`"));
///
/// assert!(services.unregister("api-service", "http_requests_total"));
/// assert!(!services.unregister("api-service", "http_requests_total"));
/// assert!(!registry.encode(Format::Text).contains("http_requests_total"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ServiceRegistry {
    registry: Arc<Registry>,
    /// By metric name (a name belongs to one service), so listings come out sorted.
    entries: Mutex<BTreeMap<String, Entry>>,
}

impl fmt::Debug for ServiceRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.lock();
        let keys: Vec<(&str, &str)> = entries
            .iter()
            .map(|(metric, e)| (e.service.as_str(), metric.as_str()))
            .collect();
        f.debug_struct("ServiceRegistry")
            .field("registry", &self.registry)
            .field("registrations", &keys)
            .finish()
    }
}

impl ServiceRegistry {
    /// Service registrations on top of `registry`, which serves them with everything else
    /// registered there.
    pub fn new(registry: Arc<Registry>) -> Self {
        Self {
            registry,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    /// The registry the metrics are registered in (the document's `PrometheusRegistry()`).
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Every registration as `(service, metric name)`, by metric name.
    pub fn registrations(&self) -> Vec<(String, String)> {
        self.lock()
            .iter()
            .map(|(metric, e)| (e.service.clone(), metric.clone()))
            .collect()
    }

    /// The registered metrics for the generators: one [`Section`] per service, titled with its
    /// name, services and their metrics in name order.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use promdecl::Registry;
    /// use promdecl_catalog::semstreams::{MetricsRegistrar, ServiceRegistry};
    /// use promdecl_gen::{markdown, Group, Project};
    ///
    /// let services = ServiceRegistry::new(Arc::new(Registry::new()));
    /// services.register_gauge("websocket-service", "active_connections", "Open client connections")?;
    ///
    /// let mut group = Group::new("services", "Service metrics");
    /// group.sections = services.sections();
    /// let project = Project::new("Metrics", "semstreams").group(group.clone());
    /// let page = markdown::page(&project, &group);
    /// assert!(page.contains("## websocket-service"));
    /// assert!(page.contains("### `active_connections`"));
    /// # Ok::<(), promdecl_catalog::semstreams::ServiceError>(())
    /// ```
    pub fn sections(&self) -> Vec<Section> {
        let mut by_service: BTreeMap<String, Vec<&'static FamilyDesc>> = BTreeMap::new();
        for e in self.lock().values() {
            by_service
                .entry(e.service.clone())
                .or_default()
                .push(e.desc);
        }
        by_service
            .into_iter()
            .map(|(title, families)| Section { title, families })
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        // Nothing panics while the map is half-updated, so a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks `def` and registers it for `service` as `metric`.
    fn register<S: Series>(
        &self,
        service: &str,
        metric: &str,
        def: FamilyBuilder,
    ) -> Result<Arc<Family<S>>, ServiceError> {
        let desc = def.build().map_err(|source| ServiceError::Invalid {
            service: service.into(),
            metric: metric.into(),
            source,
        })?;
        let mut entries = self.lock();
        if let Some(e) = entries.get(metric) {
            if e.service != service {
                return Err(ServiceError::AlreadyRegistered {
                    service: service.into(),
                    metric: metric.into(),
                    owner: e.service.clone(),
                });
            }
            if *e.desc != *desc {
                return Err(ServiceError::Conflict {
                    service: service.into(),
                    metric: metric.into(),
                    existing: shape(e.desc),
                    new: shape(desc),
                });
            }
            // The same definition: the registry returns the family it holds (or registers it
            // anew if it was unregistered there directly).
        }
        let family =
            self.registry
                .register_family::<S>(desc)
                .map_err(|source| ServiceError::Registry {
                    service: service.into(),
                    metric: metric.into(),
                    source: Box::new(source),
                })?;
        entries.insert(
            metric.to_string(),
            Entry {
                service: service.to_string(),
                desc,
            },
        );
        Ok(family)
    }
}

/// A definition of kind `kind` with free-form `labels`.
fn definition(kind: Kind, metric: &str, help: &str, labels: &[&str]) -> FamilyBuilder {
    labels
        .iter()
        .fold(FamilyDesc::builder(metric, kind, help), |b, l| b.label(*l))
}

impl MetricsRegistrar for ServiceRegistry {
    fn register_counter_vec(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<Arc<Counter>, ServiceError> {
        self.register(
            service,
            metric,
            definition(Kind::Counter, metric, help, labels),
        )
    }

    fn register_gauge_vec(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        labels: &[&str],
    ) -> Result<Arc<Gauge>, ServiceError> {
        self.register(
            service,
            metric,
            definition(Kind::Gauge, metric, help, labels),
        )
    }

    fn register_histogram_vec(
        &self,
        service: &str,
        metric: &str,
        help: &str,
        buckets: &[f64],
        labels: &[&str],
    ) -> Result<Arc<Histogram>, ServiceError> {
        let buckets = if buckets.is_empty() {
            DEF_BUCKETS
        } else {
            buckets
        };
        let def = definition(Kind::Histogram, metric, help, labels).buckets(buckets);
        self.register(service, metric, def)
    }

    fn unregister(&self, service: &str, metric: &str) -> bool {
        let mut entries = self.lock();
        if entries.get(metric).is_none_or(|e| e.service != service) {
            return false;
        }
        entries.remove(metric);
        self.registry.unregister_family(metric);
        true
    }
}
