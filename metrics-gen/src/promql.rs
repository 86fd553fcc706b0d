//! PromQL against the declarations: every rule expression, every rule-test input series and every
//! query the generators write (reference examples, dashboard panels and variables) is parsed with
//! `promql-parser` and checked against the project.
//!
//! A selector must name a sample of a declared family ([`Kind::sample_names`]), a series recorded
//! by one of the project's rules, or a series Prometheus writes itself (`up`, `scrape_*`). Each
//! label matcher must name a label the series has: a declared label of the family, `job` or
//! `instance`, or `le` on a histogram's bucket sample. An equality matcher on an enumerated label
//! must use a declared value, and a regex matcher must match at least one. Labels named in `by`,
//! `without`, `on`, `ignoring`, `group_left`/`group_right`, `label_replace` and `label_join` must
//! exist on the series they apply to; the labels of recorded series are worked out from their
//! expressions.
//!
//! ```
//! use promdecl::{Counter, Metrics};
//! use promdecl_gen::{promql, Alert, Group, Project, RuleGroup};
//!
//! #[derive(Metrics)]
//! #[metrics(prefix = "shop")]
//! struct Shop {
//!     /// Orders placed
//!     #[metric(counter, labels = [payment, outcome = [accepted, rejected]])]
//!     orders_total: Counter,
//! }
//!
//! let rules = RuleGroup::new("shop").alert(
//!     Alert::new("CheckoutErrors").expr(r#"rate(shop_orders_total{outcome="rejectd"}[5m]) > 1"#),
//! );
//! let project = Project::new("Shop", "shop")
//!     .group(Group::new("shop", "Shop").metrics::<Shop>("Orders").rules(rules));
//! let errors = promql::check(&project).unwrap_err();
//! assert_eq!(
//!     errors[0].to_string(),
//!     "rule `shop/CheckoutErrors`: label `outcome` of `shop_orders_total` has no value `rejectd`; \
//!      declared values: accepted, rejected"
//! );
//! ```

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use promdecl::{FamilyDesc, Kind};
use promdecl_spec::{BUCKET_LABEL, BUCKET_SUFFIX, QUANTILE_LABEL};
use promql_parser::label::{self, Matchers};
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{self, Expr, LabelModifier, VectorMatchCardinality};
use serde_json::Value;

use crate::dashboard;
use crate::model::{Group, Project};
use crate::rules::{Record, Rule};
use crate::slo;

/// Labels Prometheus attaches to every scraped series: valid on any selector of a scraped metric.
pub const TARGET_LABELS: &[&str] = &["job", "instance"];

/// Whether Prometheus writes series `name` itself for each scrape target (`up`, `scrape_*`).
pub fn is_prometheus_series(name: &str) -> bool {
    name == "up" || name.starts_with("scrape_")
}

/// How a label matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~` (fully anchored)
    Regex,
    /// `!~` (fully anchored)
    NotRegex,
}

impl fmt::Display for MatchOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        })
    }
}

/// One label matcher of a selector: `outcome="rejected"`.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatcher {
    /// The label name.
    pub label: String,
    /// The comparison.
    pub op: MatchOp,
    /// The value or regex, unquoted.
    pub value: String,
    parsed: label::Matcher,
}

impl LabelMatcher {
    fn new(parsed: &label::Matcher) -> Self {
        let op = match parsed.op {
            label::MatchOp::Equal => MatchOp::Equal,
            label::MatchOp::NotEqual => MatchOp::NotEqual,
            label::MatchOp::Re(_) => MatchOp::Regex,
            label::MatchOp::NotRe(_) => MatchOp::NotRegex,
        };
        Self {
            label: parsed.name.clone(),
            op,
            value: parsed.value.clone(),
            parsed: parsed.clone(),
        }
    }

    /// Whether a series whose label has `value` passes this matcher (regexes fully anchored, as
    /// Prometheus reads them).
    pub fn matches(&self, value: &str) -> bool {
        self.parsed.is_match(value)
    }
}

impl fmt::Display for LabelMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{:?}", self.label, self.op, self.value)
    }
}

/// One instant or range selector of a query: the metric it names and its label matchers.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The metric name; `None` when the selector names none (`{__name__=~"shop_.*"}`).
    pub metric: Option<String>,
    /// The label matchers, `__name__` matchers included when the name is not written before the
    /// braces. Matchers of `or`-ed alternatives (`{a="x" or b="y"}`) are all listed.
    pub matchers: Vec<LabelMatcher>,
}

impl Selector {
    /// Whether this selector reads family `f`: whether its metric is one of `f`'s sample names.
    pub fn reads(&self, f: &FamilyDesc) -> bool {
        self.metric
            .as_deref()
            .is_some_and(|m| f.kind.sample_names(f.name).any(|s| s == m))
    }

    /// Whether every matcher on `label` passes `value`: whether this selector can select a
    /// series whose `label` is `value`.
    pub fn admits(&self, label: &str, value: &str) -> bool {
        self.matchers
            .iter()
            .filter(|m| m.label == label)
            .all(|m| m.matches(value))
    }

