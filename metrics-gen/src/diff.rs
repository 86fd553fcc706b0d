//! Schema diff between two JSON exports (see [`export`](crate::export)): what changed in the
//! families, which changes break the queries of whoever reads them, and which rules and
//! dashboard panels of the **old** export they break.
//!
//! Breaking: a removed family (a rename is a removal and an addition; when an added family has
//! the same type and label names it is named as the likely new name), a changed type or unit,
//! removed bucket bounds, a removed label, a removed value of an enumerated label, and a
//! free-form label made enumerated (values outside the list disappear). Compatible: an added
//! family, label or value, added bucket bounds, a label made free-form, and changes of HELP, note,
//! series budget or section.
//!
//! The rules a change breaks are those that read the family (directly or, as the export lists
//! them, through recorded series); for a removed label, those that match on or group by it; for
//! a removed value, those whose matchers select that value by name (`="x"` or a regex naming it,
//! not `=~".*"`). The panels are those the [`dashboard`](crate::dashboard) generator draws for the
//! family, by title.
//!
//! ```
//! use promdecl_gen::diff::diff;
//! use serde_json::json;
//!
//! let old = json!({
//!     "families": [{"group": "shop", "section": "Orders", "name": "orders_total", "type": "counter",
//!                   "help": "Orders", "labels": [{"name": "outcome", "values": ["ok", "rejected"]}]}],
//!     "rules": [{"group": "shop", "rule_group": "shop", "name": "Rejections", "kind": "alert",
//!                "expr": "rate(orders_total{outcome=\"rejected\"}[5m]) > 1"}],
//! });
//! let mut new = old.clone();
//! new["families"][0]["labels"][0]["values"] = json!(["ok"]);
//! let d = diff(&old, &new);
//! assert!(d.is_breaking());
//! assert_eq!(d.changes[0].rules[0].name, "Rejections");
//! assert!(d.to_string().contains("label `outcome` lost value `rejected`"));
//! ```

use std::collections::BTreeSet;
use std::fmt;

use promdecl::Kind;
use promql_parser::parser::{self, Expr, LabelModifier};
use promql_parser::util::{walk_expr, ExprVisitor};
use serde_json::Value;

use crate::dashboard::panel_titles;
use crate::promql::{selectors, MatchOp, Selector};

/// Whether a change breaks existing queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Queries, rules or panels written against the old schema may stop working.
    Breaking,
    /// Everything written against the old schema keeps working.
    Compatible,
}

/// What changed about one family.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// The family is gone; `renamed_to` lists added families with the same type and labels.
    Removed {
        /// Likely new names.
        renamed_to: Vec<String>,
    },
    /// The family is new.
    Added,
    /// The metric type changed.
    TypeChanged {
        /// Old type.
        from: String,
        /// New type.
        to: String,
    },
    /// The unit changed.
    UnitChanged {
        /// Old unit.
        from: Option<String>,
        /// New unit.
        to: Option<String>,
    },
    /// Bucket bounds changed.
    BucketsChanged {
        /// Bounds no longer exposed.
        removed: Vec<f64>,
        /// New bounds.
        added: Vec<f64>,
    },
    /// A label is gone.
    LabelRemoved(String),
    /// A label is new.
    LabelAdded(String),
    /// An enumerated label lost a value.
    ValueRemoved {
        /// The label.
        label: String,
        /// The value no longer exposed.
        value: String,
    },
    /// An enumerated label gained a value.
    ValueAdded {
        /// The label.
        label: String,
        /// The new value.
        value: String,
    },
    /// A free-form label now takes only the listed values.
    NowEnumerated {
        /// The label.
        label: String,
        /// Its values.
        values: Vec<String>,
    },
    /// An enumerated label now takes any value.
    NowFreeForm(String),
    /// The HELP text changed.
    HelpChanged,
    /// The recorded decision (note) changed.
    NoteChanged,
    /// The series budget changed.
    BudgetChanged {
        /// Old budget.
        from: Option<u64>,
        /// New budget.
        to: Option<u64>,
    },
    /// The family moved to another group or section (its dashboard panels move with it).
    Moved {
        /// Old `group / section`.
        from: String,
        /// New `group / section`.
        to: String,
    },
}

