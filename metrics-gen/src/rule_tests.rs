//! `promtool test rules` files: the declared test input of every alert, turned into test cases
//! for the group's rule file.
//!
//! For each [`Group`] with rules, `docs/alerts/<group>.rules.test.yml` tests
//! `<group>.rules.yml` (beside it):
//!
//! - an alert with [`fires_with`](crate::Alert::fires_with) input gets a case that expects it to
//!   fire once its `for` has elapsed and its widest range window has filled: at
//!   `for + window + interval` (within the input). The series it is expected to fire for are
//!   worked out from the input and the expression: a selector keeps the labels of the input it
//!   selects (a recorded series, those its recording rule gives the input), `sum by (l)` keeps
//!   `l`, `sum` none, binary operators match as Prometheus does, and the rule's own labels are
//!   added. Range windows count through recording rules too. **Every** `fires_with` series is taken to take part in
//!   firing: declare only input that fires.
//! - Annotations are expected verbatim when they have no templates, and with `$labels.x`
//!   substituted when that is all they use. Otherwise (say `{{ $value }}`, which only evaluation
//!   knows) promtool, which compares annotations exactly, is asked about the `ALERTS` series
//!   instead, which carries the labels but not the annotations; and when the labels cannot be
//!   worked out either (`label_replace`, `topk`), it is asked only whether the alert fires.
//! - an alert with [`quiet_with`](crate::Alert::quiet_with) input gets a case that expects no
//!   alert, both at that time and at the end of the input;
//! - alerts with neither are named in a comment at the top of the file, as untested.
//!
//! Input values are one per interval of the alert's rule group (1m unless it sets one). promtool
//! (2.42) evaluates every group of a file at its one `evaluation_interval`, whatever the group's
//! own interval, so the file uses the greatest common divisor of its groups' intervals.
//!
//! ```
//! use promdecl_gen::{rule_tests, Alert, Group, Project, RuleGroup};
//!
//! let rules = RuleGroup::new("shop").alert(
//!     Alert::new("Rejections")
//!         .expr(r#"sum by (payment) (rate(shop_orders_total{outcome="rejected"}[5m])) > 1"#)
//!         .label("severity", "warning")
//!         .fires_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+120x20")
//!         .quiet_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+30x20"),
//! );
//! let project = Project::new("Shop", "shop").group(Group::new("shop", "Shop").rules(rules));
//! let files = rule_tests::files(&project);
//! assert_eq!(files[0].path, "docs/alerts/shop.rules.test.yml");
//! assert!(files[0].contents.contains("eval_time: 6m"));
//! assert!(files[0].contents.contains("payment: card"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use promql_parser::label::Matchers;
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{self, Expr, LabelModifier, VectorMatchCardinality};
use promql_parser::util::{display_duration, parse_duration, walk_expr, ExprVisitor};
use serde_yaml::{Mapping, Value};

use crate::layout::{self, File};
use crate::model::{Group, Project};
use crate::rules::{Alert, Record, Rule, RuleGroup, TestSeries};

/// Evaluation interval of a rule group that sets none, and spacing of its test input.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// The label holding a series' metric name.
const NAME_LABEL: &str = "__name__";

/// `docs/alerts/<group>.rules.test.yml` for every group with rules: `(path, contents)`.
pub fn files(project: &Project) -> Vec<File> {
    let file = |g: &Group| Some(File::new(layout::rule_tests(&g.name), test_file(g)?));
    project.groups.iter().filter_map(file).collect()
}

/// The `promtool test rules` file of `group`, testing `<group>.rules.yml`; `None` when the group
/// has no rules (and so no rule file).
pub fn test_file(group: &Group) -> Option<String> {
    if group.rules.iter().all(|g| g.rules.is_empty()) {
        return None;
    }
    let evaluation = group
        .rules
        .iter()
        .map(interval)
        .reduce(gcd)
        .unwrap_or(DEFAULT_INTERVAL);
    let records = records(group);
    let mut tests = Vec::new();
    let mut untested = Vec::new();
    let mut notes = Vec::new();
    for rules in &group.rules {
        for alert in rules.alerts() {
            if alert.fires_with.is_empty() && alert.quiet_with.is_empty() {
                untested.push(alert.alert.as_str());
                continue;
            }
            let case = Case::new(alert, &records, interval(rules), evaluation);
            notes.extend(case.notes());
            if !alert.fires_with.is_empty() {
                tests.push(case.firing());
            }
            if !alert.quiet_with.is_empty() {
                tests.push(case.quiet());
            }
        }
    }
    let path = layout::rule_tests(&group.name);
    let mut out = format!(
        "# {}\n# run: promtool test rules {path}\n",
        layout::GENERATED
    );
    if !untested.is_empty() {
        out.push_str(&format!(
            "# untested alerts (declare `fires_with` or `quiet_with` input): {}\n",
            untested.join(", ")
        ));
    }
    for note in notes {
        out.push_str(&format!("# {note}\n"));
    }
    let file = map([
        (
            "rule_files",
            seq([layout::relative(&path, &layout::rule_file(&group.name)).into()]),
        ),
        ("evaluation_interval", display_duration(&evaluation).into()),
        ("tests", Value::Sequence(tests)),
    ]);
    out.push_str(&serde_yaml::to_string(&file).unwrap_or_default());
    Some(out)
}

