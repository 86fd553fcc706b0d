//! Generators over promdecl declarations: reference docs, rule files and their tests,
//! dashboards, scrape configs, JSON exports, schema diffs and a freshness check.
//!
//! Build a [`Project`] from your `#[derive(Metrics)]` structs and the [`RuleGroup`]s declared
//! beside them; every generator reads only that. Nothing here knows any particular system.
#![deny(missing_docs)]

mod model;
mod rules;

pub mod dashboard;
pub mod rule_tests;

pub mod promql;

pub use model::{Group, Project, Section};
pub use promql::RuleError;
pub use rules::{Alert, Correction, Record, Rule, RuleGroup, TestSeries};