impl ChangeKind {
    /// Whether this change breaks existing queries.
    pub fn severity(&self) -> Severity {
        match self {
            ChangeKind::Removed { .. }
            | ChangeKind::TypeChanged { .. }
            | ChangeKind::UnitChanged { .. }
            | ChangeKind::LabelRemoved(_)
            | ChangeKind::ValueRemoved { .. }
            | ChangeKind::NowEnumerated { .. } => Severity::Breaking,
            ChangeKind::BucketsChanged { removed, .. } if !removed.is_empty() => Severity::Breaking,
            _ => Severity::Compatible,
        }
    }
}

fn or_none(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("none")
}

fn bounds(b: &[f64]) -> String {
    b.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeKind::Removed { renamed_to } if renamed_to.is_empty() => f.write_str("removed"),
            ChangeKind::Removed { renamed_to } => {
                write!(f, "removed (renamed to {}?)", renamed_to.join(" or "))
            }
            ChangeKind::Added => f.write_str("added"),
            ChangeKind::TypeChanged { from, to } => write!(f, "type changed from {from} to {to}"),
            ChangeKind::UnitChanged { from, to } => {
                write!(f, "unit changed from {} to {}", or_none(from), or_none(to))
            }
            ChangeKind::BucketsChanged { removed, added } => {
                f.write_str("buckets changed")?;
                if !removed.is_empty() {
                    write!(f, "; bounds removed: {}", bounds(removed))?;
                }
                if !added.is_empty() {
                    write!(f, "; bounds added: {}", bounds(added))?;
                }
                Ok(())
            }
            ChangeKind::LabelRemoved(l) => write!(f, "label `{l}` removed"),
            ChangeKind::LabelAdded(l) => write!(
                f,
                "label `{l}` added (queries that do not aggregate see one series per value)"
            ),
            ChangeKind::ValueRemoved { label, value } => {
                write!(f, "label `{label}` lost value `{value}`")
            }
            ChangeKind::ValueAdded { label, value } => {
                write!(f, "label `{label}` gained value `{value}`")
            }
            ChangeKind::NowEnumerated { label, values } => write!(
                f,
                "label `{label}` is now enumerated ({}); other values disappear",
                values.join(", ")
            ),
            ChangeKind::NowFreeForm(l) => write!(f, "label `{l}` is now free-form"),
            ChangeKind::HelpChanged => f.write_str("HELP text changed"),
            ChangeKind::NoteChanged => f.write_str("note changed"),
            ChangeKind::BudgetChanged { from, to } => {
                let n = |v: &Option<u64>| v.map_or("none".to_string(), |v| v.to_string());
                write!(f, "series budget changed from {} to {}", n(from), n(to))
            }
            ChangeKind::Moved { from, to } => write!(f, "moved from {from} to {to}"),
        }
    }
}