/// The evaluation interval of a rule group.
fn interval(rules: &RuleGroup) -> Duration {
    rules
        .interval
        .as_deref()
        .and_then(|i| parse_duration(i).ok())
        .unwrap_or(DEFAULT_INTERVAL)
}

fn gcd(a: Duration, b: Duration) -> Duration {
    let (mut a, mut b) = (a.as_millis(), b.as_millis());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    Duration::from_millis(u64::try_from(a).unwrap_or(u64::MAX))
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut m = Mapping::new();
    for (k, v) in entries {
        m.insert(k.into(), v);
    }
    Value::Mapping(m)
}

fn seq<const N: usize>(items: [Value; N]) -> Value {
    Value::Sequence(items.into())
}

fn labels_map(labels: &Series) -> Value {
    let mut m = Mapping::new();
    for (k, v) in labels {
        m.insert(k.as_str().into(), v.as_str().into());
    }
    Value::Mapping(m)
}

/// The test cases of one alert.
struct Case<'a> {
    alert: &'a Alert,
    /// The group's recording rules, which promtool evaluates too.
    records: &'a Records<'a>,
    /// Spacing of the input values: the alert's group interval.
    interval: Duration,
    /// promtool's evaluation interval for the whole file.
    evaluation: Duration,
    /// The alert's `for`.
    hold: Duration,
    /// When the condition has held for `for` with its range windows full.
    needed: Duration,
}

impl<'a> Case<'a> {
    fn new(
        alert: &'a Alert,
        records: &'a Records<'a>,
        interval: Duration,
        evaluation: Duration,
    ) -> Self {
        let hold = alert
            .for_
            .as_deref()
            .and_then(|f| parse_duration(f).ok())
            .unwrap_or_default();
        let window = widest_window(&alert.expr, records, &mut BTreeSet::new());
        Self {
            alert,
            records,
            interval,
            evaluation,
            hold,
            needed: round_up(hold + window + interval, evaluation),
        }
    }

    /// When `input` ends: the time of its last sample.
    fn end(&self, input: &[TestSeries]) -> Duration {
        let samples = input.iter().map(|s| sample_count(&s.values)).max();
        let steps = samples.unwrap_or(1).saturating_sub(1);
        self.interval * u32::try_from(steps).unwrap_or(u32::MAX)
    }

    /// When the alert is checked on `input`: once `for` has elapsed with full windows, within the
    /// input if it is long enough, else as early as `for` allows (and a firing test fails, as it
    /// should, when that is past the input).
    fn at(&self, input: &[TestSeries]) -> Duration {
        self.needed
            .min(round_down(self.end(input), self.evaluation))
            .max(round_up(self.hold + self.interval, self.evaluation))
    }

    /// Warnings for input too short to show the alert firing (or not) after `for`.
    fn notes(&self) -> Vec<String> {
        let inputs = [
            ("firing", &self.alert.fires_with),
            ("quiet", &self.alert.quiet_with),
        ];
        inputs
            .into_iter()
            .filter(|(_, input)| !input.is_empty() && self.end(input) < self.needed)
            .map(|(what, input)| {
                format!(
                    "{}: the {what} input covers {}, less than `for` + range window + interval = {}",
                    self.alert.alert,
                    display_duration(&self.end(input)),
                    display_duration(&self.needed)
                )
            })
            .collect()
    }

