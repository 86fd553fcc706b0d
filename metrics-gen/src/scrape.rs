//! `docs/prometheus.yml`: a Prometheus configuration that scrapes the project's jobs, loads its
//! generated rule files and names its Alertmanagers, valid for `promtool check config`.
//!
//! A [`Group`](crate::Group) given a [`Job`] is scraped as that job; the groups without one
//! are scraped as the project's own job ([`Project::job`] at [`Project::targets`]), which is
//! left out when every group has a job of its own.

use serde_yaml::{Mapping, Value};

use crate::layout;
use crate::model::Project;
use crate::rule_files::rule_file;
use crate::yaml::Fields;

/// One Prometheus scrape job: an entry of `scrape_configs`.
///
/// ```
/// use promdecl_gen::scrape::{Job, Relabel};
///
/// let job = Job::new("nodes")
///     .target("127.0.0.1:9000")
///     .scrape_interval("15s")
///     .scrape_timeout("10s")
///     .relabel(Relabel::new(["__address__"], "node").regex("([^:]+):.*").replacement("${1}"));
/// assert_eq!(job.metrics_path, "/metrics");
/// assert_eq!(job.relabel_configs[0].target_label, "node");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `job_name`: the value of the `job` label of every series scraped by this job, which
    /// rules and dashboards select.
    pub name: String,
    /// Scrape targets (`host:port`), one static config.
    pub targets: Vec<String>,
    /// Path of the exposition on the targets (`/metrics`).
    pub metrics_path: String,
    /// How often this job is scraped; the global interval when `None`.
    pub scrape_interval: Option<String>,
    /// How long a scrape may take; the global timeout when `None`. Not above the interval.
    pub scrape_timeout: Option<String>,
    /// Target relabelling applied before the scrape, in order.
    pub relabel_configs: Vec<Relabel>,
}

impl Job {
    /// A job named `name` scraping `/metrics`, with no targets yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            targets: Vec::new(),
            metrics_path: "/metrics".into(),
            scrape_interval: None,
            scrape_timeout: None,
            relabel_configs: Vec::new(),
        }
    }

    /// Adds a scrape target (`host:port`).
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.targets.push(target.into());
        self
    }

    /// Sets the path of the exposition.
    pub fn metrics_path(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = path.into();
        self
    }

    /// Sets the job's scrape interval (`5s`).
    pub fn scrape_interval(mut self, interval: impl Into<String>) -> Self {
        self.scrape_interval = Some(interval.into());
        self
    }

    /// Sets the job's scrape timeout (`5s`).
    pub fn scrape_timeout(mut self, timeout: impl Into<String>) -> Self {
        self.scrape_timeout = Some(timeout.into());
        self
    }

    /// Adds a relabelling step.
    pub fn relabel(mut self, relabel: Relabel) -> Self {
        self.relabel_configs.push(relabel);
        self
    }

    /// The job as a `scrape_configs` entry, its keys in the order Prometheus' documentation
    /// gives them.
    fn to_yaml(&self) -> Value {
        Fields::new()
            .set("job_name", self.name.as_str())
            .opt("scrape_interval", self.scrape_interval.as_deref())
            .opt("scrape_timeout", self.scrape_timeout.as_deref())
            .set("metrics_path", self.metrics_path.as_str())
            .set("static_configs", static_configs(&self.targets))
            .seq(
                "relabel_configs",
                self.relabel_configs.iter().map(Relabel::to_yaml),
            )
            .value()
    }
}

/// One `replace` relabelling step: the values of `source_labels`, joined with `;`, matched
/// against `regex` (all of it, `(.*)` by default), give `target_label` the value
/// `replacement` (`$1` by default) when they match.
///
/// The same step is rendered as a `relabel_configs` entry of a [`Job`] and as a `relabelings`
/// entry of a Kubernetes `ServiceMonitor` endpoint.
///
/// ```
/// use promdecl_gen::scrape::Relabel;
///
/// let r = Relabel::new(["__address__"], "instance");
/// assert_eq!((r.regex, r.replacement), (None, None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relabel {
    /// The labels whose values are joined and matched; none for a constant `replacement`.
    pub source_labels: Vec<String>,
    /// The regular expression; Prometheus' default `(.*)` when `None`.
    pub regex: Option<String>,
    /// The label written.
    pub target_label: String,
    /// The value written, with `${1}`-style references to the regex's groups; Prometheus'
    /// default `$1` when `None`.
    pub replacement: Option<String>,
}

impl Relabel {
    /// Writes the value of `source_labels` to `target_label`.
    pub fn new<S: Into<String>>(
        source_labels: impl IntoIterator<Item = S>,
        target_label: impl Into<String>,
    ) -> Self {
        Self {
            source_labels: source_labels.into_iter().map(Into::into).collect(),
            regex: None,
            target_label: target_label.into(),
            replacement: None,
        }
    }

    /// Sets the regular expression.
    pub fn regex(mut self, regex: impl Into<String>) -> Self {
        self.regex = Some(regex.into());
        self
    }

    /// Sets the replacement.
    pub fn replacement(mut self, replacement: impl Into<String>) -> Self {
        self.replacement = Some(replacement.into());
        self
    }

