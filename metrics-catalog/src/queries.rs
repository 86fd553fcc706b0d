//! The PromQL queries the seed documents give (query examples, dashboard panels), as data:
//! each system with queries has a `queries` module listing them in document order, and
//! [`all_queries`] lists them all for a test that runs them against a real Prometheus.
//!
//! A query is kept as the document writes it. When the document's text is not usable (it does
//! not parse, names something the document does not declare, or computes something other than
//! what its title says), [`Query::expr`] is the corrected form and [`Query::correction`] keeps
//! the document's text and the reason, like a corrected alert rule
//! ([`promdecl_gen::Correction`]). `metrics-catalog/tests/queries.rs` checks every expression
//! against [`crate::project`] (with `promdecl_gen::promql::Checker`) and shows that each
//! correction is needed. The document's alert rules are not repeated here: they are the
//! systems' rule groups (`<system>::alerts`).
//!
//! [`files`] renders one Markdown page per system, `docs/queries/<system>.md`; [`crate::project`]
//! hands them to the generator ([`promdecl_gen::Project::file`]), so `promdecl-catalog generate`
//! writes them and the staleness checks cover them like every other generated file.
//!
//! ```
//! let queries = promdecl_catalog::queries::all_queries();
//! let (system, q) = queries
//!     .iter()
//!     .find(|(_, q)| q.title == "Task error rate by type")
//!     .unwrap();
//! assert_eq!(*system, "zerostate");
//! assert_eq!(q.expr, "sum by (type, error) (rate(zerostate_economic_task_errors_total[5m]))");
//! let correction = q.correction.unwrap();
//! assert_eq!(correction.original, "rate(zerostate_economic_task_errors_total[5m]) by (type, error)");
//! assert!(promdecl_gen::promql::selectors(correction.original).is_err());
//! ```

use promdecl_gen::{layout, File};

/// One query a seed document gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// Where in the document: its headings, outermost first, joined by ` › `
    /// (`Example Queries › DHT Performance`).
    pub section: &'static str,
    /// What the document calls the query there: the comment above it, its heading or its panel
    /// title (with the target's legend where a panel has several).
    pub title: &'static str,
    /// The PromQL: the document's text, or its corrected form when [`Query::correction`] is set.
    pub expr: &'static str,
    /// The document's text and why it was corrected; `None` when [`Query::expr`] is the
    /// document's text.
    pub correction: Option<Correction>,
}

/// A query the document gives in a form that does not work, kept beside its correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction {
    /// The document's text, verbatim.
    pub original: &'static str,
    /// Why it was changed.
    pub why: &'static str,
}

impl Query {
    /// The query titled `title` in `section`, `expr` as the document gives it.
    pub const fn new(section: &'static str, title: &'static str, expr: &'static str) -> Self {
        Self {
            section,
            title,
            expr,
            correction: None,
        }
    }

    /// Marks [`Query::expr`] as the correction of the document's `original`, for reason `why`.
    pub const fn corrects(self, original: &'static str, why: &'static str) -> Self {
        Self {
            correction: Some(Correction { original, why }),
            ..self
        }
    }
}

/// The systems whose documents give queries, each with its `queries` module's list, in
/// [`crate::SYSTEMS`] order. The name is the module's, as in [`crate::System::name`].
macro_rules! with_queries {
    ($($system:ident),+ $(,)?) => {
        &[$((stringify!($system), crate::$system::queries::queries as Queries)),+]
    };
}

/// A system's list of queries: its `queries` module's `queries`.
pub type Queries = fn() -> Vec<Query>;

/// Each system with queries, by name, and its list.
pub const SYSTEMS: &[(&str, Queries)] = with_queries![chorus, zerostate, x0tta6bl4, bridge];

/// The queries of the system named `system` (empty for a system without queries), in document
/// order.
pub fn queries(system: &str) -> Vec<Query> {
    SYSTEMS
        .iter()
        .find(|(name, _)| *name == system)
        .map(|(_, queries)| queries())
        .unwrap_or_default()
}

/// Every query of every system, with the name of its system ([`crate::System::name`]), in
/// system and document order. Each [`Query::expr`] is valid PromQL that reads only declared
/// families (or series Prometheus writes itself), so each can be run against a Prometheus
/// scraping the demo server.
pub fn all_queries() -> Vec<(&'static str, Query)> {
    SYSTEMS
        .iter()
        .flat_map(|(name, queries)| queries().into_iter().map(move |q| (*name, q)))
        .collect()
}

/// Directory of the generated query pages.
pub const DIR: &str = "docs/queries";

/// The query page of system `system`.
pub fn page_path(system: &str) -> String {
    format!("{DIR}/{system}.md")
}

/// The query page of every system with queries: `docs/queries/<system>.md`.
pub fn files() -> Vec<File> {
    SYSTEMS
        .iter()
        .map(|(name, queries)| File::new(page_path(name), page(name, &queries())))
        .collect()
}

/// The Markdown page of `system`'s `queries`: one heading per document section, one per query,
/// the expression in a `promql` block and, for a corrected query, the document's text and the
/// reason.
pub fn page(system: &str, queries: &[Query]) -> String {
    let path = page_path(system);
    let (title, seed, rules) = match crate::system(system) {
        Some(s) => (s.title, s.seed, !(s.rules)().is_empty()),
        None => (system, "?", false),
    };
    let corrected = queries.iter().filter(|q| q.correction.is_some()).count();
    let as_given = queries.len() - corrected;
    let reference = layout::relative(&path, &layout::reference(system));
    let rules = if rules {
        ", with the document's alert rules"
    } else {
        ""
    };
    let counts = match corrected {
        0 => format!(", all {as_given} as the document writes them"),
        _ => format!(
            ": {as_given} as the document writes {}, {corrected} corrected (the document's text and \
             the reason are kept below each correction)",
            if as_given == 1 { "it" } else { "them" }
        ),
    };
    let mut out = format!(
        "# {title}: queries\n\n\
         <!-- generated by promdecl-catalog from metrics-catalog/src/{system}/queries.rs; do not edit -->\n\n\
         The PromQL queries the seed document `{seed}` gives, in document order{counts}. Every \
         expression below parses and reads only families the catalog declares (or series \
         Prometheus writes itself), with their declared labels and values. The families are \
         described in the [reference]({reference}){rules}.\n"
    );
    let mut section = None;
    for q in queries {
        if section != Some(q.section) {
            out += &format!("\n## {}\n", q.section);
            section = Some(q.section);
        }
        let mark = if q.correction.is_some() {
            " (corrected)"
        } else {
            ""
        };
        out += &format!("\n### {}{mark}\n\n```promql\n{}\n```\n", q.title, q.expr);
        if let Some(c) = q.correction {
            out += &format!(
                "\nThe document's text:\n\n```promql\n{}\n```\n\n**Why:** {}\n",
                c.original, c.why
            );
        }
    }
    out
}
