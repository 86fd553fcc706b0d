//! How each system is scraped, as its document configures it: one Prometheus job per system
//! (the job names the documents' rules and dashboards select, their intervals, timeouts and
//! relabelling), the demo port each system is served on when run as its own process
//! (`promdecl-demo --system NAME`), the Alertmanager the rules' alerts go to and its routing
//! (the bridge document's `monitoring/alertmanager.yml`), and x0tta6bl4's Kubernetes
//! `ServiceMonitor`.
//!
//! The documents scrape hosts of their own deployments (`chorus-node-01:9090`, `bridge:9090`,
//! `zerostate-api.fly.dev:443`); here every job scrapes its demo process on the loopback
//! interface, over plain HTTP.
//!
//! ```
//! use promdecl_catalog::jobs;
//!
//! let bridge = jobs::job("bridge").unwrap();
//! assert_eq!(bridge.name, "chorus-bridge");
//! assert_eq!(bridge.targets, ["127.0.0.1:7985"]);
//! assert_eq!(jobs::port("bridge"), Some(7985));
//! assert!(jobs::job("nope").is_none());
//! ```

use promdecl_gen::alertmanager::{Alertmanager, PagerDuty, Receiver, Route, Slack, Webhook};
use promdecl_gen::kubernetes::ServiceMonitor;
use promdecl_gen::{Group, Job, Project, Relabel};

/// Where the demo's Alertmanager listens: the `alerting:` block's target (the bridge document
/// names `alertmanager:9093`; 9093 is Alertmanager's default port).
pub const ALERTMANAGER: &str = "127.0.0.1:9093";

/// One system's scrape job as its document gives it, and its demo port.
struct Scrape {
    /// The system ([`crate::System::name`]).
    system: &'static str,
    /// `job_name` in the document.
    job: &'static str,
    /// The demo port of `promdecl-demo --system <system>`: 7981 and up, beside the whole
    /// catalog's 7979, allocated to no exporter in Prometheus' default port allocations.
    port: u16,
    /// `scrape_interval` in the document.
    interval: &'static str,
    /// `scrape_timeout` in the document, if it gives one.
    timeout: Option<&'static str>,
    /// `relabel_configs` in the document.
    relabel: fn() -> Vec<Relabel>,
}

/// The systems' jobs, in [`crate::SYSTEMS`] order.
const SCRAPES: [Scrape; 5] = [
    // chorus-pkg-metrics.md, "Prometheus Configuration".
    Scrape {
        system: "chorus",
        job: "chorus-nodes",
        port: 7981,
        interval: "15s",
        timeout: Some("10s"),
        relabel: chorus_relabel,
    },
    // zerostate-prometheus-metrics.md, "Prometheus scrape config": the document scrapes
    // `zerostate-api.fly.dev:443` over `https`; the demo serves plain HTTP on loopback.
    Scrape {
        system: "zerostate",
        job: "zerostate-api",
        port: 7982,
        interval: "15s",
        timeout: None,
        relabel: Vec::new,
    },
    // x0tta6bl4-metrics-expansion.md, "P0 #5: Kubernetes Staging": "Prometheus scraping
    // configured (30s interval)". The document names no job; the system's name is used.
    Scrape {
        system: "x0tta6bl4",
        job: "x0tta6bl4",
        port: 7983,
        interval: "30s",
        timeout: None,
        relabel: Vec::new,
    },
    // semstreams-metric-package.txt, "Prometheus Integration".
    Scrape {
        system: "semstreams",
        job: "streamkit",
        port: 7984,
        interval: "15s",
        timeout: None,
        relabel: Vec::new,
    },
    // chorus-bridge-monitoring-guide.md, `monitoring/prometheus.yml`.
    Scrape {
        system: "bridge",
        job: "chorus-bridge",
        port: 7985,
        interval: "5s",
        timeout: Some("5s"),
        relabel: Vec::new,
    },
];

/// CHORUS's relabelling: `instance` is the address, and `node` its host part.
fn chorus_relabel() -> Vec<Relabel> {
    vec![
        Relabel::new(["__address__"], "instance"),
        Relabel::new(["__address__"], "node")
            .regex("([^:]+):.*")
            .replacement("${1}"),
    ]
}

fn scrape(system: &str) -> Option<&'static Scrape> {
    SCRAPES.iter().find(|s| s.system == system)
}

/// The port `promdecl-demo --system <system>` listens on by default.
///
/// ```
/// assert_eq!(promdecl_catalog::jobs::port("chorus"), Some(7981));
/// ```
pub fn port(system: &str) -> Option<u16> {
    scrape(system).map(|s| s.port)
}