    fn matchers_on(&self) -> impl Iterator<Item = &LabelMatcher> {
        self.matchers.iter().filter(|m| m.label != NAME_LABEL)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.metric.as_deref().unwrap_or(""))?;
        if !self.matchers.is_empty() {
            let m: Vec<String> = self.matchers.iter().map(ToString::to_string).collect();
            write!(f, "{{{}}}", m.join(","))?;
        }
        Ok(())
    }
}

/// The label holding the metric name in a matcher.
const NAME_LABEL: &str = "__name__";

fn parse(expr: &str) -> Result<Expr, String> {
    parser::parse(expr).map_err(|e| format!("`{expr}` does not parse: {e}"))
}

fn selector_of(v: &parser::VectorSelector) -> Selector {
    let all = |m: &Matchers| -> Vec<LabelMatcher> {
        m.matchers
            .iter()
            .chain(m.or_matchers.iter().flatten())
            .map(LabelMatcher::new)
            .collect()
    };
    let mut matchers = all(&v.matchers);
    let metric = v.name.clone().or_else(|| {
        let i = matchers
            .iter()
            .position(|m| m.label == NAME_LABEL && m.op == MatchOp::Equal)?;
        Some(matchers.remove(i).value)
    });
    Selector { metric, matchers }
}

/// Calls `f` on every selector of `e`, in the order written.
fn visit(e: &Expr, f: &mut impl FnMut(&parser::VectorSelector)) {
    match e {
        Expr::VectorSelector(v) => f(v),
        Expr::MatrixSelector(m) => f(&m.vs),
        Expr::Aggregate(a) => {
            visit(&a.expr, f);
            if let Some(p) = &a.param {
                visit(p, f);
            }
        }
        Expr::Unary(u) => visit(&u.expr, f),
        Expr::Binary(b) => {
            visit(&b.lhs, f);
            visit(&b.rhs, f);
        }
        Expr::Paren(p) => visit(&p.expr, f),
        Expr::Subquery(s) => visit(&s.expr, f),
        Expr::Call(c) => c.args.args.iter().for_each(|a| visit(a, f)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// Parses `expr` and lists its selectors in the order written.
///
/// ```
/// use promdecl_gen::promql::{selectors, MatchOp};
///
/// let s = selectors(r#"sum(rate(shop_orders_total{outcome=~"acc.*"}[5m])) / sum(rate(shop_orders_total[5m]))"#)
///     .unwrap();
/// assert_eq!(s.len(), 2);
/// assert_eq!(s[0].metric.as_deref(), Some("shop_orders_total"));
/// assert_eq!(s[0].matchers[0].op, MatchOp::Regex);
/// assert!(s[0].admits("outcome", "accepted") && !s[0].admits("outcome", "rejected"));
/// assert!(selectors("rate(x[5m]").is_err());
/// ```
pub fn selectors(expr: &str) -> Result<Vec<Selector>, String> {
    let ast = parse(expr)?;
    let mut out = Vec::new();
    visit(&ast, &mut |v| out.push(selector_of(v)));
    Ok(out)
}

/// The names a family's samples take in Prometheus: its kind's sample names, and for a native
/// histogram its own name too (the series holding the native buckets).
fn sample_names(f: &FamilyDesc) -> impl Iterator<Item = String> + '_ {
    let native = f.native.is_some().then(|| f.name.to_string());
    f.kind.sample_names(f.name).chain(native)
}

/// `histogram_quantile(q, ...)` of a histogram family over `range`, kept per `labels`: over the
/// classic `_bucket` series (by `le`), over the native series, or, for a histogram that has
/// both, the native form `or` the classic one, so it answers whether Prometheus ingests the
/// native buckets (native histograms on) or the classic ones.
pub fn quantile_query(
    f: &FamilyDesc,
    q: &str,
    labels: &[&str],
    range: &str,
    selector: impl Fn(&str) -> String,
) -> String {
    let classic = || {
        let by: Vec<&str> = [BUCKET_LABEL]
            .into_iter()
            .chain(labels.iter().copied())
            .collect();
        let rate = format!(
            "rate({}[{range}])",
            selector(&format!("{}{BUCKET_SUFFIX}", f.name))
        );
        format!("histogram_quantile({q}, {})", sum(&by, rate))
    };
    let native = || {
        let rate = format!("rate({}[{range}])", selector(f.name));
        format!("histogram_quantile({q}, {})", sum(labels, rate))
    };
    either(f, native, classic)
}

/// The parts of a histogram query over its classic series and over its native series, joined
/// as [`quantile_query`] says.
fn either(
    f: &FamilyDesc,
    native: impl FnOnce() -> String,
    classic: impl FnOnce() -> String,
) -> String {
    let has_classic = f.buckets.is_none_or(|b| !b.is_empty());
    match (f.native.is_some(), has_classic) {
        (true, true) => format!("{} or {}", native(), classic()),
        (true, false) => native(),
        _ => classic(),
    }
}

/// Observations per second of a histogram family over `range`, kept per `labels`: the rate of
/// `_count`, or `histogram_count` of the native series (see [`quantile_query`]).
pub fn count_rate_query(
    f: &FamilyDesc,
    labels: &[&str],
    range: &str,
    selector: impl Fn(&str) -> String,
) -> String {
    either(
        f,
        || {
            sum(
                labels,
                format!("histogram_count(rate({}[{range}]))", selector(f.name)),
            )
        },
        || {
            let count = selector(&format!("{}{}", f.name, promdecl_spec::COUNT_SUFFIX));
            sum(labels, format!("rate({count}[{range}])"))
        },
    )
}

/// Bucket rates for a heatmap: classic buckets by `le`, or the native series.
pub fn heatmap_query(f: &FamilyDesc, range: &str, selector: impl Fn(&str) -> String) -> String {
    either(
        f,
        || sum(&[], format!("rate({}[{range}])", selector(f.name))),
        || {
            let bucket = selector(&format!("{}{BUCKET_SUFFIX}", f.name));
            sum(&[BUCKET_LABEL], format!("rate({bucket}[{range}])"))
        },
    )
}

/// `sum by (labels) (inner)`, or `sum(inner)` without labels.
fn sum(by: &[&str], inner: String) -> String {
    match by {
        [] => format!("sum({inner})"),
        by => format!("sum by ({}) ({inner})", by.join(", ")),
    }
}

/// The query that shows family `f`: the per-second rate of a counter (summed by its labels), the
/// 95th percentile of a histogram (from its bucket sample), or the value of a gauge or info.
/// `range` is the rate window; `selector` writes the selector of a sample name (add matchers
/// there, e.g. dashboard variables).
///
/// ```
/// # use promdecl::{FamilyDesc, Kind, LabelDesc};
/// # static F: FamilyDesc = FamilyDesc { name: "rpc_seconds", kind: Kind::Histogram, help: "RPC latency",
/// #     unit: Some("seconds"), labels: &[LabelDesc { name: "method", values: None }],
/// #     buckets: Some(&[0.1, 1.0]), native: None, summary: None, max_series: None, idle_timeout: None,
/// #     note: None };
/// let q = promdecl_gen::promql::family_query(&F, "5m", |sample| format!("{sample}{{job=\"api\"}}"));
/// assert_eq!(
///     q,
///     r#"histogram_quantile(0.95, sum by (le, method) (rate(rpc_seconds_bucket{job="api"}[5m])))"#
/// );
/// ```
pub fn family_query(f: &FamilyDesc, range: &str, selector: impl Fn(&str) -> String) -> String {
    let labels: Vec<&str> = f.labels.iter().map(|l| l.name).collect();
    let by = |extra: Option<&str>| {
        let all: Vec<&str> = extra.into_iter().chain(labels.iter().copied()).collect();
        all.join(", ")
    };
    match f.kind {
        Kind::Counter if labels.is_empty() => format!("rate({}[{range}])", selector(f.name)),
        Kind::Counter => format!(
            "sum by ({}) (rate({}[{range}]))",
            by(None),
            selector(f.name)
        ),
        Kind::Histogram => quantile_query(f, "0.95", &labels, range, selector),
        // A summary's quantiles cannot be aggregated: its highest one, per series.
        Kind::Summary => summary_quantile(f, &selector),
        Kind::Gauge | Kind::Info => selector(f.name),
    }
}

/// The selector of summary `f`'s highest declared quantile: `f{...,quantile="0.99"}`.
fn summary_quantile(f: &FamilyDesc, selector: impl Fn(&str) -> String) -> String {
    let spec = f.summary.unwrap_or_default();
    let q = spec.quantiles.last().copied().unwrap_or(0.5);
    summary_quantile_query(f, q, &selector)
}

/// The selector of summary `f`'s quantile `q`, as its exposition labels it
/// (`f{...,quantile="0.99"}`).
pub fn summary_quantile_query(f: &FamilyDesc, q: f64, selector: impl Fn(&str) -> String) -> String {
    // `{:?}` writes `1.0` and `0.99`, as the exposition does.
    with_matcher(&selector(f.name), QUANTILE_LABEL, &format!("{q:?}"))
}

/// `selector` with `label="value"` added to its matchers.
fn with_matcher(selector: &str, label: &str, value: &str) -> String {
    match selector.strip_suffix('}') {
        Some(open) if open.ends_with('{') => format!("{open}{label}=\"{value}\"}}"),
        Some(open) => format!("{open},{label}=\"{value}\"}}"),
        None => format!("{selector}{{{label}=\"{value}\"}}"),
    }
}

/// [`family_query`] over 5 minutes with plain selectors: the example shown in the reference.
pub fn example_query(f: &FamilyDesc) -> String {
    family_query(f, "5m", str::to_string)
}

/// Where a checked expression comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A rule: its rule group's name and its own (alert name or recorded series).
    Rule {
        /// The rule group's name.
        group: String,
        /// The alert name or recorded series.
        name: String,
    },
    /// A generated query, described (`example query of `x``).
    Query(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Rule { group, name } => write!(f, "rule `{group}/{name}`"),
            Origin::Query(what) => f.write_str(what),
        }
    }
}

