//! What the generators read: the families of a project, grouped the way its authors choose.
//!
//! A [`Project`] has [`Group`]s (one Markdown page, rule file and dashboard each); a group has
//! [`Section`]s (one struct, or any set of families: a dashboard row, a Markdown section) and the
//! [`RuleGroup`]s that watch it.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use promdecl::{FamilyDesc, Metrics, Registry};

use crate::alertmanager::Alertmanager;
use crate::kubernetes::ServiceMonitor;
use crate::layout::File;
use crate::rules::RuleGroup;
use crate::scrape::Job;
use crate::slo::Slo;

/// Everything generated for one service or catalog.
#[derive(Debug, Clone)]
pub struct Project {
    /// Title of the index page.
    pub title: String,
    /// Prometheus job name of the scrape config; dashboards and rules may select it.
    pub job: String,
    /// Scrape targets (`host:port`) of the scrape config.
    pub targets: Vec<String>,
    /// Path of the exposition on the targets.
    pub metrics_path: String,
    /// How often Prometheus scrapes (`global.scrape_interval`); its default (1m) when `None`.
    pub scrape_interval: Option<String>,
    /// How often Prometheus evaluates rules (`global.evaluation_interval`); its default when
    /// `None`. A rule group's own interval overrides it.
    pub evaluation_interval: Option<String>,
    /// The groups, in order.
    pub groups: Vec<Group>,
    /// Alertmanagers (`host:port`) Prometheus sends the alerts of the rules to: the
    /// `alerting:` block of the scrape config, left out when empty.
    pub alertmanagers: Vec<String>,
    /// The Alertmanager configuration (routing and receivers), generated as
    /// `docs/alertmanager.yml` when given.
    pub alertmanager_config: Option<Alertmanager>,
    /// Further files generated as given: artefacts a project derives from its declarations in
    /// its own way (a document's query collection, a hand-laid dashboard), written, checked
    /// for freshness and owned like the rest.
    pub extra_files: Vec<File>,
}

impl Project {
    /// A project scraped as `job` at `/metrics`, with no targets and no groups yet.
    pub fn new(title: impl Into<String>, job: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            job: job.into(),
            targets: Vec::new(),
            metrics_path: "/metrics".into(),
            scrape_interval: None,
            evaluation_interval: None,
            groups: Vec::new(),
            alertmanagers: Vec::new(),
            alertmanager_config: None,
            extra_files: Vec::new(),
        }
    }

    /// Adds Alertmanagers (`host:port`) that Prometheus sends alerts to (the field of the same
    /// name).
    ///
    /// ```
    /// let project = promdecl_gen::Project::new("Shop", "shop").alertmanagers(["alertmanager:9093"]);
    /// assert!(promdecl_gen::scrape::config(&project).contains("alertmanagers:\n  - static_configs:\n    - targets:\n      - alertmanager:9093\n"));
    /// ```
    pub fn alertmanagers<T: Into<String>>(mut self, targets: impl IntoIterator<Item = T>) -> Self {
        self.alertmanagers
            .extend(targets.into_iter().map(Into::into));
        self
    }

    /// Sets the Alertmanager configuration generated as `docs/alertmanager.yml`.
    ///
    /// ```
    /// use promdecl_gen::alertmanager::{Alertmanager, Receiver, Route, Webhook};
    ///
    /// let routing = Alertmanager::new(Route::new("ops"))
    ///     .receiver(Receiver::new("ops").webhook(Webhook::new("http://127.0.0.1:5001/")));
    /// let project = promdecl_gen::Project::new("Shop", "shop").alertmanager_config(routing);
    /// let files = promdecl_gen::generate(&project);
    /// assert!(files.iter().any(|f| f.path == "docs/alertmanager.yml"));
    /// ```
    pub fn alertmanager_config(mut self, config: Alertmanager) -> Self {
        self.alertmanager_config = Some(config);
        self
    }

    /// The `job` label of the series of `group`: its own [`Job`]'s name, else the project's
    /// [`job`](Project::job). What a dashboard or rule of the group selects.
    ///
    /// ```
    /// use promdecl_gen::{scrape::Job, Group, Project};
    ///
    /// let project = Project::new("Shop", "shop");
    /// assert_eq!(project.job_of(&Group::new("cache", "Cache")), "shop");
    /// let orders = Group::new("orders", "Orders").job(Job::new("orders-api"));
    /// assert_eq!(project.job_of(&orders), "orders-api");
    /// ```
    pub fn job_of<'a>(&'a self, group: &'a Group) -> &'a str {
        group
            .job
            .as_ref()
            .map_or(self.job.as_str(), |j| j.name.as_str())
    }

    /// Adds a file generated as given ([`Project::extra_files`]).
    pub fn file(mut self, file: File) -> Self {
        self.extra_files.push(file);
        self
    }

    /// Sets the global scrape interval of the scrape config (`15s`).
    pub fn scrape_interval(mut self, interval: impl Into<String>) -> Self {
        self.scrape_interval = Some(interval.into());
        self
    }

    /// Sets the global rule evaluation interval of the scrape config (`30s`).
    pub fn evaluation_interval(mut self, interval: impl Into<String>) -> Self {
        self.evaluation_interval = Some(interval.into());
        self
    }

    /// Adds a scrape target.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.targets.push(target.into());
        self
    }

    /// Adds a group.
    pub fn group(mut self, group: Group) -> Self {
        self.groups.push(group);
        self
    }

    /// Every family of every group, in order.
    pub fn families(&self) -> impl Iterator<Item = &'static FamilyDesc> + '_ {
        self.groups.iter().flat_map(Group::families)
    }
}

