//! The metric sets of five real systems, declared with the derive, and generators built on them.
//!
//! Each system is a module with one struct per category of its source document (in
//! `shared/seeds/`), exposed under exactly the names, types and labels the document gives.
//! [`SYSTEMS`] lists them for generators, [`system`] finds one by name, and [`register_all`]
//! registers them for a server. The systems are listed once, in this file's `catalog!` invocation;
//! each system lists its categories once, in a `system!` invocation in its module.
#![deny(missing_docs)]

use promdecl::FamilyDesc;

mod macros;

pub mod bridge;
pub mod chorus;
pub mod export;
pub mod generate;
pub mod promql;
pub mod rules;
pub mod semstreams;
pub mod workload;
pub mod x0tta6bl4;
pub mod zerostate;

use macros::catalog;
use rules::RuleGroup;

/// One catalog system, as generators see it.
#[derive(Debug, Clone, Copy)]
pub struct System {
    /// Short name, used in file names (`docs/metrics/<name>.md`).
    pub name: &'static str,
    /// Human title.
    pub title: &'static str,
    /// The seed document it was declared from.
    pub seed: &'static str,
    /// Every family of the system.
    pub families: fn() -> Vec<&'static FamilyDesc>,
    /// The alert rules its document gives.
    pub alerts: fn() -> &'static [RuleGroup],
}

catalog! {
    /// CHORUS.
    chorus: chorus::Chorus {
        title: "CHORUS pkg/metrics",
        seed: "chorus-pkg-metrics.md",
        alerts: chorus::alert_rules,
    },
    /// zerostate.
    zerostate: zerostate::Zerostate {
        title: "zerostate economic metrics",
        seed: "zerostate-prometheus-metrics.md",
        alerts: zerostate::alert_rules,
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
        alerts: bridge::alert_rules,
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
        SYSTEMS.iter().map(|s| (s.families)().len()).sum()
    }
}