/// One problem found by [`check`]: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The rule or query it was found in.
    pub origin: Origin,
    /// What is wrong, naming the unknown name and, where one is close, the declared one.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl std::error::Error for RuleError {}

/// Checks every rule of `project` (expressions, recorded names, test input series), those of
/// its SLOs included, the example query of every family and every query of the generated
/// dashboards (panels and variables, the SLO dashboards included); all problems are returned,
/// not only the first.
pub fn check(project: &Project) -> Result<(), Vec<RuleError>> {
    let checker = Checker::new(project);
    let mut errors = Vec::new();
    let mut push = |origin: &Origin, messages: Vec<String>| {
        errors.extend(messages.into_iter().map(|message| RuleError {
            origin: origin.clone(),
            message,
        }));
    };
    for g in &project.groups {
        // Prometheus refuses a rule file with two groups of one name (two SLOs of one name
        // make two `slo-<name>` groups).
        let mut seen = std::collections::HashSet::new();
        for rules in g.rule_groups() {
            if !seen.insert(rules.name.as_str()) {
                let origin = Origin::Rule {
                    group: rules.name.clone(),
                    name: String::new(),
                };
                let message = format!(
                    "group `{}` declares the rule group `{}` twice; give each a name of its own",
                    g.name, rules.name
                );
                push(&origin, vec![message]);
            }
        }
    }
    for group in project.groups.iter().flat_map(Group::rule_groups) {
        for rule in &group.rules {
            let origin = Origin::Rule {
                group: group.name.clone(),
                name: rule.name().to_string(),
            };
            push(&origin, checker.check_rule(rule));
        }
    }
    let examples = project.families().map(|f| {
        let origin = format!("example query of `{}`", f.name);
        (origin, example_query(f))
    });
    for (origin, expr) in examples.chain(dashboard_queries(project)) {
        let messages = checker.check_expr(&expr).err().unwrap_or_default();
        push(&Origin::Query(origin), messages);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Grafana's interval variables, and what a query checked outside Grafana reads for them.
const GRAFANA_INTERVALS: [(&str, &str); 3] = [
    ("$__rate_interval", "5m"),
    ("$__interval", "1m"),
    ("$__range", "1h"),
];

/// The PromQL of every generated dashboard, described by dashboard and panel (or variable), with
/// Grafana's variables replaced as Grafana would before Prometheus sees it: intervals by
/// durations and template variables by `.*` (all values). A variable's
/// `label_values(selector, label)` reads as `count by (label) (selector)`.
fn dashboard_queries(project: &Project) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for file in dashboard::files(project)
        .into_iter()
        .chain(slo::dashboard_files(project))
    {
        let path = file.path;
        // Generated by serde_json: always JSON.
        let board: Value = serde_json::from_str(&file.contents).unwrap_or_default();
        let variables = board["templating"]["list"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut names: Vec<&str> = variables
            .iter()
            .filter_map(|v| v["name"].as_str())
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let concrete = |expr: &str| {
            let mut expr = expr.to_string();
            for (var, value) in GRAFANA_INTERVALS {
                expr = expr.replace(var, value);
            }
            for n in &names {
                expr = expr
                    .replace(&format!("${{{n}}}"), ".*")
                    .replace(&format!("${n}"), ".*");
            }
            expr
        };
        let mut targets = Vec::new();
        panel_targets(&board, &mut targets);
        for (title, expr) in targets {
            let origin = format!("dashboard `{path}` panel `{title}`");
            out.push((origin, concrete(expr)));
        }
        for v in variables.iter().filter(|v| v["type"] == "query") {
            let query = v["query"].as_str().or_else(|| v["query"]["query"].as_str());
            let label_values =
                query.and_then(|q| q.trim().strip_prefix("label_values(")?.strip_suffix(')'));
            if let Some((selector, label)) = label_values.and_then(|a| a.rsplit_once(',')) {
                let what = format!(
                    "dashboard `{path}` variable `{}`",
                    v["name"].as_str().unwrap_or_default()
                );
                out.push((
                    what,
                    format!("count by ({}) ({})", label.trim(), concrete(selector)),
                ));
            }
        }
    }
    out
}

/// The `(panel title, expr)` of every target of the panels of `parent`, rows' panels included,
/// in order.
fn panel_targets<'a>(parent: &'a Value, out: &mut Vec<(&'a str, &'a str)>) {
    for panel in parent["panels"].as_array().into_iter().flatten() {
        let title = panel["title"].as_str().unwrap_or_default();
        let targets = panel["targets"].as_array().into_iter().flatten();
        out.extend(targets.filter_map(|t| Some((title, t["expr"].as_str()?))));
        panel_targets(panel, out);
    }
}

/// The families `expr` reads, directly or through series recorded by `project`'s rules, in
/// project order; empty when it does not parse.
pub fn families_read(project: &Project, expr: &str) -> Vec<&'static FamilyDesc> {
    let records = records_by_name(project);
    let mut seen_records = BTreeSet::new();
    let mut metrics = BTreeSet::new();
    let mut pending = vec![expr.to_string()];
    while let Some(expr) = pending.pop() {
        for s in selectors(&expr).unwrap_or_default() {
            let Some(metric) = s.metric else { continue };
            if let Some(rs) = records.get(metric.as_str()) {
                if seen_records.insert(metric.clone()) {
                    pending.extend(rs.iter().map(|r| r.expr.clone()));
                }
            }
            metrics.insert(metric);
        }
    }
    project
        .families()
        .filter(|f| f.kind.sample_names(f.name).any(|s| metrics.contains(&s)))
        .collect()
}