/// A set of families documented, alerted on and charted together.
#[derive(Debug, Clone)]
pub struct Group {
    /// File-name stem: `docs/metrics/<name>.md`, `<name>.rules.yml`, `<name>.json`.
    pub name: String,
    /// Human title.
    pub title: String,
    /// Paragraphs shown under the title (where the declarations come from, conventions).
    pub intro: Option<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Alerting and recording rules that watch these families.
    pub rules: Vec<RuleGroup>,
    /// Service-level objectives on these families: their rules, tests and dashboard are
    /// generated in files of their own ([`crate::slo`]).
    pub slos: Vec<Slo>,
    /// The scrape job the group's families are served under; the project's job when `None`.
    pub job: Option<Job>,
    /// A Kubernetes `ServiceMonitor` that has the Prometheus operator discover the group's
    /// service, generated as `docs/kubernetes/<name>-servicemonitor.yaml` when given.
    pub service_monitor: Option<ServiceMonitor>,
}

impl Group {
    /// An empty group.
    pub fn new(name: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            title: title.into(),
            intro: None,
            sections: Vec::new(),
            rules: Vec::new(),
            slos: Vec::new(),
            job: None,
            service_monitor: None,
        }
    }

    /// Scrapes the group as its own job (one process per group), with its own targets,
    /// interval and relabelling (the field of the same name).
    ///
    /// ```
    /// use promdecl_gen::{scrape::Job, Group, Project};
    ///
    /// let orders = Group::new("orders", "Orders").job(Job::new("orders-api").target("127.0.0.1:3001"));
    /// let yaml = promdecl_gen::scrape::config(&Project::new("Shop", "shop").group(orders));
    /// assert!(yaml.contains("- job_name: orders-api\n"));
    /// ```
    pub fn job(mut self, job: Job) -> Self {
        self.job = Some(job);
        self
    }

    /// Has a Kubernetes `ServiceMonitor` generated for the group (the field of the same name).
    ///
    /// ```
    /// use promdecl_gen::{kubernetes::ServiceMonitor, Group, Project};
    ///
    /// let monitor = ServiceMonitor::new("metrics").selector("app", "orders");
    /// let project = Project::new("Shop", "shop").group(Group::new("orders", "Orders").service_monitor(monitor));
    /// let files = promdecl_gen::generate(&project);
    /// assert!(files.iter().any(|f| f.path == "docs/kubernetes/orders-servicemonitor.yaml"));
    /// ```
    pub fn service_monitor(mut self, monitor: ServiceMonitor) -> Self {
        self.service_monitor = Some(monitor);
        self
    }

    /// Sets the intro text.
    pub fn intro(mut self, text: impl Into<String>) -> Self {
        self.intro = Some(text.into());
        self
    }

    /// Adds a section.
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    /// Adds a section holding the families of the struct `M`, titled `title`.
    pub fn metrics<M: Metrics>(self, title: impl Into<String>) -> Self {
        self.section(Section::of::<M>(title))
    }

    /// Adds a rule group.
    pub fn rules(mut self, rules: RuleGroup) -> Self {
        self.rules.push(rules);
        self
    }

    /// Adds a service-level objective ([`crate::slo`]).
    pub fn slo(mut self, slo: Slo) -> Self {
        self.slos.push(slo);
        self
    }

    /// Every rule group: the declared ones, then those of the SLOs. What Prometheus loads
    /// and the PromQL checker reads.
    pub fn rule_groups(&self) -> impl Iterator<Item = &RuleGroup> {
        self.rules.iter().chain(self.slos.iter().map(Slo::rules))
    }

    /// Every family of every section, in order.
    pub fn families(&self) -> impl Iterator<Item = &'static FamilyDesc> + '_ {
        self.sections
            .iter()
            .flat_map(|s| s.families.iter().copied())
    }
}

