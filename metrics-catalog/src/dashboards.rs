//! The seed documents' own dashboards, next to the generic ones `promdecl-gen` generates per
//! system: each system whose document gives or plans dashboards has a `dashboards` module
//! listing them as [`Layout`]s (panels, titles, queries and units as the document gives them,
//! corrected queries beside the document's text), and [`document_dashboard_files`] writes them
//! to `docs/dashboards/<uid>.json`, where every uid is `<system>-<slug>`.
//!
//! - bridge: the document's "Main" and "Security" dashboards ([`crate::bridge::dashboards`]);
//! - CHORUS: its "Example Queries" laid out as one ([`crate::chorus::dashboards`]);
//! - x0tta6bl4: its five "Recommended Dashboards" ([`crate::x0tta6bl4::dashboards`]);
//! - zerostate: the four it plans, filled with its query examples
//!   ([`crate::zerostate::dashboards`]).
//!
//! `metrics-catalog/tests/document_dashboards.rs` checks every query against [`crate::project`].
//!
//! ```
//! let files = promdecl_catalog::dashboards::document_dashboard_files();
//! assert!(files.iter().any(|f| f.path == "docs/dashboards/bridge-main.json"));
//! let (system, main) = &promdecl_catalog::dashboards::document_dashboards()[0];
//! assert_eq!(*system, "chorus");
//! assert!(main.uid.starts_with("chorus-"));
//! ```

use promdecl_gen::layout_dashboard::{self, Layout};
use promdecl_gen::File;

/// A system's `dashboards` function: its document dashboards, in document order.
pub type Dashboards = fn() -> Vec<Layout>;

/// Each system with document dashboards, by name ([`crate::System::name`]), and its list, in
/// [`crate::SYSTEMS`] order.
pub const SYSTEMS: &[(&str, Dashboards)] = &[
    ("chorus", crate::chorus::dashboards::dashboards),
    ("zerostate", crate::zerostate::dashboards::dashboards),
    ("x0tta6bl4", crate::x0tta6bl4::dashboards::dashboards),
    ("bridge", crate::bridge::dashboards::dashboards),
];

/// Every document dashboard with the name of its system, in system and document order.
pub fn document_dashboards() -> Vec<(&'static str, Layout)> {
    SYSTEMS
        .iter()
        .flat_map(|(name, dashboards)| dashboards().into_iter().map(move |d| (*name, d)))
        .collect()
}

/// The file of every document dashboard: `docs/dashboards/<uid>.json`, written like the
/// generated dashboards.
pub fn document_dashboard_files() -> Vec<File> {
    document_dashboards()
        .iter()
        .map(|(_, d)| layout_dashboard::file(&d.uid, d))
        .collect()
}
