//! `docs/kubernetes/<group>-servicemonitor.yaml`: a Prometheus operator `ServiceMonitor`
//! (`monitoring.coreos.com/v1`) per group that asks for one, so that a Prometheus run by the
//! operator discovers the group's Kubernetes service and scrapes it the way the static scrape
//! config does.
//!
//! The monitor is named after the group's job ([`Project::job_of`]), and its endpoint sets the
//! `job` label to that name, so the rules and dashboards that select the job work unchanged
//! under Kubernetes (the operator would otherwise use the service's name). Path, interval,
//! timeout and relabelling come from the group's [`Job`](crate::scrape::Job) unless the
//! monitor sets its own.

use serde_yaml::Value;

use crate::layout::{self, File};
use crate::model::{Group, Project};
use crate::scrape::Relabel;
use crate::yaml::{self, Fields};

/// What a group's `ServiceMonitor` says beyond its job: which services it selects, through
/// which port, and which Prometheus selects it.
///
/// ```
/// use promdecl_gen::kubernetes::ServiceMonitor;
///
/// let monitor = ServiceMonitor::new("metrics")
///     .selector("app.kubernetes.io/name", "orders")
///     .label("release", "prometheus")
///     .namespace("shop");
/// assert_eq!(monitor.port, "metrics");
/// assert_eq!(monitor.path, None, "the job's path");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMonitor {
    /// The namespace the monitor is created in; the one it is applied to when `None`. The
    /// operator looks for the selected services in this namespace.
    pub namespace: Option<String>,
    /// Labels of the monitor itself, which a `Prometheus` resource's
    /// `serviceMonitorSelector` matches (`release: prometheus` for kube-prometheus-stack).
    pub labels: Vec<(String, String)>,
    /// `spec.selector.matchLabels`: the labels of the services scraped. With none, every
    /// service in the namespace is selected.
    pub selector: Vec<(String, String)>,
    /// The name of the service port serving the exposition (`.spec.ports[].name`).
    pub port: String,
    /// Path of the exposition; the group's job's, else `/metrics`, when `None`.
    pub path: Option<String>,
    /// Scrape interval; the group's job's, else Prometheus' global one, when `None`.
    pub interval: Option<String>,
}

impl ServiceMonitor {
    /// A monitor scraping the service port named `port` of the selected services.
    pub fn new(port: impl Into<String>) -> Self {
        Self {
            namespace: None,
            labels: Vec::new(),
            selector: Vec::new(),
            port: port.into(),
            path: None,
            interval: None,
        }
    }

    /// Selects the services labelled `key: value` (all the given labels must match).
    pub fn selector(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.selector.push((key.into(), value.into()));
        self
    }

    /// Labels the monitor itself `key: value`.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    /// Sets the namespace of the monitor.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Sets the path of the exposition.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the scrape interval (`30s`).
    pub fn interval(mut self, interval: impl Into<String>) -> Self {
        self.interval = Some(interval.into());
        self
    }
}

/// The `ServiceMonitor` manifest of `group`, or `None` when the group asks for none.
///
/// ```
/// use promdecl_gen::{kubernetes::{self, ServiceMonitor}, scrape::Job, Group, Project};
///
/// let orders = Group::new("orders", "Orders")
///     .job(Job::new("orders-api").scrape_interval("30s"))
///     .service_monitor(ServiceMonitor::new("metrics").selector("app", "orders"));
/// let project = Project::new("Shop", "shop");
/// let yaml = kubernetes::service_monitor(&project, &orders).unwrap();
/// assert_eq!(
///     yaml.lines().skip(1).collect::<Vec<_>>(),
///     [
///         "apiVersion: monitoring.coreos.com/v1",
///         "kind: ServiceMonitor",
///         "metadata:",
///         "  name: orders-api",
///         "spec:",
///         "  selector:",
///         "    matchLabels:",
///         "      app: orders",
///         "  endpoints:",
///         "  - port: metrics",
///         "    path: /metrics",
///         "    interval: 30s",
///         "    relabelings:",
///         "    - targetLabel: job",
///         "      replacement: orders-api",
///     ]
/// );
/// assert!(kubernetes::service_monitor(&project, &Group::new("cache", "Cache")).is_none());
/// ```
pub fn service_monitor(project: &Project, group: &Group) -> Option<String> {
    let monitor = group.service_monitor.as_ref()?;
    let job = group.job.as_ref();
    let name = project.job_of(group);

    let metadata = Fields::new()
        .set("name", name)
        .opt("namespace", monitor.namespace.as_deref())
        .map("labels", yaml::pairs(&monitor.labels));

    let path = monitor
        .path
        .as_deref()
        .or(job.map(|j| j.metrics_path.as_str()))
        .unwrap_or("/metrics");
    let interval = monitor
        .interval
        .as_deref()
        .or(job.and_then(|j| j.scrape_interval.as_deref()));
    let timeout = job.and_then(|j| j.scrape_timeout.as_deref());
    let set_job = Relabel::new(Vec::<String>::new(), "job").replacement(name);
    let relabelings = std::iter::once(&set_job)
        .chain(job.into_iter().flat_map(|j| &j.relabel_configs))
        .map(|r| Value::Mapping(r.to_mapping(true)))
        .collect();
    let endpoint = Fields::new()
        .set("port", monitor.port.as_str())
        .set("path", path)
        .opt("interval", interval)
        .opt("scrapeTimeout", timeout)
        .set("relabelings", Value::Sequence(relabelings));

    // With no `matchLabels`, the selector is `{}`: every service of the namespace.
    let selector = Fields::new().map("matchLabels", yaml::pairs(&monitor.selector));
    let spec = Fields::new()
        .set("selector", selector.value())
        .set("endpoints", Value::Sequence(vec![endpoint.value()]));

    let manifest = Fields::new()
        .set("apiVersion", "monitoring.coreos.com/v1")
        .set("kind", "ServiceMonitor")
        .set("metadata", metadata.value())
        .set("spec", spec.value())
        .value();
    let yaml = serde_yaml::to_string(&manifest).unwrap_or_default();
    Some(format!("# {}\n{yaml}", layout::GENERATED))
}

/// The `ServiceMonitor` of every group that asks for one, in group order.
pub fn files(project: &Project) -> Vec<File> {
    project
        .groups
        .iter()
        .filter_map(|g| {
            let yaml = service_monitor(project, g)?;
            Some(File::new(layout::service_monitor(&g.name), yaml))
        })
        .collect()
}