/// Families shown together: usually the families of one struct.
#[derive(Debug, Clone)]
pub struct Section {
    /// Section heading and dashboard row title.
    pub title: String,
    /// The families, in order.
    pub families: Vec<&'static FamilyDesc>,
}

impl Section {
    /// The families of the struct `M`, in declaration order.
    pub fn of<M: Metrics>(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            families: M::FAMILIES.iter().collect(),
        }
    }

    /// Every family registered in `registry` now, as exposed (under its prefix), in
    /// registration order: declared structs, families defined at run time and collectors alike.
    ///
    /// A family exposed under a prefix is documented under the prefixed name: its descriptor
    /// is copied once per distinct prefixed name for the life of the process.
    ///
    /// ```
    /// use promdecl::{Counter, FamilyDesc, Kind, Registry};
    /// use promdecl_gen::Section;
    ///
    /// let registry = Registry::builder().prefix("shop").build()?;
    /// let desc = FamilyDesc::builder("jobs_total", Kind::Counter, "Jobs run").label("queue").build()?;
    /// let _jobs: std::sync::Arc<Counter> = registry.register_family(desc)?;
    /// let section = Section::registered("Jobs", &registry);
    /// assert_eq!(section.families[0].name, "shop_jobs_total");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn registered(title: impl Into<String>, registry: &Registry) -> Self {
        let mut families = Vec::new();
        registry
            .visit_prefixed(&mut |prefix, family| families.push(exposed(prefix, family.desc())));
        Self {
            title: title.into(),
            families,
        }
    }
}

/// `desc` under the name it is exposed with: itself without a prefix, else a copy made once.
fn exposed(prefix: &str, desc: &'static FamilyDesc) -> &'static FamilyDesc {
    if prefix.is_empty() {
        return desc;
    }
    static COPIES: OnceLock<Mutex<HashMap<(String, usize), &'static FamilyDesc>>> = OnceLock::new();
    let copies = COPIES.get_or_init(Default::default);
    let mut copies = copies.lock().unwrap_or_else(|e| e.into_inner());
    let key = (prefix.to_string(), desc as *const FamilyDesc as usize);
    copies.entry(key).or_insert_with(|| {
        let name: &'static str = Box::leak(format!("{prefix}{}", desc.name).into_boxed_str());
        Box::leak(Box::new(FamilyDesc { name, ..*desc }))
    })
}