fn records_by_name(project: &Project) -> BTreeMap<&str, Vec<&Record>> {
    let mut out: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for rule in project
        .groups
        .iter()
        .flat_map(Group::rule_groups)
        .flat_map(|g| &g.rules)
    {
        if let Rule::Record(r) = rule {
            out.entry(r.record.as_str()).or_default().push(r);
        }
    }
    out
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(word, candidates)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// The values a label may take: `None` for any value.
type Values = Option<BTreeSet<String>>;

/// The labels of a series or an expression's result, with their values; `None` when unknown
/// (anything is accepted then).
type Labels = Option<BTreeMap<String, Values>>;

fn free_form<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, Values> {
    names.into_iter().map(|n| (n.to_string(), None)).collect()
}

fn union(a: Labels, b: Labels) -> Labels {
    let (mut a, b) = (a?, b?);
    for (name, values) in b {
        let merged = match (a.remove(&name), values) {
            (Some(Some(mut x)), Some(y)) => {
                x.extend(y);
                Some(x)
            }
            (None, v) => v,
            _ => None,
        };
        a.insert(name, merged);
    }
    Some(a)
}

/// What a metric name in a selector refers to.
enum Series {
    /// A declared family's sample, and the label it carries beside the declared ones: `le` on
    /// a histogram's bucket samples, `quantile` on a summary's quantile samples.
    Family(&'static FamilyDesc, Option<&'static str>),
    /// A series recorded by a rule of the project.
    Recorded,
    /// A series Prometheus writes itself.
    Prometheus,
}

/// Checks expressions against one project's declarations and recorded series.
#[derive(Debug)]
pub struct Checker<'p> {
    families: Vec<&'static FamilyDesc>,
    records: BTreeMap<&'p str, Vec<&'p Record>>,
    /// Labels of recorded series already worked out.
    recorded: RefCell<BTreeMap<String, Labels>>,
    /// Recorded series being worked out (a cycle reads as unknown).
    resolving: RefCell<BTreeSet<String>>,
}

