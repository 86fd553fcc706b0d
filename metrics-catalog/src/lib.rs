//! The metric sets of five real systems, declared with the derive, and the project the generators
//! read.
//!
//! Each system is a module with one struct per category of its source document (in
//! `shared/seeds/`), exposed under exactly the names, types and labels the document gives, and
//! the alert rules the document gives (corrected where they are wrong, with the original kept
//! beside them). [`SYSTEMS`] lists them, [`system`] finds one by name, [`register_all`] registers
//! them for a server, and [`project`] describes them to `promdecl-gen`, which generates the
//! reference, rule files and their tests, dashboards and scrape config under `docs/`. The systems
//! are listed once, in this file's `catalog!` invocation; each system lists its categories once,
//! in a `system!` invocation in its module.
#![deny(missing_docs)]

use promdecl::FamilyDesc;
use promdecl_gen::{Group, Project, RuleGroup, Section};

mod macros;
mod rule_input;

pub mod bridge;
pub mod chorus;
pub mod dashboards;
pub mod jobs;
pub mod queries;
pub mod semstreams;
pub mod workload;
pub mod x0tta6bl4;
pub mod zerostate;

use macros::catalog;

/// The command that rewrites every generated file under `docs/` (run from the repository
/// root); the staleness test names it.
pub const REGENERATE: &str = "cargo run -q -p promdecl-catalog --bin promdecl-catalog -- generate";

/// Title of the generated index.
pub const TITLE: &str = "Metric catalog";

/// The Prometheus job of the generated scrape config: the demo server.
pub const JOB: &str = "promdecl-server";

/// Where the demo server listens by default: the generated scrape config's target.
pub const TARGET: &str = "127.0.0.1:7979";

/// One catalog system.
#[derive(Debug, Clone, Copy)]
pub struct System {
    /// Short name, used in file names (`docs/metrics/<name>.md`).
    pub name: &'static str,
    /// Human title.
    pub title: &'static str,
    /// The seed document it was declared from.
    pub seed: &'static str,
    /// One section per category, titled, in declaration order.
    pub sections: fn() -> Vec<Section>,
    /// The rule groups its document gives.
    pub rules: fn() -> Vec<RuleGroup>,
    /// Registers the system in a registry and returns its demo workload.
    pub start: fn(&promdecl::Registry) -> Result<Box<dyn workload::Drive>, promdecl::RegistryError>,
}

impl System {
    /// Every family of the system, category by category.
    pub fn families(&self) -> Vec<&'static FamilyDesc> {
        (self.sections)()
            .into_iter()
            .flat_map(|s| s.families)
            .collect()
    }

    /// The system as one generator group: its page, rule file, rule tests and dashboard.
    ///
    /// ```
    /// let zerostate = promdecl_catalog::system("zerostate").unwrap().group();
    /// assert_eq!(zerostate.name, "zerostate");
    /// assert!(zerostate.intro.unwrap().contains("zerostate-prometheus-metrics.md"));
    /// assert_eq!(zerostate.sections[0].title, "Payment Channel Metrics");
    /// ```
    pub fn group(&self) -> Group {
        let intro = format!(
            "Declared in `metrics-catalog/src/{}/` from the seed document `{}`.",
            self.name, self.seed
        );
        let group = Group::new(self.name, self.title).intro(intro);
        let group = (self.sections)().into_iter().fold(group, Group::section);
        let group = (self.rules)().into_iter().fold(group, Group::rules);
        let group = jobs::attach(self.name, group);
        // Only the bridge's document sets service-level targets.
        match self.name {
            "bridge" => bridge::slo::attach(group),
            _ => group,
        }
    }
}

catalog! {
    /// CHORUS.
    chorus: chorus::Chorus {
        title: "CHORUS pkg/metrics",
        seed: "chorus-pkg-metrics.md",
        rules: chorus::alerts::rules,
    },
    /// zerostate.
    zerostate: zerostate::Zerostate {
        title: "zerostate economic metrics",
        seed: "zerostate-prometheus-metrics.md",
        rules: zerostate::alerts::rules,
    },
    /// x0tta6bl4.
    x0tta6bl4: x0tta6bl4::X0tta6bl4 {
        title: "x0tta6bl4 metrics expansion",
        seed: "x0tta6bl4-metrics-expansion.md",
    },
    /// semstreams.
    semstreams: semstreams::Semstreams {
        title: "semstreams metric package",
        seed: "semstreams-metric-package.txt",
    },
    /// Chorus Bridge.
    bridge: bridge::Bridge {
        title: "Chorus Bridge monitoring guide",
        seed: "chorus-bridge-monitoring-guide.md",
        rules: bridge::alerts::rules,
    },
}

/// The system named `name` (its module's name, as in [`System::name`]).
///
/// ```
/// let chorus = promdecl_catalog::system("chorus").unwrap();
/// assert_eq!(chorus.seed, "chorus-pkg-metrics.md");
/// assert!(promdecl_catalog::system("nope").is_none());
/// ```
pub fn system(name: &str) -> Option<&'static System> {
    SYSTEMS.iter().find(|s| s.name == name)
}

impl Catalog {
    /// Number of families across all systems.
    pub fn families(&self) -> usize {
        SYSTEMS.iter().map(|s| s.families().len()).sum()
    }
}

/// The whole catalog as `promdecl-gen` reads it: one group per system (in [`SYSTEMS`] order),
/// scraped as [`JOB`] at [`TARGET`], with the documents' query pages ([`queries::files`]) and
/// their own dashboards ([`dashboards::document_dashboard_files`]).
///
/// ```
/// let project = promdecl_catalog::project();
/// assert_eq!(project.groups.len(), promdecl_catalog::SYSTEMS.len());
/// promdecl_gen::promql::check(&project).unwrap();
/// ```
pub fn project() -> Project {
    let project = Project::new(TITLE, JOB)
        .target(TARGET)
        .scrape_interval("15s")
        .evaluation_interval("30s");
    let project = jobs::alerting(project);
    let project = SYSTEMS
        .iter()
        .map(System::group)
        .fold(project, Project::group);
    let project = queries::files().into_iter().fold(project, Project::file);
    dashboards::document_dashboard_files()
        .into_iter()
        .fold(project, Project::file)
}
