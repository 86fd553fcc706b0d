//! Checks PromQL (alert rules, dashboard queries) against the declared families with a real
//! parser (`promql-parser`): every metric and label a query names must be declared.

use std::collections::BTreeSet;

use promdecl::{FamilyDesc, Kind};
use promdecl_spec::{BUCKET_LABEL, BUCKET_SUFFIX};
use promql_parser::label::Matchers;
use promql_parser::parser::{self, Expr};

/// Labels Prometheus attaches to every scraped series, valid in any query.
pub const TARGET_LABELS: &[&str] = &["job", "instance"];

/// Series Prometheus itself writes for each scrape (no application declares them).
pub const SCRAPE_METRICS: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_series_added",
];

/// What a query refers to.
#[derive(Debug, Default, PartialEq)]
pub struct References {
    /// `(metric name, label names used in its matchers)`.
    pub selectors: Vec<(String, Vec<String>)>,
    /// Labels named in `by`, `without`, `on`, `ignoring`, `group_left/right`.
    pub grouping: BTreeSet<String>,
}

fn matcher_labels(m: &Matchers) -> Vec<String> {
    m.matchers
        .iter()
        .chain(m.or_matchers.iter().flatten())
        .map(|m| m.name.clone())
        .filter(|n| n != "__name__")
        .collect()
}

fn walk(e: &Expr, refs: &mut References) {
    match e {
        Expr::Aggregate(a) => {
            if let Some(m) = &a.modifier {
                refs.grouping.extend(m.labels().labels.iter().cloned());
            }
            walk(&a.expr, refs);
            if let Some(p) = &a.param {
                walk(p, refs);
            }
        }
        Expr::Unary(u) => walk(&u.expr, refs),
        Expr::Binary(b) => {
            if let Some(m) = &b.modifier {
                let mut names: Vec<String> = m
                    .matching
                    .iter()
                    .flat_map(|l| l.labels().labels.clone())
                    .collect();
                names.extend(
                    m.card
                        .labels()
                        .map(|l| l.labels.clone())
                        .unwrap_or_default(),
                );
                refs.grouping.extend(names);
            }
            walk(&b.lhs, refs);
            walk(&b.rhs, refs);
        }
        Expr::Paren(p) => walk(&p.expr, refs),
        Expr::Subquery(s) => walk(&s.expr, refs),
        Expr::VectorSelector(v) => {
            if let Some(name) = &v.name {
                refs.selectors
                    .push((name.clone(), matcher_labels(&v.matchers)));
            }
        }
        Expr::MatrixSelector(m) => {
            if let Some(name) = &m.vs.name {
                refs.selectors
                    .push((name.clone(), matcher_labels(&m.vs.matchers)));
            }
        }
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, refs)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// Parses `expr` and lists what it refers to.
pub fn references(expr: &str) -> Result<References, String> {
    let ast = parser::parse(expr).map_err(|e| format!("`{expr}` does not parse: {e}"))?;
    let mut refs = References::default();
    walk(&ast, &mut refs);
    Ok(refs)
}

/// The name of the bucket samples of histogram `name`, which `histogram_quantile` reads.
pub fn bucket_sample(name: &str) -> String {
    format!("{name}{BUCKET_SUFFIX}")
}

/// Whether a query selecting metric `name` reads family `f`: whether `name` is one of the
/// sample names `f` exposes.
pub fn selects(f: &FamilyDesc, name: &str) -> bool {
    f.kind.sample_names(f.name).any(|sample| sample == name)
}

/// The family a sample name belongs to, and the extra label the sample carries (`le`).
fn family_of<'a>(
    name: &str,
    families: &[&'a FamilyDesc],
) -> Option<(&'a FamilyDesc, Option<&'static str>)> {
    let family = families.iter().copied().find(|f| selects(f, name))?;
    let extra = (family.kind == Kind::Histogram && name == bucket_sample(family.name))
        .then_some(BUCKET_LABEL);
    Some((family, extra))
}

/// Checks that every metric and label `expr` names is declared in `families`.
///
/// ```
/// use promdecl_catalog::promql::check;
/// let families = (promdecl_catalog::system("chorus").unwrap().families)();
/// assert!(check("rate(chorus_dht_put_operations_total{status=\"failure\"}[5m])", &families).is_ok());
/// let err = check("rate(chorus_dht_put_operation_total[5m])", &families).unwrap_err();
/// assert!(err.contains("chorus_dht_put_operation_total"));
/// ```
pub fn check(expr: &str, families: &[&FamilyDesc]) -> Result<(), String> {
    let refs = references(expr)?;
    let mut used = Vec::new();
    for (name, labels) in &refs.selectors {
        if SCRAPE_METRICS.contains(&name.as_str()) {
            if let Some(l) = labels.iter().find(|l| !TARGET_LABELS.contains(&l.as_str())) {
                return Err(format!("`{expr}` filters `{name}` on `{l}`; Prometheus gives it only `job` and `instance`"));
            }
            continue;
        }
        let (family, extra) = family_of(name, families).ok_or_else(|| {
            format!("`{expr}` names metric `{name}`, which the catalog does not declare")
        })?;
        for l in labels {
            let known = family.labels.iter().any(|d| d.name == l)
                || extra == Some(l.as_str())
                || TARGET_LABELS.contains(&l.as_str());
            if !known {
                return Err(format!(
                    "`{expr}` filters `{name}` on label `{l}`, which `{}` does not declare",
                    family.name
                ));
            }
        }
        used.push((family, extra));
    }
    for l in &refs.grouping {
        let known = TARGET_LABELS.contains(&l.as_str())
            || used.iter().any(|(f, extra)| {
                f.labels.iter().any(|d| d.name == l) || *extra == Some(l.as_str())
            });
        if !known {
            return Err(format!(
                "`{expr}` groups by label `{l}`, which none of the metrics it reads declares"
            ));
        }
    }
    Ok(())
}
