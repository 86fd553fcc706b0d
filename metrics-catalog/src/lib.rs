//! The metric sets of five real systems, declared with the derive, and generators built on them.
//!
//! Each system is a module with one struct per category of its source document (in
//! `shared/seeds/`), exposed under exactly the names, types and labels the document gives.
//! [`SYSTEMS`] lists them for generators; [`register_all`] registers them for a server.
#![deny(missing_docs)]

use promdecl::{FamilyDesc, Registry, RegistryError};

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

fn no_alerts() -> &'static [RuleGroup] {
    &[]
}

/// The five systems.
pub const SYSTEMS: &[System] = &[
    System {
        name: "chorus",
        title: "CHORUS pkg/metrics",
        seed: "chorus-pkg-metrics.md",
        families: || chorus::Chorus::families().collect(),
        alerts: chorus::alert_rules,
    },
    System {
        name: "zerostate",
        title: "zerostate economic metrics",
        seed: "zerostate-prometheus-metrics.md",
        families: || zerostate::Zerostate::families().collect(),
        alerts: zerostate::alert_rules,
    },
    System {
        name: "x0tta6bl4",
        title: "x0tta6bl4 metrics expansion",
        seed: "x0tta6bl4-metrics-expansion.md",
        families: || x0tta6bl4::X0tta6bl4::families().collect(),
        alerts: no_alerts,
    },
    System {
        name: "semstreams",
        title: "semstreams metric package",
        seed: "semstreams-metric-package.txt",
        families: || semstreams::Semstreams::families().collect(),
        alerts: no_alerts,
    },
    System {
        name: "bridge",
        title: "Chorus Bridge monitoring guide",
        seed: "chorus-bridge-monitoring-guide.md",
        families: || bridge::Bridge::families().collect(),
        alerts: bridge::alert_rules,
    },
];

/// Every system registered into one registry.
#[derive(Debug)]
pub struct Catalog {
    /// CHORUS.
    pub chorus: chorus::Chorus,
    /// zerostate.
    pub zerostate: zerostate::Zerostate,
    /// x0tta6bl4.
    pub x0tta6bl4: x0tta6bl4::X0tta6bl4,
    /// semstreams.
    pub semstreams: semstreams::Semstreams,
    /// Chorus Bridge.
    pub bridge: bridge::Bridge,
}

impl Catalog {
    /// Number of families across all systems.
    pub fn families(&self) -> usize {
        SYSTEMS.iter().map(|s| (s.families)().len()).sum()
    }
}

/// Registers all five systems; fails if any two declare the same name differently.
pub fn register_all(registry: &Registry) -> Result<Catalog, RegistryError> {
    Ok(Catalog {
        chorus: chorus::Chorus::register(registry)?,
        zerostate: zerostate::Zerostate::register(registry)?,
        x0tta6bl4: x0tta6bl4::X0tta6bl4::register(registry)?,
        semstreams: semstreams::Semstreams::register(registry)?,
        bridge: bridge::Bridge::register(registry)?,
    })
}
