//! Generators over promdecl declarations: reference docs, rule files and their tests,
//! dashboards, scrape configs, JSON exports, schema diffs and a freshness check.
//!
//! Build a [`Project`] from your `#[derive(Metrics)]` structs and the [`RuleGroup`]s declared
//! beside them; every generator reads only that. Nothing here knows any particular system.
//!
//! ```
//! use promdecl::{Counter, Histogram, Metrics};
//! use promdecl_gen::{Alert, Group, Project, RuleGroup};
//!
//! #[derive(Metrics)]
//! #[metrics(prefix = "shop")]
//! struct Orders {
//!     /// Orders placed, by payment method and outcome
//!     #[metric(counter, labels = [payment, outcome = [accepted, rejected]], max_series = 100)]
//!     orders_total: Counter,
//! }
//!
//! #[derive(Metrics)]
//! #[metrics(prefix = "shop")]
//! struct Checkout {
//!     /// Time to check out
//!     #[metric(histogram)]
//!     checkout_seconds: Histogram,
//! }
//!
//! fn project() -> Project {
//!     let rules = RuleGroup::new("shop").alert(
//!         Alert::new("CheckoutErrors")
//!             .expr(r#"sum(rate(shop_orders_total{outcome="rejected"}[5m])) > 1"#)
//!             .for_("10m")
//!             .label("severity", "warning"),
//!     );
//!     Project::new("Shop metrics", "shop").target("127.0.0.1:3000").group(
//!         Group::new("shop", "Shop")
//!             .metrics::<Orders>("Orders")
//!             .metrics::<Checkout>("Checkout")
//!             .rules(rules),
//!     )
//! }
//!
//! // Every rule names only declared metrics, labels and values.
//! promdecl_gen::promql::check(&project()).unwrap();
//!
//! let files = promdecl_gen::generate(&project());
//! let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
//! for path in ["docs/metrics/README.md", "docs/metrics/shop.md", "docs/alerts/shop.rules.yml", "docs/prometheus.yml"] {
//!     assert!(paths.contains(&path), "{path}");
//! }
//! let page = &files.iter().find(|f| f.path == "docs/metrics/shop.md").unwrap().contents;
//! assert!(page.contains("  - `outcome`: one of `accepted`, `rejected`"));
//! ```
//!
//! In a test, [`check_fresh`] fails with a diff when the committed files are out of date:
//!
//! ```no_run
//! # fn project() -> promdecl_gen::Project { promdecl_gen::Project::new("Shop", "shop") }
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
//! promdecl_gen::check_fresh(root, &promdecl_gen::generate(&project()), "cargo run --example gen -- generate")
//!     .unwrap();
//! ```
//!
//! and [`cli::main`] gives a binary or example the `generate`, `check`, `export`, `check-rules`
//! and `diff` subcommands in one line.
#![deny(missing_docs)]

mod model;
mod rules;
mod yaml;

pub mod alertmanager;
pub mod dashboard;
pub mod diff;
pub mod rule_tests;

pub mod cli;
pub mod export;
pub mod files;
pub mod kubernetes;
pub mod layout;
pub mod layout_dashboard;
pub mod markdown;
pub mod promql;
pub mod rule_files;
pub mod scrape;
pub mod slo;

pub use files::{check_fresh, generate, write, StaleFiles};
pub use layout::File;
pub use model::{Group, Project, Section};
pub use promql::RuleError;
pub use rules::{Alert, Correction, Record, Rule, RuleGroup, TestSeries};
pub use scrape::{Job, Relabel};
pub use slo::{Sli, Slo, SloBuilder, SloError};