    fn case(&self, name: String, input: &[TestSeries], checks: Vec<(&str, Value)>) -> Value {
        let series = input
            .iter()
            .map(|s| {
                map([
                    ("series", s.series.as_str().into()),
                    ("values", s.values.as_str().into()),
                ])
            })
            .collect();
        let mut m = Mapping::new();
        m.insert("name".into(), name.into());
        m.insert("interval".into(), display_duration(&self.interval).into());
        m.insert("input_series".into(), Value::Sequence(series));
        for (k, v) in checks {
            m.insert(k.into(), v);
        }
        Value::Mapping(m)
    }

    fn alert_test(&self, at: Duration, exp_alerts: Vec<Value>) -> Value {
        map([
            ("eval_time", display_duration(&at).into()),
            ("alertname", self.alert.alert.as_str().into()),
            ("exp_alerts", Value::Sequence(exp_alerts)),
        ])
    }

    fn firing(&self) -> Value {
        let name = format!("{} fires", self.alert.alert);
        let expected = firing_series(self.alert, self.records);
        let annotations = expected.as_ref().and_then(|series| {
            series
                .iter()
                .map(|labels| expand_all(&self.alert.annotations, labels))
                .collect::<Option<Vec<_>>>()
        });
        let check = match (expected, annotations) {
            (Some(series), Some(annotations)) => {
                let exp = series
                    .iter()
                    .zip(annotations)
                    .map(|(labels, annotations)| {
                        let mut m = Mapping::new();
                        m.insert("exp_labels".into(), labels_map(labels));
                        if !annotations.is_empty() {
                            m.insert("exp_annotations".into(), labels_map(&annotations));
                        }
                        Value::Mapping(m)
                    })
                    .collect();
                let at = self.at(&self.alert.fires_with);
                ("alert_rule_test", seq([self.alert_test(at, exp)]))
            }
            (expected, _) => ("promql_expr_test", seq([self.alerts_series(expected)])),
        };
        self.case(name, &self.alert.fires_with, vec![check])
    }

    /// A check on the `ALERTS` series: the firing alerts with exactly `series`' labels, or (when
    /// unknown) that some alert fires.
    fn alerts_series(&self, series: Option<Vec<Series>>) -> Value {
        let selector = format!(
            "ALERTS{{alertname={},alertstate=\"firing\"}}",
            quote(&self.alert.alert)
        );
        let (expr, samples) = match series {
            Some(series) => {
                let samples = series
                    .iter()
                    .map(|labels| {
                        let mut all = labels.clone();
                        all.insert("alertname".into(), self.alert.alert.clone());
                        all.insert("alertstate".into(), "firing".into());
                        let text: Vec<String> = all
                            .iter()
                            .map(|(k, v)| format!("{k}={}", quote(v)))
                            .collect();
                        format!("ALERTS{{{}}}", text.join(","))
                    })
                    .collect();
                (selector, samples)
            }
            None => (format!("max({selector})"), vec!["{}".to_string()]),
        };
        let samples = samples
            .into_iter()
            .map(|labels| map([("labels", labels.into()), ("value", 1.into())]))
            .collect();
        map([
            ("expr", expr.into()),
            (
                "eval_time",
                display_duration(&self.at(&self.alert.fires_with)).into(),
            ),
            ("exp_samples", Value::Sequence(samples)),
        ])
    }

    fn quiet(&self) -> Value {
        let name = format!("{} stays quiet", self.alert.alert);
        let input = &self.alert.quiet_with;
        let (at, end) = (self.at(input), self.end(input));
        let mut times = vec![at];
        if end > at {
            times.push(end);
        }
        let checks = times
            .into_iter()
            .map(|t| self.alert_test(t, Vec::new()))
            .collect();
        self.case(
            name,
            &self.alert.quiet_with,
            vec![("alert_rule_test", Value::Sequence(checks))],
        )
    }
}

fn round_up(d: Duration, step: Duration) -> Duration {
    let n = d.as_millis().div_ceil(step.as_millis().max(1));
    step * u32::try_from(n).unwrap_or(u32::MAX)
}

fn round_down(d: Duration, step: Duration) -> Duration {
    let n = d.as_millis() / step.as_millis().max(1);
    step * u32::try_from(n).unwrap_or(u32::MAX)
}