impl<'p> Checker<'p> {
    /// A checker for the families and recorded series of `project`.
    pub fn new(project: &'p Project) -> Self {
        Self {
            families: project.families().collect(),
            records: records_by_name(project),
            recorded: RefCell::default(),
            resolving: RefCell::default(),
        }
    }

    /// Checks one expression; the messages name each unknown metric, label or value.
    ///
    /// ```
    /// # use promdecl::{FamilyDesc, Kind, LabelDesc};
    /// # static F: FamilyDesc = FamilyDesc { name: "jobs_total", kind: Kind::Counter, help: "Jobs",
    /// #     unit: None, labels: &[LabelDesc { name: "queue", values: None }],
    /// #     buckets: None, native: None, summary: None, max_series: None,
    /// #     idle_timeout: None, note: None };
    /// use promdecl_gen::{promql::Checker, Group, Project, Section};
    ///
    /// let section = Section { title: "Jobs".into(), families: vec![&F] };
    /// let project = Project::new("Jobs", "jobs").group(Group::new("jobs", "Jobs").section(section));
    /// let checker = Checker::new(&project);
    /// assert!(checker.check_expr(r#"sum by (queue) (rate(jobs_total{queue="mail"}[5m]))"#).is_ok());
    /// let errors = checker.check_expr("sum by (queu) (rate(job_total[5m]))").unwrap_err();
    /// assert_eq!(errors, ["`job_total` is not a declared metric (did you mean `jobs_total`?)"]);
    /// ```
    pub fn check_expr(&self, expr: &str) -> Result<(), Vec<String>> {
        let ast = parse(expr).map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        self.walk(&ast, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn check_rule(&self, rule: &Rule) -> Vec<String> {
        let mut errors = Vec::new();
        if rule.expr().trim().is_empty() {
            errors.push("has no expression; set one with `.expr(...)`".to_string());
        } else if let Err(e) = self.check_expr(rule.expr()) {
            errors.extend(e);
        }
        match rule {
            Rule::Record(r) => {
                if !promdecl_spec::is_metric_name(&r.record) {
                    errors.push(format!("`{}` is not a valid metric name", r.record));
                }
                if let Some(f) = self.family_of(&r.record) {
                    errors.push(format!(
                        "records `{}`, a sample of the declared family `{}`",
                        r.record, f.0.name
                    ));
                }
            }
            Rule::Alert(a) => {
                for t in a.fires_with.iter().chain(&a.quiet_with) {
                    errors.extend(self.check_input(&t.series));
                }
            }
        }
        errors
    }

    /// A rule-test input series: one series selector, checked like any other.
    fn check_input(&self, series: &str) -> Vec<String> {
        let prefix = |m: String| format!("test input `{series}`: {m}");
        match parse(series) {
            Ok(Expr::VectorSelector(v)) => {
                let mut errors = Vec::new();
                self.selector(&v, &mut errors);
                errors.into_iter().map(prefix).collect()
            }
            Ok(_) => vec![prefix("is not a series selector".into())],
            Err(e) => vec![prefix(e)],
        }
    }

    fn family_of(&self, metric: &str) -> Option<(&'static FamilyDesc, Option<&'static str>)> {
        let f = self
            .families
            .iter()
            .copied()
            .find(|f| sample_names(f).any(|s| s == metric))?;
        let extra = match (f.kind, metric.strip_prefix(f.name)) {
            (Kind::Histogram, Some(BUCKET_SUFFIX)) => Some(BUCKET_LABEL),
            (Kind::Summary, Some("")) => Some(QUANTILE_LABEL),
            _ => None,
        };
        Some((f, extra))
    }

    fn resolve(&self, metric: &str) -> Option<Series> {
        if let Some((f, extra)) = self.family_of(metric) {
            Some(Series::Family(f, extra))
        } else if self.records.contains_key(metric) {
            Some(Series::Recorded)
        } else if is_prometheus_series(metric) {
            Some(Series::Prometheus)
        } else {
            None
        }
    }

    /// Every name a selector may use: declared samples and recorded series.
    /// Whether `metric` is the series of a native histogram (its family name).
    fn is_native(&self, metric: &str) -> bool {
        self.families
            .iter()
            .any(|f| f.native.is_some() && f.name == metric)
    }

    fn known_names(&self) -> impl Iterator<Item = String> + '_ {
        let samples = self.families.iter().flat_map(|f| sample_names(f));
        samples.chain(self.records.keys().map(|r| r.to_string()))
    }

    fn labels_of(&self, metric: &str, series: &Series) -> Labels {
        match series {
            Series::Family(f, extra) => {
                let mut labels = free_form(TARGET_LABELS.iter().copied());
                if let Some(extra) = extra {
                    labels.insert(extra.to_string(), None);
                }
                for l in f.labels {
                    let values = l.values.map(|v| v.iter().map(|s| s.to_string()).collect());
                    labels.insert(l.name.to_string(), values);
                }
                Some(labels)
            }
            Series::Prometheus => Some(free_form(TARGET_LABELS.iter().copied())),
            Series::Recorded => self.recorded_labels(metric),
        }
    }

    fn recorded_labels(&self, metric: &str) -> Labels {
        if let Some(known) = self.recorded.borrow().get(metric) {
            return known.clone();
        }
        if !self.resolving.borrow_mut().insert(metric.to_string()) {
            return None;
        }
        let mut labels: Labels = None;
        for (i, r) in self.records.get(metric).into_iter().flatten().enumerate() {
            let mut out = parse(&r.expr)
                .ok()
                .and_then(|e| self.walk(&e, &mut Vec::new()));
            if let Some(out) = &mut out {
                out.extend(
                    r.labels
                        .iter()
                        .map(|(k, v)| (k.clone(), Some([v.clone()].into()))),
                );
            }
            labels = if i == 0 { out } else { union(labels, out) };
        }
        self.resolving.borrow_mut().remove(metric);
        self.recorded
            .borrow_mut()
            .insert(metric.to_string(), labels.clone());
        labels
    }

    /// Checks a selector; returns the labels of the series it selects.
    fn selector(&self, v: &parser::VectorSelector, errors: &mut Vec<String>) -> Labels {
        let s = selector_of(v);
        let Some(metric) = s.metric.as_deref() else {
            for m in s.matchers.iter().filter(|m| m.label == NAME_LABEL) {
                if m.op == MatchOp::Regex && !self.known_names().any(|n| m.matches(&n)) {
                    errors.push(format!(
                        "`{NAME_LABEL}=~{:?}` matches no declared or recorded metric",
                        m.value
                    ));
                }
            }
            return None;
        };
        let Some(series) = self.resolve(metric) else {
            errors.push(self.unknown_metric(metric));
            return None;
        };
        let labels = self.labels_of(metric, &series)?;
        let what = match series {
            Series::Family(f, _) if f.name == metric => format!("`{metric}`"),
            Series::Family(f, _) => format!("`{metric}` (of `{}`)", f.name),
            Series::Recorded => format!("recorded series `{metric}`"),
            Series::Prometheus => format!("`{metric}`"),
        };
        for m in s.matchers_on() {
            match labels.get(&m.label) {
                None => errors.push(format!(
                    "{what} has no label `{}`{}; its labels: {}",
                    m.label,
                    did_you_mean(&m.label, labels.keys().map(String::as_str)),
                    join(labels.keys())
                )),
                Some(Some(values)) => {
                    if let Some(e) = value_error(m, values) {
                        errors.push(format!("label `{}` of `{metric}` {e}", m.label));
                    }
                }
                Some(None) => {}
            }
        }
        Some(labels)
    }

    fn unknown_metric(&self, metric: &str) -> String {
        if let Some(f) = self
            .families
            .iter()
            .find(|f| f.name == metric && f.kind == Kind::Histogram)
        {
            let samples: Vec<String> = f.kind.sample_names(f.name).collect();
            return format!(
                "`{metric}` is a histogram, which exposes only `{}`",
                samples.join("`, `")
            );
        }
        let known: Vec<String> = self.known_names().collect();
        format!(
            "`{metric}` is not a declared metric{}",
            did_you_mean(metric, known.iter().map(String::as_str))
        )
    }

    /// Checks `e`, returning the labels of its result.
    fn walk(&self, e: &Expr, errors: &mut Vec<String>) -> Labels {
        match e {
            Expr::VectorSelector(v) => self.selector(v, errors),
            Expr::MatrixSelector(m) => self.selector(&m.vs, errors),
            Expr::Aggregate(a) => {
                let inner = self.walk(&a.expr, errors);
                let param = a.param.as_deref();
                if let Some(p) = param {
                    self.walk(p, errors);
                }
                let op = a.op.to_string();
                if let Some(m) = &a.modifier {
                    let clause = match m {
                        LabelModifier::Include(_) => "by",
                        LabelModifier::Exclude(_) => "without",
                    };
                    need_labels(&inner, &m.labels().labels, clause, errors);
                }
                match op.as_str() {
                    "topk" | "bottomk" | "limitk" | "limit_ratio" => inner,
                    _ => {
                        let mut out = grouped(inner, a.modifier.as_ref());
                        if let (Some(out), "count_values", Some(Expr::StringLiteral(l))) =
                            (&mut out, op.as_str(), param)
                        {
                            out.insert(l.val.clone(), None);
                        }
                        out
                    }
                }
            }
            Expr::Unary(u) => self.walk(&u.expr, errors),
            Expr::Paren(p) => self.walk(&p.expr, errors),
            Expr::Subquery(s) => self.walk(&s.expr, errors),
            Expr::Binary(b) => self.binary(b, errors),
            Expr::Call(c) => self.call(c, errors),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Some(BTreeMap::new()),
            Expr::Extension(_) => None,
        }
    }

    fn binary(&self, b: &parser::BinaryExpr, errors: &mut Vec<String>) -> Labels {
        let lhs = self.walk(&b.lhs, errors);
        let rhs = self.walk(&b.rhs, errors);
        let scalar = |e: &Expr| e.value_type() == ValueType::Scalar;
        match (scalar(&b.lhs), scalar(&b.rhs)) {
            (true, true) => return Some(BTreeMap::new()),
            (true, false) => return rhs,
            (false, true) => return lhs,
            (false, false) => {}
        }
        let Some(m) = &b.modifier else {
            return lhs;
        };
        if let Some(matching) = &m.matching {
            let names = &matching.labels().labels;
            match matching {
                // `on` labels must be on both sides, or nothing ever matches.
                LabelModifier::Include(_) => {
                    need_labels(&lhs, names, "on", errors);
                    need_labels(&rhs, names, "on", errors);
                }
                LabelModifier::Exclude(_) => {
                    need_labels(&union(lhs.clone(), rhs.clone()), names, "ignoring", errors)
                }
            }
        }
        match &m.card {
            VectorMatchCardinality::ManyToMany if b.op.to_string() == "or" => union(lhs, rhs),
            VectorMatchCardinality::ManyToMany => lhs,
            VectorMatchCardinality::ManyToOne(include) => {
                need_labels(&rhs, &include.labels, "group_left", errors);
                union(lhs, taken(rhs, &include.labels))
            }
            VectorMatchCardinality::OneToMany(include) => {
                need_labels(&lhs, &include.labels, "group_right", errors);
                union(rhs, taken(lhs, &include.labels))
            }
            VectorMatchCardinality::OneToOne => match &m.matching {
                Some(LabelModifier::Include(on)) => taken(lhs, &on.labels),
                Some(LabelModifier::Exclude(ignoring)) => without(lhs, &ignoring.labels),
                None => lhs,
            },
        }
    }

    fn call(&self, c: &parser::Call, errors: &mut Vec<String>) -> Labels {
        let args: Vec<&Expr> = c.args.args.iter().map(|a| &**a).collect();
        let outs: Vec<Labels> = args.iter().map(|a| self.walk(a, errors)).collect();
        let string = |i: usize| match args.get(i) {
            Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
            _ => None,
        };
        let vector = args
            .iter()
            .zip(&outs)
            .find(|(a, _)| matches!(a.value_type(), ValueType::Vector | ValueType::Matrix));
        let mut out = match vector {
            Some((_, labels)) => labels.clone(),
            None => Some(BTreeMap::new()),
        };
        match c.func.name {
            "label_replace" | "label_join" => {
                let sources: Vec<String> = match c.func.name {
                    "label_replace" => string(3).into_iter().collect(),
                    _ => (3..args.len()).filter_map(string).collect(),
                };
                let sources: Vec<String> = sources.into_iter().filter(|s| !s.is_empty()).collect();
                if let Some(first) = outs.first() {
                    need_labels(first, &sources, c.func.name, errors);
                }
                if let (Some(out), Some(dst)) = (&mut out, string(1)) {
                    out.insert(dst, None);
                }
            }
            "histogram_quantile" | "histogram_fraction" => {
                let buckets = outs.last().cloned().flatten();
                // A native histogram's series hold their buckets: no `le` to keep.
                let mut native = false;
                if let Some(arg) = args.last() {
                    visit(arg, &mut |v| {
                        native |= v.name.as_deref().is_some_and(|n| self.is_native(n))
                    });
                }
                if !native
                    && buckets
                        .as_ref()
                        .is_some_and(|b| !b.contains_key(BUCKET_LABEL))
                {
                    errors.push(format!(
                        "`{}` needs bucket samples (with `{BUCKET_LABEL}`): select a histogram's `*{BUCKET_SUFFIX}` sample and keep `{BUCKET_LABEL}` when aggregating",
                        c.func.name
                    ));
                }
                out = buckets.map(|mut b| {
                    b.remove(BUCKET_LABEL);
                    b
                });
            }
            "absent" | "absent_over_time" | "info" => out = None,
            _ => {}
        }
        out
    }
}

/// The error of matcher `m` against the declared `values` of an enumerated label, if any.
fn value_error(m: &LabelMatcher, values: &BTreeSet<String>) -> Option<String> {
    let declared = || join(values);
    match m.op {
        MatchOp::Equal | MatchOp::NotEqual if !values.contains(&m.value) => Some(format!(
            "has no value `{}`; declared values: {}",
            m.value,
            declared()
        )),
        MatchOp::Regex if !values.iter().any(|v| m.matches(v)) => Some(format!(
            "has no value matching `{}`; declared values: {}",
            m.value,
            declared()
        )),
        _ => None,
    }
}

fn join<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reports each of `names` that `labels` (when known) lacks, naming the clause that uses it.
fn need_labels(labels: &Labels, names: &[String], clause: &str, errors: &mut Vec<String>) {
    let Some(labels) = labels else { return };
    for n in names
        .iter()
        .filter(|n| !labels.contains_key(*n) && *n != NAME_LABEL)
    {
        errors.push(format!(
            "`{clause}` names label `{n}`{}, which the series it applies to do not have; their labels: {}",
            did_you_mean(n, labels.keys().map(String::as_str)),
            join(labels.keys())
        ));
    }
}

/// `labels` restricted to `names` (names it lacks are kept, as any value).
fn taken(labels: Labels, names: &[String]) -> Labels {
    let labels = labels.unwrap_or_default();
    Some(
        names
            .iter()
            .map(|n| (n.clone(), labels.get(n).cloned().flatten()))
            .collect(),
    )
}

fn without(labels: Labels, names: &[String]) -> Labels {
    let mut labels = labels?;
    labels.retain(|k, _| !names.contains(k));
    Some(labels)
}

/// The labels an aggregation keeps.
fn grouped(inner: Labels, modifier: Option<&LabelModifier>) -> Labels {
    match modifier {
        None => Some(BTreeMap::new()),
        Some(LabelModifier::Include(by)) => taken(inner, &by.labels),
        Some(LabelModifier::Exclude(w)) => without(inner, &w.labels),
    }
}

#[cfg(test)]
mod tests {
    use promdecl::{Counter, Metrics};

    use super::*;
    use crate::model::Group;

    #[derive(Metrics)]
    #[metrics(prefix = "q")]
    struct Queue {
        /// Jobs finished
        #[metric(counter, labels = [queue, result = [done, failed]])]
        finished_total: Counter,
    }

    #[test]
    fn dashboard_queries_are_concrete_and_checked() {
        let project = Project::new("Q", "q").group(Group::new("q", "Q").metrics::<Queue>("Queue"));
        let queries = dashboard_queries(&project);
        assert!(
            queries.iter().any(|(o, _)| o.contains(" panel ")),
            "{queries:?}"
        );
        assert!(
            queries.iter().any(|(o, _)| o.contains(" variable ")),
            "{queries:?}"
        );
        for (origin, expr) in &queries {
            assert!(!expr.contains('$'), "{origin}: {expr}");
        }
        check(&project).unwrap();
    }

    #[test]
    fn suggestions_are_close_names_only() {
        assert_eq!(suggest("outcom", ["outcome", "payment"]), Some("outcome"));
        assert_eq!(suggest("zzz", ["outcome", "payment"]), None);
    }
}