    /// The step with Prometheus' key names (`source_labels`, `target_label`) when `camel` is
    /// false, with the Kubernetes operator's (`sourceLabels`, `targetLabel`) when it is true.
    pub(crate) fn to_mapping(&self, camel: bool) -> Mapping {
        let key =
            |snake: &'static str, camel_case: &'static str| if camel { camel_case } else { snake };
        Fields::new()
            .strings(key("source_labels", "sourceLabels"), &self.source_labels)
            .opt("regex", self.regex.as_deref())
            .set(
                key("target_label", "targetLabel"),
                self.target_label.as_str(),
            )
            .opt("replacement", self.replacement.as_deref())
            .mapping()
    }

    fn to_yaml(&self) -> Value {
        Value::Mapping(self.to_mapping(false))
    }
}

/// `[{targets: [...]}]`: one static config holding `targets`.
fn static_configs(targets: &[String]) -> Value {
    let targets = targets.iter().map(|t| t.as_str().into()).collect();
    let config = Fields::new().set("targets", Value::Sequence(targets));
    Value::Sequence(vec![config.value()])
}

/// The jobs `project` is scraped as, in group order: each group's own [`Job`] (once, when
/// groups share one), and the project's job first when a group has none (or there are no
/// groups).
///
/// ```
/// use promdecl_gen::{scrape::{self, Job}, Group, Project};
///
/// let project = Project::new("Shop", "shop").target("127.0.0.1:3000");
/// let names = |p: &Project| scrape::jobs(p).into_iter().map(|j| j.name).collect::<Vec<_>>();
/// assert_eq!(names(&project), ["shop"]);
/// let project = project.group(Group::new("orders", "Orders").job(Job::new("orders-api")));
/// assert_eq!(names(&project), ["orders-api"]);
/// let project = project.group(Group::new("cache", "Cache"));
/// assert_eq!(names(&project), ["shop", "orders-api"]);
/// ```
pub fn jobs(project: &Project) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    if project.groups.is_empty() || project.groups.iter().any(|g| g.job.is_none()) {
        let mut own = Job::new(project.job.as_str()).metrics_path(project.metrics_path.as_str());
        own.targets.clone_from(&project.targets);
        jobs.push(own);
    }
    for job in project.groups.iter().filter_map(|g| g.job.as_ref()) {
        if !jobs.contains(job) {
            jobs.push(job.clone());
        }
    }
    jobs
}

/// The Prometheus configuration of `project`.
///
/// ```
/// use promdecl_gen::{scrape::Job, Group, Project};
///
/// let project = Project::new("Shop", "shop").target("127.0.0.1:3000");
/// let yaml = promdecl_gen::scrape::config(&project);
/// assert!(yaml.contains("- job_name: shop\n  metrics_path: /metrics\n  static_configs:\n  - targets:\n    - 127.0.0.1:3000\n"));
/// assert!(!yaml.contains("global:"));
/// let yaml = promdecl_gen::scrape::config(&project.clone().scrape_interval("15s"));
/// assert!(yaml.contains("global:\n  scrape_interval: 15s\n"));
///
/// // A group scraped as its own job, and the Alertmanager the rules' alerts go to.
/// let orders = Job::new("orders-api").target("127.0.0.1:3001").scrape_interval("5s");
/// let project = project
///     .group(Group::new("orders", "Orders").job(orders))
///     .alertmanagers(["127.0.0.1:9093"]);
/// let yaml = promdecl_gen::scrape::config(&project);
/// assert!(yaml.contains("- job_name: orders-api\n  scrape_interval: 5s\n  metrics_path: /metrics\n"));
/// assert!(!yaml.contains("job_name: shop"), "every group has its own job");
/// assert!(yaml.ends_with("alerting:\n  alertmanagers:\n  - static_configs:\n    - targets:\n      - 127.0.0.1:9093\n"));
/// ```
pub fn config(project: &Project) -> String {
    // Each group's rule file, then its SLO rule file.
    let rule_files: Vec<Value> = project
        .groups
        .iter()
        .flat_map(|g| {
            let rules = rule_file(g).map(|_| layout::rule_file(&g.name));
            let slos = (!g.slos.is_empty()).then(|| layout::slo_rule_file(&g.name));
            rules.into_iter().chain(slos)
        })
        .map(|file| layout::relative(layout::SCRAPE_CONFIG, &file).into())
        .collect();
    let global = Fields::new()
        .opt("scrape_interval", project.scrape_interval.as_deref())
        .opt(
            "evaluation_interval",
            project.evaluation_interval.as_deref(),
        );
    let jobs = jobs(project).iter().map(Job::to_yaml).collect();
    // `alerting:` only when there are Alertmanagers to name.
    let alertmanagers = (!project.alertmanagers.is_empty())
        .then(|| Fields::new().set("static_configs", static_configs(&project.alertmanagers)));
    let alerting = Fields::new().seq("alertmanagers", alertmanagers.map(Fields::value));
    let config = Fields::new()
        .map("global", global)
        .seq("rule_files", rule_files)
        .set("scrape_configs", Value::Sequence(jobs))
        .map("alerting", alerting)
        .value();
    let yaml = serde_yaml::to_string(&config).unwrap_or_default();
    format!("# {}\n{yaml}", layout::GENERATED)
}