/// A PromQL / Go string literal.
fn quote(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// How many samples promtool's expanding notation writes: `1 2 _` is 3, `0+10x20` is 21.
fn sample_count(values: &str) -> usize {
    values
        .split_whitespace()
        .map(|token| {
            token
                .rsplit_once('x')
                .and_then(|(_, n)| n.parse::<usize>().ok())
                .map_or(1, |n| n + 1)
        })
        .sum()
}

/// The recording rules of a group, by the series they record.
type Records<'a> = BTreeMap<&'a str, Vec<&'a Record>>;

fn records(group: &Group) -> Records<'_> {
    let mut out = Records::new();
    for rule in group.rules.iter().flat_map(|g| &g.rules) {
        if let Rule::Record(r) = rule {
            out.entry(r.record.as_str()).or_default().push(r);
        }
    }
    out
}

/// The widest range window (of a range selector or subquery) in `expr`, and in the recording
/// rules of the series it reads (`seen` guards against cycles).
fn widest_window<'a>(expr: &str, records: &Records<'a>, seen: &mut BTreeSet<&'a str>) -> Duration {
    #[derive(Default)]
    struct Widest {
        range: Duration,
        names: Vec<String>,
    }
    impl ExprVisitor for Widest {
        type Error = ();
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, ()> {
            let (range, selector) = match e {
                Expr::MatrixSelector(m) => (m.range, Some(&m.vs)),
                Expr::Subquery(s) => (s.range, None),
                Expr::VectorSelector(v) => (Duration::ZERO, Some(v)),
                _ => (Duration::ZERO, None),
            };
            self.range = self.range.max(range);
            self.names.extend(selector.and_then(|v| v.name.clone()));
            Ok(true)
        }
    }
    let mut widest = Widest::default();
    if let Ok(e) = parser::parse(expr) {
        let _ = walk_expr(&mut widest, &e);
    }
    let mut range = widest.range;
    for name in &widest.names {
        if let Some((name, rules)) = records.get_key_value(name.as_str()) {
            if seen.insert(name) {
                for r in rules {
                    range = range.max(widest_window(&r.expr, records, seen));
                }
            }
        }
    }
    range
}

/// `input` with the series the recording rules record from it (as far as labels go).
fn with_recorded(input: Vec<Series>, records: &Records) -> Vec<Series> {
    let mut all: BTreeSet<Series> = input.into_iter().collect();
    // Each pass adds what rules reading the previous pass's records record; records of records
    // need at most one pass per recorded name.
    for _ in 0..=records.len() {
        let current: Vec<Series> = all.iter().cloned().collect();
        let before = all.len();
        for (name, rules) in records {
            for r in rules {
                let Ok(e) = parser::parse(&r.expr) else {
                    continue;
                };
                if let Some(Evaluated::Vector(out)) = evaluate(&e, &current) {
                    all.extend(out.into_iter().map(|mut s| {
                        s.extend(r.labels.iter().cloned());
                        s.insert(NAME_LABEL.into(), name.to_string());
                        s
                    }));
                }
            }
        }
        if all.len() == before {
            break;
        }
    }
    all.into_iter().collect()
}

/// The labels of one series.
type Series = BTreeMap<String, String>;

/// The labels of the alerts `alert` fires with its `fires_with` input: the series of its
/// expression (through the group's recording rules) plus its own labels; `None` when they cannot
/// be worked out, or come out empty (the model misses something, or the input cannot fire).
fn firing_series(alert: &Alert, records: &Records) -> Option<Vec<Series>> {
    if alert.labels.iter().any(|(_, v)| v.contains("{{")) {
        return None;
    }
    let input = alert
        .fires_with
        .iter()
        .map(|s| input_labels(&s.series))
        .collect::<Option<Vec<_>>>()?;
    let input = with_recorded(input, records);
    let Some(Evaluated::Vector(series)) = evaluate(&parser::parse(&alert.expr).ok()?, &input)
    else {
        return None;
    };
    if series.is_empty() {
        return None;
    }
    let series: BTreeSet<Series> = series
        .into_iter()
        .map(|mut s| {
            s.remove(NAME_LABEL);
            s.extend(alert.labels.iter().cloned());
            s
        })
        .collect();
    Some(series.into_iter().collect())
}

/// The labels (with `__name__`) of a test input series written as a selector.
fn input_labels(series: &str) -> Option<Series> {
    let Ok(Expr::VectorSelector(v)) = parser::parse(series) else {
        return None;
    };
    let mut labels: Series = v
        .matchers
        .matchers
        .iter()
        .map(|m| (m.name.clone(), m.value.clone()))
        .collect();
    if let Some(name) = v.name {
        labels.insert(NAME_LABEL.into(), name);
    }
    Some(labels)
}