/// A rule of the old export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    /// Its rule group (the project group when the export names no rule group).
    pub group: String,
    /// Alert name or recorded series.
    pub name: String,
    /// `alert` or `record`.
    pub kind: String,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}/{}`", self.kind, self.group, self.name)
    }
}

/// One change to one family, with what it breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The family's group (the old one unless the family is new): its dashboard.
    pub group: String,
    /// The family's name (the old one for a removal).
    pub family: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Rules of the old export this change breaks (empty for compatible changes).
    pub rules: Vec<RuleRef>,
    /// Titles of the panels of dashboard `group` this change breaks (empty for compatible
    /// changes).
    pub panels: Vec<String>,
}

impl Change {
    /// Whether this change breaks existing queries.
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.family, self.kind)?;
        if !self.rules.is_empty() {
            let rules: Vec<String> = self.rules.iter().map(ToString::to_string).collect();
            write!(f, "\n    breaks {}", rules.join(", "))?;
        }
        if !self.panels.is_empty() {
            write!(
                f,
                "\n    breaks panels of dashboard `{}`: {}",
                self.group,
                self.panels.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Every change between two exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// The changes: per old family in order, then the added families.
    pub changes: Vec<Change>,
}

impl Diff {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.breaking().next().is_some()
    }

    /// The breaking changes.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.severity() == Severity::Breaking)
    }

    /// The compatible changes.
    pub fn compatible(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.severity() == Severity::Compatible)
    }
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "no schema changes");
        }
        let breaking: Vec<&Change> = self.breaking().collect();
        let compatible: Vec<&Change> = self.compatible().collect();
        writeln!(
            f,
            "{} breaking, {} compatible change(s)",
            breaking.len(),
            compatible.len()
        )?;
        for (title, changes) in [("breaking", breaking), ("compatible", compatible)] {
            if !changes.is_empty() {
                writeln!(f, "\n{title}:")?;
                for c in changes {
                    writeln!(f, "  {c}")?;
                }
            }
        }
        Ok(())
    }
}

/// One family of an export.
#[derive(Debug, Clone)]
struct Family {
    group: String,
    section: String,
    name: String,
    kind: String,
    help: String,
    unit: Option<String>,
    labels: Vec<(String, Option<Vec<String>>)>,
    buckets: Option<Vec<f64>>,
    max_series: Option<u64>,
    note: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

impl Family {
    fn read(v: &Value) -> Self {
        let strings = |v: &Value| -> Option<Vec<String>> {
            let list = v.as_array()?;
            Some(
                list.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
            )
        };
        let labels = v
            .get("labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|l| {
                (
                    text(l, "name").unwrap_or_default(),
                    l.get("values").and_then(strings),
                )
            })
            .collect();
        let buckets = v
            .get("buckets")
            .and_then(Value::as_array)
            .map(|b| b.iter().filter_map(Value::as_f64).collect());
        Self {
            group: text(v, "group").unwrap_or_default(),
            section: text(v, "section").unwrap_or_default(),
            name: text(v, "name").unwrap_or_default(),
            kind: text(v, "type").unwrap_or_default(),
            help: text(v, "help").unwrap_or_default(),
            unit: text(v, "unit"),
            labels,
            buckets,
            max_series: v.get("max_series").and_then(Value::as_u64),
            note: text(v, "note"),
        }
    }

    fn label(&self, name: &str) -> Option<&Option<Vec<String>>> {
        self.labels.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn label_names(&self) -> BTreeSet<&str> {
        self.labels.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The sample names this family exposes.
    fn samples(&self) -> Vec<String> {
        match Kind::from_name(&self.kind) {
            Some(kind) => kind.sample_names(&self.name).collect(),
            None => vec![self.name.clone()],
        }
    }

    /// The panels the dashboard generator draws for this family.
    fn panels(&self) -> Vec<String> {
        Kind::from_name(&self.kind)
            .map(|k| panel_titles(k, &self.name, &self.section))
            .unwrap_or_default()
    }
}

/// One rule of the old export, parsed.
struct Rule {
    at: RuleRef,
    /// Families the export says it reads (through recorded series too).
    families: Vec<String>,
    selectors: Vec<Selector>,
    /// Labels named in `by`, `without`, `on`, `ignoring`, `group_left/right`.
    grouping: BTreeSet<String>,
}

impl Rule {
    fn read(v: &Value) -> Self {
        let expr = text(v, "expr").unwrap_or_default();
        let group = text(v, "rule_group").or_else(|| text(v, "group"));
        Self {
            at: RuleRef {
                group: group.unwrap_or_default(),
                name: text(v, "name").unwrap_or_default(),
                kind: text(v, "kind").unwrap_or_else(|| "rule".into()),
            },
            families: v
                .get("families")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
            selectors: selectors(&expr).unwrap_or_default(),
            grouping: grouping(&expr),
        }
    }

    /// This rule's selectors of family `f`.
    fn selectors_of<'a>(&'a self, f: &'a Family) -> impl Iterator<Item = &'a Selector> {
        let samples = f.samples();
        self.selectors
            .iter()
            .filter(move |s| s.metric.as_ref().is_some_and(|m| samples.contains(m)))
    }

    fn reads(&self, f: &Family) -> bool {
        self.families.contains(&f.name) || self.selectors_of(f).next().is_some()
    }

    /// Whether this rule matches on or groups by label `label` of family `f`.
    fn uses_label(&self, f: &Family, label: &str) -> bool {
        self.reads(f)
            && (self.grouping.contains(label)
                || self
                    .selectors_of(f)
                    .any(|s| s.matchers.iter().any(|m| m.label == label)))
    }

    /// Whether a matcher of this rule on label `label` of family `f` names `value`: equality,
    /// or a regex that matches it but not any value at all.
    fn selects_value(&self, f: &Family, label: &str, value: &str) -> bool {
        self.selectors_of(f).any(|s| {
            s.matchers.iter().any(|m| {
                m.label == label
                    && match m.op {
                        MatchOp::Equal => m.value == value,
                        MatchOp::Regex => m.matches(value) && !m.matches("\u{1}"),
                        MatchOp::NotEqual | MatchOp::NotRegex => false,
                    }
            })
        })
    }
}

/// Labels named in the grouping and matching clauses of `expr`.
fn grouping(expr: &str) -> BTreeSet<String> {
    struct Grouping(BTreeSet<String>);
    impl ExprVisitor for Grouping {
        type Error = ();
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, ()> {
            let mut add = |m: &LabelModifier| self.0.extend(m.labels().labels.iter().cloned());
            match e {
                Expr::Aggregate(a) => a.modifier.iter().for_each(&mut add),
                Expr::Binary(b) => {
                    if let Some(m) = &b.modifier {
                        m.matching.iter().for_each(&mut add);
                        if let Some(include) = m.card.labels() {
                            self.0.extend(include.labels.iter().cloned());
                        }
                    }
                }
                _ => {}
            }
            Ok(true)
        }
    }
    let mut g = Grouping(BTreeSet::new());
    if let Ok(e) = parser::parse(expr) {
        let _ = walk_expr(&mut g, &e);
    }
    g.0
}

fn families(export: &Value) -> Vec<Family> {
    export
        .get("families")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(Family::read)
        .collect()
}

/// The changes between the exports `old` and `new` (as [`export`](crate::export::export)
/// writes them; read files with [`export::read`](crate::export::read), which checks their
/// shape).
pub fn diff(old: &Value, new: &Value) -> Diff {
    let old_families = families(old);
    let new_families = families(new);
    let rules: Vec<Rule> = old
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(Rule::read)
        .collect();
    let find = |list: &[Family], name: &str| list.iter().find(|f| f.name == name).cloned();
    let added: Vec<&Family> = new_families
        .iter()
        .filter(|f| find(&old_families, &f.name).is_none())
        .collect();
    let mut changes = Vec::new();
    for o in &old_families {
        let kinds = match find(&new_families, &o.name) {
            None => vec![ChangeKind::Removed {
                renamed_to: added
                    .iter()
                    .filter(|a| a.kind == o.kind && a.label_names() == o.label_names())
                    .map(|a| a.name.clone())
                    .collect(),
            }],
            Some(n) => family_changes(o, &n),
        };
        changes.extend(kinds.into_iter().map(|kind| impact(o, kind, &rules)));
    }
    changes.extend(added.iter().map(|a| Change {
        group: a.group.clone(),
        family: a.name.clone(),
        kind: ChangeKind::Added,
        rules: Vec::new(),
        panels: Vec::new(),
    }));
    Diff { changes }
}

/// The changes from `o` to `n`, the same family in two exports.
fn family_changes(o: &Family, n: &Family) -> Vec<ChangeKind> {
    let mut out = Vec::new();
    if o.kind != n.kind {
        out.push(ChangeKind::TypeChanged {
            from: o.kind.clone(),
            to: n.kind.clone(),
        });
    }
    if o.unit != n.unit {
        out.push(ChangeKind::UnitChanged {
            from: o.unit.clone(),
            to: n.unit.clone(),
        });
    }
    let (ob, nb) = (
        o.buckets.clone().unwrap_or_default(),
        n.buckets.clone().unwrap_or_default(),
    );
    let missing = |a: &[f64], b: &[f64]| -> Vec<f64> {
        a.iter().copied().filter(|x| !b.contains(x)).collect()
    };
    let (removed, added) = (missing(&ob, &nb), missing(&nb, &ob));
    if !removed.is_empty() || !added.is_empty() {
        out.push(ChangeKind::BucketsChanged { removed, added });
    }
    for (label, old_values) in &o.labels {
        let Some(new_values) = n.label(label) else {
            out.push(ChangeKind::LabelRemoved(label.clone()));
            continue;
        };
        match (old_values, new_values) {
            (Some(ov), Some(nv)) => {
                out.extend(ov.iter().filter(|v| !nv.contains(v)).map(|v| {
                    ChangeKind::ValueRemoved {
                        label: label.clone(),
                        value: v.clone(),
                    }
                }));
                out.extend(
                    nv.iter()
                        .filter(|v| !ov.contains(v))
                        .map(|v| ChangeKind::ValueAdded {
                            label: label.clone(),
                            value: v.clone(),
                        }),
                );
            }
            (None, Some(nv)) => out.push(ChangeKind::NowEnumerated {
                label: label.clone(),
                values: nv.clone(),
            }),
            (Some(_), None) => out.push(ChangeKind::NowFreeForm(label.clone())),
            (None, None) => {}
        }
    }
    out.extend(
        n.labels
            .iter()
            .filter(|(l, _)| o.label(l).is_none())
            .map(|(l, _)| ChangeKind::LabelAdded(l.clone())),
    );
    if o.help != n.help {
        out.push(ChangeKind::HelpChanged);
    }
    if o.note != n.note {
        out.push(ChangeKind::NoteChanged);
    }
    if o.max_series != n.max_series {
        out.push(ChangeKind::BudgetChanged {
            from: o.max_series,
            to: n.max_series,
        });
    }
    if (&o.group, &o.section) != (&n.group, &n.section) {
        out.push(ChangeKind::Moved {
            from: format!("{} / {}", o.group, o.section),
            to: format!("{} / {}", n.group, n.section),
        });
    }
    out
}

/// `kind` applied to old family `f`, with the rules and panels it breaks.
fn impact(f: &Family, kind: ChangeKind, rules: &[Rule]) -> Change {
    let broken = |keep: &dyn Fn(&Rule) -> bool| -> Vec<RuleRef> {
        rules
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.at.clone())
            .collect()
    };
    let (rules, panels) = match &kind {
        _ if kind.severity() == Severity::Compatible => (Vec::new(), Vec::new()),
        ChangeKind::LabelRemoved(l) => {
            // Panels select and group by enumerated labels only.
            let enumerated = matches!(f.label(l), Some(Some(_)));
            let panels = if enumerated { f.panels() } else { Vec::new() };
            (broken(&|r| r.uses_label(f, l)), panels)
        }
        ChangeKind::ValueRemoved { label, value } => {
            (broken(&|r| r.selects_value(f, label, value)), Vec::new())
        }
        ChangeKind::NowEnumerated { label, .. } => {
            (broken(&|r| r.uses_label(f, label)), Vec::new())
        }
        _ => (broken(&|r| r.reads(f)), f.panels()),
    };
    Change {
        group: f.group.clone(),
        family: f.name.clone(),
        kind,
        rules,
        panels,
    }
}