/// The scrape target of `system`'s demo process: `127.0.0.1:<port>`.
///
/// ```
/// assert_eq!(promdecl_catalog::jobs::target("zerostate").as_deref(), Some("127.0.0.1:7982"));
/// ```
pub fn target(system: &str) -> Option<String> {
    port(system).map(|port| format!("127.0.0.1:{port}"))
}

/// The Prometheus job `system` is scraped as: its document's job name, interval, timeout and
/// relabelling, scraping its demo process ([`target`]).
///
/// ```
/// let chorus = promdecl_catalog::jobs::job("chorus").unwrap();
/// assert_eq!(chorus.name, "chorus-nodes");
/// assert_eq!(chorus.scrape_timeout.as_deref(), Some("10s"));
/// assert_eq!(chorus.relabel_configs[1].target_label, "node");
/// ```
pub fn job(system: &str) -> Option<Job> {
    let s = scrape(system)?;
    let job = Job::new(s.job)
        .target(target(system)?)
        .scrape_interval(s.interval);
    let job = match s.timeout {
        Some(timeout) => job.scrape_timeout(timeout),
        None => job,
    };
    Some((s.relabel)().into_iter().fold(job, Job::relabel))
}

/// The Kubernetes `ServiceMonitor` of `system`, for those whose document deploys one
/// (x0tta6bl4: "ServiceMonitor for auto-discovery"). It selects the services labelled
/// `app.kubernetes.io/name: <system>` and scrapes their port named `metrics`; path and interval
/// come from the [`job`]. The document gives neither labels nor port names: these are the
/// Kubernetes recommended label and the conventional port name.
///
/// ```
/// let monitor = promdecl_catalog::jobs::service_monitor("x0tta6bl4").unwrap();
/// assert_eq!(monitor.port, "metrics");
/// assert!(promdecl_catalog::jobs::service_monitor("chorus").is_none());
/// ```
pub fn service_monitor(system: &str) -> Option<ServiceMonitor> {
    (system == "x0tta6bl4")
        .then(|| ServiceMonitor::new("metrics").selector("app.kubernetes.io/name", system))
}

/// `group` (the group of `system`) scraped as [`job`]`(system)`, with its
/// [`service_monitor`] if it has one.
///
/// ```
/// use promdecl_gen::Group;
///
/// let group = promdecl_catalog::jobs::attach("x0tta6bl4", Group::new("x0tta6bl4", "x0tta6bl4"));
/// assert_eq!(group.job.unwrap().scrape_interval.as_deref(), Some("30s"));
/// assert!(group.service_monitor.is_some());
/// ```
pub fn attach(system: &str, group: Group) -> Group {
    let group = match job(system) {
        Some(job) => group.job(job),
        None => group,
    };
    match service_monitor(system) {
        Some(monitor) => group.service_monitor(monitor),
        None => group,
    }
}

/// The Alertmanager routing of the bridge document's `monitoring/alertmanager.yml`, as given
/// (its placeholders included): every alert grouped by name and posted to the `web.hook`
/// receiver; the `slack` and `pagerduty` receivers are declared but no route reaches them.
///
/// ```
/// let routing = promdecl_catalog::jobs::alertmanager();
/// assert_eq!(routing.route.receiver, "web.hook");
/// assert_eq!(routing.receivers.len(), 3);
/// ```
pub fn alertmanager() -> Alertmanager {
    Alertmanager::new(
        Route::new("web.hook")
            .group_by(["alertname"])
            .group_wait("10s")
            .group_interval("10s")
            .repeat_interval("1h"),
    )
    .smtp("localhost:587", "alerts@chorus.network")
    .receiver(
        Receiver::new("web.hook")
            .webhook(Webhook::new("http://localhost:5001/").send_resolved(true)),
    )
    .receiver(
        Receiver::new("slack").slack(
            Slack::new("https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK")
                .channel("#alerts")
                .title("Chorus Bridge Alert")
                .text("{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}"),
        ),
    )
    .receiver(
        Receiver::new("pagerduty").pagerduty(
            PagerDuty::service_key("YOUR_PAGERDUTY_SERVICE_KEY")
                .description("{{ .GroupLabels.alertname }}"),
        ),
    )
}

/// `project` sending its alerts to [`ALERTMANAGER`], routed by [`alertmanager`].
///
/// ```
/// let project = promdecl_catalog::jobs::alerting(promdecl_gen::Project::new("Catalog", "catalog"));
/// assert_eq!(project.alertmanagers, [promdecl_catalog::jobs::ALERTMANAGER]);
/// assert!(project.alertmanager_config.is_some());
/// ```
pub fn alerting(project: Project) -> Project {
    project
        .alertmanagers([ALERTMANAGER])
        .alertmanager_config(alertmanager())
}