/// `annotations` with `{{ $labels.x }}` replaced by the values in `labels`; `None` when they use
/// any other template (or a label the series lacks).
fn expand_all(annotations: &[(String, String)], labels: &Series) -> Option<Series> {
    annotations
        .iter()
        .map(|(k, v)| Some((k.clone(), expand(v, labels)?)))
        .collect()
}

fn expand(template: &str, labels: &Series) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let (action, after) = rest[start + 2..].split_once("}}")?;
        let action = action.trim();
        let label = action
            .strip_prefix("$labels.")
            .or_else(|| action.strip_prefix(".Labels."))?;
        out.push_str(labels.get(label)?);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// What an expression evaluates to, as far as labels go.
enum Evaluated {
    Scalar,
    Vector(Vec<Series>),
}

/// The series `e` returns given `input` (every comparison taken to hold); `None` when that
/// depends on values or on functions not modelled here.
fn evaluate(e: &Expr, input: &[Series]) -> Option<Evaluated> {
    if matches!(e.value_type(), ValueType::Scalar | ValueType::String) {
        return Some(Evaluated::Scalar);
    }
    let vector = |e: &Expr| match evaluate(e, input)? {
        Evaluated::Vector(v) => Some(v),
        Evaluated::Scalar => None,
    };
    let out = match e {
        Expr::VectorSelector(v) => select(v, input),
        Expr::MatrixSelector(m) => select(&m.vs, input),
        Expr::Paren(p) => vector(&p.expr)?,
        Expr::Unary(u) => vector(&u.expr)?,
        Expr::Subquery(s) => vector(&s.expr)?,
        Expr::Aggregate(a) => {
            let inner = vector(&a.expr)?;
            match a.op.to_string().as_str() {
                "sum" | "avg" | "min" | "max" | "count" | "group" | "stddev" | "stdvar"
                | "quantile" => dedup(inner.into_iter().map(|s| grouped(s, &a.modifier))),
                // Which series these keep depends on values, unless they keep all.
                "topk" | "bottomk" | "limitk" => match a.param.as_deref() {
                    Some(Expr::NumberLiteral(k)) if k.val >= inner.len() as f64 => inner,
                    _ => return None,
                },
                _ => return None,
            }
        }
        Expr::Binary(b) => {
            let lhs = evaluate(&b.lhs, input)?;
            let rhs = evaluate(&b.rhs, input)?;
            match (lhs, rhs) {
                (Evaluated::Vector(v), Evaluated::Scalar)
                | (Evaluated::Scalar, Evaluated::Vector(v)) => v,
                (Evaluated::Scalar, Evaluated::Scalar) => return Some(Evaluated::Scalar),
                (Evaluated::Vector(l), Evaluated::Vector(r)) => binary(b, l, r),
            }
        }
        Expr::Call(c) => call(c, input)?,
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => return None,
    };
    Some(Evaluated::Vector(out))
}

/// The input series a selector selects, without their metric name.
fn select(v: &parser::VectorSelector, input: &[Series]) -> Vec<Series> {
    let matches = |s: &Series| {
        let name_ok = v.name.as_ref().is_none_or(|n| s.get(NAME_LABEL) == Some(n));
        let all = |m: &Matchers| {
            m.matchers
                .iter()
                .all(|m| m.is_match(s.get(&m.name).map_or("", String::as_str)))
        };
        let or = v.matchers.or_matchers.iter().any(|alt| {
            alt.iter()
                .all(|m| m.is_match(s.get(&m.name).map_or("", String::as_str)))
        });
        name_ok && (all(&v.matchers) || or)
    };
    dedup(input.iter().filter(|s| matches(s)).map(|s| {
        let mut s = s.clone();
        s.remove(NAME_LABEL);
        s
    }))
}

fn dedup(series: impl IntoIterator<Item = Series>) -> Vec<Series> {
    let set: BTreeSet<Series> = series.into_iter().collect();
    set.into_iter().collect()
}

/// The labels an aggregation keeps of series `s`.
fn grouped(mut s: Series, modifier: &Option<LabelModifier>) -> Series {
    match modifier {
        None => Series::new(),
        Some(LabelModifier::Include(by)) => {
            s.retain(|k, _| by.labels.contains(k));
            s
        }
        Some(LabelModifier::Exclude(without)) => {
            s.retain(|k, _| !without.labels.contains(k));
            s
        }
    }
}

/// The series of `lhs <op> rhs` between two vectors, matched as Prometheus matches them.
fn binary(b: &parser::BinaryExpr, lhs: Vec<Series>, rhs: Vec<Series>) -> Vec<Series> {
    let matching = b.modifier.as_ref().and_then(|m| m.matching.as_ref());
    let signature = |s: &Series| grouped(s.clone(), &Some(matched_on(matching)));
    let card = b
        .modifier
        .as_ref()
        .map_or(&VectorMatchCardinality::OneToOne, |m| &m.card);
    let matched =
        |s: &Series, other: &[Series]| other.iter().find(|o| signature(o) == signature(s)).cloned();
    match (card, b.op.to_string().as_str()) {
        (VectorMatchCardinality::ManyToMany, "and") => lhs
            .into_iter()
            .filter(|l| matched(l, &rhs).is_some())
            .collect(),
        (VectorMatchCardinality::ManyToMany, "unless") => lhs
            .into_iter()
            .filter(|l| matched(l, &rhs).is_none())
            .collect(),
        (VectorMatchCardinality::ManyToMany, _) => {
            let extra: Vec<Series> = rhs
                .into_iter()
                .filter(|r| matched(r, &lhs).is_none())
                .collect();
            dedup(lhs.into_iter().chain(extra))
        }
        (VectorMatchCardinality::OneToOne, _) => dedup(lhs.iter().filter_map(|l| {
            matched(l, &rhs)?;
            Some(match matching {
                Some(m) => grouped(l.clone(), &Some(m.clone())),
                None => l.clone(),
            })
        })),
        (VectorMatchCardinality::ManyToOne(include), _) => dedup(
            lhs.iter()
                .filter_map(|l| Some(included(l, &matched(l, &rhs)?, include))),
        ),
        (VectorMatchCardinality::OneToMany(include), _) => dedup(
            rhs.iter()
                .filter_map(|r| Some(included(r, &matched(r, &lhs)?, include))),
        ),
    }
}

/// The modifier that keeps the labels two series are matched on: `on (l)` keeps `l`,
/// `ignoring (l)` all but `l`, and no modifier all.
fn matched_on(matching: Option<&LabelModifier>) -> LabelModifier {
    matching
        .cloned()
        .unwrap_or_else(|| LabelModifier::Exclude(promql_parser::label::Labels::new(Vec::new())))
}

/// A "many" side series with the `group_left`/`group_right` labels taken from the "one" side.
fn included(many: &Series, one: &Series, include: &promql_parser::label::Labels) -> Series {
    let mut out = many.clone();
    for l in &include.labels {
        match one.get(l) {
            Some(v) if !v.is_empty() => out.insert(l.clone(), v.clone()),
            _ => out.remove(l),
        };
    }
    out
}

/// The series a function call returns.
fn call(c: &parser::Call, input: &[Series]) -> Option<Vec<Series>> {
    let args: Vec<&Expr> = c.args.args.iter().map(|a| &**a).collect();
    let vector_args: Vec<&Expr> = args
        .iter()
        .copied()
        .filter(|a| matches!(a.value_type(), ValueType::Vector | ValueType::Matrix))
        .collect();
    let only = || match (vector_args.as_slice(), vector_args.first()) {
        ([_], Some(a)) => match evaluate(a, input)? {
            Evaluated::Vector(v) => Some(v),
            Evaluated::Scalar => None,
        },
        _ => None,
    };
    match c.func.name {
        "vector" => Some(vec![Series::new()]),
        "absent" | "absent_over_time" => {
            let v = match vector_args.first()? {
                Expr::VectorSelector(v) => v,
                Expr::MatrixSelector(m) => &m.vs,
                _ => return None,
            };
            if !select(v, input).is_empty() {
                return Some(Vec::new());
            }
            let equal = v.matchers.matchers.iter().filter(|m| {
                m.name != NAME_LABEL && matches!(m.op, promql_parser::label::MatchOp::Equal)
            });
            Some(vec![equal
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect()])
        }
        "histogram_quantile" | "histogram_fraction" => {
            Some(dedup(only()?.into_iter().map(|mut s| {
                s.remove(promdecl_spec::BUCKET_LABEL);
                s
            })))
        }
        // These rewrite labels or pick series by value.
        "label_replace" | "label_join" | "info" | "limit_ratio" => None,
        _ => only(),
    }
}
