//! Service-level objectives declared beside the families they measure, and what is generated
//! from them: recording rules, multi-window multi-burn-rate alerts, their `promtool` tests and a
//! dashboard.
//!
//! An [`Slo`] is a service-level indicator ([`Sli`]: which events are good or bad), an
//! objective (the fraction of good events, 0.999) over a window (30 days unless set), the
//! labels kept per SLO (`by`), a name and a description. [`Slo::builder`] checks it against the
//! families it reads when it is built: a latency threshold that is not a bucket bound, a label to
//! keep that a family does not declare, an objective outside (0, 1) are errors, not surprises
//! at query time. [`Group::slo`](crate::Group::slo) attaches it to a group.
//!
//! For each group with SLOs the generators write:
//!
//! - `docs/alerts/<group>.slo.yml` ([`layout::slo_rule_file`]): one rule group per SLO, named
//!   `slo-<name>`, with
//!   - the error ratio (bad events / all events) over each of [`WINDOWS`] and over the SLO's
//!     window, recorded as [`error_ratio_record`]`(window)` (`slo:sli_error:ratio_rate5m`, ...),
//!     one name for all SLOs, told apart by the label [`SLO_LABEL`] (`slo="<name>"`) and kept
//!     per the SLO's `by` labels;
//!   - the error budget left over the SLO window, [`BUDGET_RECORD`]: 1 when no error, 0 when
//!     the budget (`1 - objective`) is spent, negative past it;
//!   - the multi-window multi-burn-rate alerts of the Google SRE workbook (chapter "Alerting on
//!     SLOs"): [`PAGE`] when the burn rate (error ratio / budget) is above 14.4 over 1h and 5m,
//!     or above 6 over 6h and 30m; [`TICKET`] above 3 over 1d and 2h, or above 1 over 3d and
//!     6h. Labels `severity` (`page` or `ticket`) and `slo`; no `for`, the short window makes
//!     the alert stop soon after the errors do.
//! - `promtool test rules` files beside it ([`layout::slo_rule_tests`]), built from counter
//!   input the generator writes itself, each after a healthy history as long as the alert's
//!   longest window: errors at 20 times the budget rate page within the expected time (and not
//!   well before it), at 2 times they open a ticket within the expected time (and do not page),
//!   and at half the budget rate nothing fires. The page cases run at 1m, the ticket cases at
//!   10m (their shortest window is 2h), in two files since promtool has one evaluation interval
//!   per file.
//! - `docs/dashboards/<group>-slo.json` ([`layout::slo_dashboard`]): per SLO, the SLI against
//!   its objective, the budget left and the burn rate over each window.
//!
//! Every expression goes through [`promql::check`](crate::promql::check) like the declared
//! rules.
//!
//! ```
//! use promdecl::{Histogram, Metrics};
//! use promdecl_gen::slo::{family, Sli, Slo};
//! use promdecl_gen::{Group, Project};
//!
//! #[derive(Metrics)]
//! #[metrics(prefix = "api")]
//! struct Http {
//!     /// Request latency
//!     #[metric(histogram, labels = [route, code], buckets = [0.1, 0.25, 0.5, 1.0])]
//!     request_seconds: Histogram,
//! }
//!
//! let requests = family::<Http>("api_request_seconds")?;
//! let fast = Slo::builder("api-latency", Sli::latency(requests, 0.5))   // good: le="0.5"
//!     .objective(0.99)
//!     .by(["route"])
//!     .build()?;
//! let up = Slo::builder("api-availability", Sli::errors_where(requests, "code", "5.."))
//!     .objective(0.999)
//!     .build()?;
//! let project = Project::new("API", "api")
//!     .group(Group::new("api", "API").metrics::<Http>("HTTP").slo(fast).slo(up));
//! promdecl_gen::promql::check(&project).unwrap();
//!
//! // A threshold that is not a bucket bound, or a label the family does not declare, is an error.
//! let err = Slo::builder("x", Sli::latency(requests, 0.3)).build().unwrap_err();
//! assert!(err.to_string().ends_with("is not a bucket bound; the nearest are 0.25 and 0.5"));
//!
//! // The README's example ends here; the generated files:
//! let files = promdecl_gen::generate(&project);
//! let rules = &files.iter().find(|f| f.path == "docs/alerts/api.slo.yml").unwrap().contents;
//! assert!(rules.contains(r#"sum by (route) (rate(api_request_seconds_bucket{le="0.5"}[5m]))"#));
//! assert!(files.iter().any(|f| f.path == "docs/dashboards/api-slo.json"));
//! # Ok::<(), promdecl_gen::slo::SloError>(())
//! ```

mod board;
mod tests;

use std::fmt;
use std::time::Duration;

use promdecl::{FamilyDesc, Kind, Metrics};
use promdecl_spec::{BUCKET_LABEL, BUCKET_SUFFIX, COUNT_SUFFIX};
use promql_parser::util::parse_duration;

use crate::layout::{self, File};
use crate::model::{Group, Project};
use crate::rules::{Alert, Record, RuleGroup};

pub use board::dashboard;
pub use tests::test_files;

/// The windows the error ratio is recorded over (besides the SLO's own window): those the
/// burn-rate alerts read.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// The SLO window when none is set.
pub const DEFAULT_WINDOW: &str = "30d";

/// The label naming the SLO on every recorded series and alert.
pub const SLO_LABEL: &str = "slo";

/// The recorded error budget left over the SLO window: `1 - error ratio / (1 - objective)`.
pub const BUDGET_RECORD: &str = "slo:error_budget:remaining";

/// The recorded error ratio (bad events / all events) over `window`:
/// `slo:sli_error:ratio_rate<window>`.
///
/// ```
/// assert_eq!(promdecl_gen::slo::error_ratio_record("5m"), "slo:sli_error:ratio_rate5m");
/// ```
pub fn error_ratio_record(window: &str) -> String {
    format!("slo:sli_error:ratio_rate{window}")
}

/// A burn-rate alert: fires when, for any of its conditions, the burn rate is above the
/// condition's factor over both its long and its short window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnAlert {
    /// The alert name.
    pub name: &'static str,
    /// Its `severity` label.
    pub severity: &'static str,
    /// `(factor, long window, short window)`, any of which fires the alert.
    pub conditions: &'static [(f64, &'static str, &'static str)],
}

/// The fast-burn alert: 2 % of a 30-day budget in an hour, or 5 % in six hours (SRE workbook).
pub const PAGE: BurnAlert = BurnAlert {
    name: "SloErrorBudgetFastBurn",
    severity: "page",
    conditions: &[(14.4, "1h", "5m"), (6.0, "6h", "30m")],
};

/// The slow-burn alert: 10 % of a 30-day budget in a day, or all of it over 30 days at the
/// pace of the last three (SRE workbook).
pub const TICKET: BurnAlert = BurnAlert {
    name: "SloErrorBudgetSlowBurn",
    severity: "ticket",
    conditions: &[(3.0, "1d", "2h"), (1.0, "3d", "6h")],
};

/// A problem in an SLO declaration, found when it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SloError(String);

impl fmt::Display for SloError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SloError {}

/// The family `name` among those declared by the struct `M`; when there is none, the error
/// names the closest declared one.
///
/// ```
/// use promdecl::{Counter, Metrics};
///
/// #[derive(Metrics)]
/// #[metrics(prefix = "shop")]
/// struct Orders {
///     /// Orders placed
///     #[metric(counter)]
///     orders_total: Counter,
/// }
///
/// assert_eq!(promdecl_gen::slo::family::<Orders>("shop_orders_total")?.name, "shop_orders_total");
/// let err = promdecl_gen::slo::family::<Orders>("shop_order_total").unwrap_err();
/// assert_eq!(err.to_string(), "`Orders` declares no family `shop_order_total`; the closest is `shop_orders_total`");
/// # Ok::<(), promdecl_gen::slo::SloError>(())
/// ```
pub fn family<M: Metrics>(name: &str) -> Result<&'static FamilyDesc, SloError> {
    let families: &'static [FamilyDesc] = M::FAMILIES;
    if let Some(f) = families.iter().find(|f| f.name == name) {
        return Ok(f);
    }
    let owner = std::any::type_name::<M>().rsplit("::").next().unwrap_or("");
    let closest = families
        .iter()
        .min_by_key(|f| strsim::damerau_levenshtein(name, f.name));
    Err(SloError(match closest {
        Some(c) => format!(
            "`{owner}` declares no family `{name}`; the closest is `{}`",
            c.name
        ),
        None => format!("`{owner}` declares no family `{name}`; it declares none"),
    }))
}

/// What an SLO counts: which events are bad and which are all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Sli(SliKind);

#[derive(Debug, Clone, PartialEq)]
enum SliKind {
    /// Bad events are those of `family` whose `label` matches `regex`.
    ErrorsWhere {
        family: &'static FamilyDesc,
        label: String,
        regex: String,
    },
    /// Bad (or good, when `good`) events over all events, two counters.
    Ratio {
        part: &'static FamilyDesc,
        total: &'static FamilyDesc,
        good: bool,
    },
    /// Good events are observations of `histogram` at or under `threshold`.
    Latency {
        histogram: &'static FamilyDesc,
        threshold: f64,
    },
}

impl Sli {
    /// Availability from one counter or histogram split by a label: bad events are those
    /// whose `label` matches the regex `bad` (fully anchored, as Prometheus reads it), all
    /// events are all of the family's (a histogram's `_count`). E.g. `("status_code", "5..")`.
    pub fn errors_where(
        family: &'static FamilyDesc,
        label: impl Into<String>,
        bad: impl Into<String>,
    ) -> Self {
        Self(SliKind::ErrorsWhere {
            family,
            label: label.into(),
            regex: bad.into(),
        })
    }

    /// Availability from two counters: `bad` events out of `total`.
    pub fn bad_over_total(bad: &'static FamilyDesc, total: &'static FamilyDesc) -> Self {
        Self(SliKind::Ratio {
            part: bad,
            total,
            good: false,
        })
    }

    /// Availability from two counters: `good` events out of `total`.
    pub fn good_over_total(good: &'static FamilyDesc, total: &'static FamilyDesc) -> Self {
        Self(SliKind::Ratio {
            part: good,
            total,
            good: true,
        })
    }

    /// Latency: good events are observations of `histogram` at or under `threshold`, which must
    /// be one of its classic bucket bounds (good = the `_bucket{le="<threshold>"}` rate, all =
    /// the `_count` rate).
    pub fn latency(histogram: &'static FamilyDesc, threshold: f64) -> Self {
        Self(SliKind::Latency {
            histogram,
            threshold,
        })
    }

    /// The families it reads.
    pub fn families(&self) -> Vec<&'static FamilyDesc> {
        match &self.0 {
            SliKind::ErrorsWhere { family, .. } => vec![family],
            SliKind::Ratio { part, total, .. } => vec![part, total],
            SliKind::Latency { histogram, .. } => vec![histogram],
        }
    }

    /// The streams of events it reads, checked against the families.
    fn events(&self) -> Result<Events, String> {
        match &self.0 {
            SliKind::ErrorsWhere {
                family,
                label,
                regex,
            } => {
                let sample = match family.kind {
                    Kind::Counter => family.name.to_string(),
                    Kind::Histogram => format!("{}{COUNT_SUFFIX}", family.name),
                    _ => return Err(format!(
                        "`{}` is a {}; an availability SLI counts the events of a counter or a histogram",
                        family.name,
                        kind_name(family.kind)
                    )),
                };
                let declared = family.labels.iter().find(|l| l.name == label.as_str());
                let Some(declared) = declared else {
                    return Err(not_a_label(label, family));
                };
                let example = bad_example(label, regex, declared.values)?;
                Ok(Events {
                    part: Stream::new(&sample).with(label, "=~", regex, example),
                    total: Stream::new(&sample),
                    good: false,
                })
            }
            SliKind::Ratio { part, total, good } => {
                for f in [part, total] {
                    if f.kind != Kind::Counter {
                        return Err(format!(
                            "`{}` is a {}; a ratio SLI reads two counters",
                            f.name,
                            kind_name(f.kind)
                        ));
                    }
                }
                Ok(Events {
                    part: Stream::new(part.name),
                    total: Stream::new(total.name),
                    good: *good,
                })
            }
            SliKind::Latency {
                histogram,
                threshold,
            } => {
                if histogram.kind != Kind::Histogram {
                    return Err(format!(
                        "`{}` is a {}; a latency SLI reads a histogram",
                        histogram.name,
                        kind_name(histogram.kind)
                    ));
                }
                let bounds = histogram.buckets.unwrap_or(promdecl::buckets::DEFAULT);
                if !bounds.contains(threshold) {
                    return Err(not_a_bound(histogram, *threshold, bounds));
                }
                let bucket = format!("{}{BUCKET_SUFFIX}", histogram.name);
                let le = bound_text(*threshold);
                Ok(Events {
                    part: Stream::new(&bucket).with(BUCKET_LABEL, "=", &le, le.clone()),
                    total: Stream::new(&format!("{}{COUNT_SUFFIX}", histogram.name)),
                    good: true,
                })
            }
        }
    }
}

fn kind_name(kind: Kind) -> String {
    format!("{kind:?}").to_lowercase()
}

fn not_a_label(label: &str, f: &FamilyDesc) -> String {
    let labels: Vec<&str> = f.labels.iter().map(|l| l.name).collect();
    let list = if labels.is_empty() {
        "it has none".to_string()
    } else {
        format!("its labels: {}", labels.join(", "))
    };
    format!("`{label}` is not a label of `{}`; {list}", f.name)
}

/// The error for a latency threshold that is not one of `bounds`, naming the nearest ones.
fn not_a_bound(f: &FamilyDesc, threshold: f64, bounds: &[f64]) -> String {
    let below = bounds
        .iter()
        .copied()
        .filter(|b| *b < threshold)
        .reduce(f64::max);
    let above = bounds
        .iter()
        .copied()
        .filter(|b| *b > threshold)
        .reduce(f64::min);
    let nearest = match (below, above) {
        (Some(b), Some(a)) => format!("the nearest are {b} and {a}"),
        (Some(b), None) => format!("the nearest is {b}, the highest"),
        (None, Some(a)) => format!("the nearest is {a}, the lowest"),
        (None, None) => "it has no classic buckets".to_string(),
    };
    let unit = match f.unit {
        Some("seconds") => " s".to_string(),
        Some(u) => format!(" {u}"),
        None => String::new(),
    };
    format!(
        "threshold {threshold}{unit} of `{}` is not a bucket bound; {nearest}",
        f.name
    )
}

/// A bucket bound as the exposition writes it in `le`: Go's shortest float form, with `.0` on
/// whole numbers and exponents below 1e-4 and from 1e6 (`0.5`, `1.0`, `1e-05`, `1.048576e+06`).
pub fn bound_text(bound: f64) -> String {
    let abs = bound.abs();
    if abs != 0.0 && !(1e-4..1e6).contains(&abs) {
        let text = format!("{bound:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exponent),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    format!("{bound:?}")
}

/// A value of `label` matching `regex` (and the empty value not matching it: the test input's
/// good events leave the label out), for the generated tests.
fn bad_example(label: &str, regex: &str, values: Option<&[&str]>) -> Result<String, String> {
    let selector = format!("x{{{label}=~{regex:?}}}");
    let matcher = crate::promql::selectors(&selector)
        .map_err(|e| format!("the regex of `{label}`: {e}"))?
        .remove(0)
        .matchers
        .remove(0);
    if matcher.matches("") {
        return Err(format!(
            "`{label}=~{regex:?}` matches the empty value: every series without the label would be bad"
        ));
    }
    let derived = regex.split('|').next().unwrap_or(regex).replace('.', "0");
    let candidates: Vec<String> = match values {
        Some(values) => values.iter().map(|v| v.to_string()).collect(),
        None => [
            derived.as_str(),
            "500",
            "error",
            "failure",
            "failed",
            "true",
        ]
        .iter()
        .map(|v| v.to_string())
        .collect(),
    };
    candidates
        .into_iter()
        .find(|v| matcher.matches(v))
        .ok_or_else(|| {
            format!("no value of `{label}` matches `{regex}` (declared or derived for the tests)")
        })
}

/// One sample stream an SLI reads: a sample name, maybe narrowed by one matcher.
#[derive(Debug, Clone, PartialEq)]
struct Stream {
    sample: String,
    /// `(label, op, value, example)`: the matcher and the label value test input gives it.
    matcher: Option<(String, &'static str, String, String)>,
}

impl Stream {
    fn new(sample: &str) -> Self {
        Self {
            sample: sample.to_string(),
            matcher: None,
        }
    }

    fn with(mut self, label: &str, op: &'static str, value: &str, example: String) -> Self {
        self.matcher = Some((label.to_string(), op, value.to_string(), example));
        self
    }

    /// The selector in rules: `sample{label op "value"}`.
    fn selector(&self) -> String {
        match &self.matcher {
            Some((label, op, value, _)) => format!("{}{{{label}{op}{value:?}}}", self.sample),
            None => self.sample.clone(),
        }
    }

    /// A test input series of this stream with the `by` labels `kept`.
    fn input(&self, kept: &[(String, String)]) -> String {
        let example = self
            .matcher
            .iter()
            .map(|(label, _, _, example)| (label.as_str(), example.as_str()));
        let labels: Vec<String> = example
            .chain(kept.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        match labels.is_empty() {
            true => self.sample.clone(),
            false => format!("{}{{{}}}", self.sample, labels.join(",")),
        }
    }
}

/// The events of an SLI: a part (bad events, or good ones when `good`) of all events.
#[derive(Debug, Clone, PartialEq)]
struct Events {
    part: Stream,
    total: Stream,
    good: bool,
}

impl Events {
    /// The error ratio over `window`, kept per `by`.
    fn error_ratio(&self, window: &str, by: &[String]) -> String {
        let rate = |s: &Stream| sum_by(by, &format!("rate({}[{window}])", s.selector()));
        let (part, total) = (rate(&self.part), rate(&self.total));
        if self.good {
            format!("1 - {part} / {total}")
        } else {
            // No bad series yet (none has been counted) is no error, not no data.
            format!("({part} or 0 * {total}) / {total}")
        }
    }
}

fn sum_by(by: &[String], inner: &str) -> String {
    if by.is_empty() {
        format!("sum({inner})")
    } else {
        format!("sum by ({}) ({inner})", by.join(", "))
    }
}

/// A service-level objective, checked against the families it reads ([`Slo::builder`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// The declaration, checked.
    declared: SloBuilder,
    events: Events,
    rules: RuleGroup,
}

/// An [`Slo`] being declared; [`build`](SloBuilder::build) checks it.
#[derive(Debug, Clone, PartialEq)]
pub struct SloBuilder {
    name: String,
    description: String,
    sli: Sli,
    objective: f64,
    window: String,
    by: Vec<String>,
}

impl Slo {
    /// Starts declaring the SLO `name` (its `slo` label) measured by `sli`, with objective
    /// 0.99 and window [`DEFAULT_WINDOW`] until set.
    pub fn builder(name: impl Into<String>, sli: Sli) -> SloBuilder {
        SloBuilder {
            name: name.into(),
            description: String::new(),
            sli,
            objective: 0.99,
            window: DEFAULT_WINDOW.into(),
            by: Vec::new(),
        }
    }

    /// Its name: the value of its `slo` label.
    pub fn name(&self) -> &str {
        &self.declared.name
    }

    /// Its description.
    pub fn description(&self) -> &str {
        &self.declared.description
    }

    /// What it counts.
    pub fn sli(&self) -> &Sli {
        &self.declared.sli
    }

    /// The fraction of events that must be good.
    pub fn objective(&self) -> f64 {
        self.declared.objective
    }

    /// The window the objective holds over (`30d`).
    pub fn window(&self) -> &str {
        &self.declared.window
    }

    /// The labels kept per SLO.
    pub fn by(&self) -> &[String] {
        &self.declared.by
    }

    /// The error budget, `1 - objective`, as PromQL writes it (`(1 - 0.999)`).
    pub fn budget_expr(&self) -> String {
        format!("(1 - {})", self.declared.objective)
    }

    /// Its rule group, `slo-<name>`: the recording rules and the burn-rate alerts.
    pub fn rules(&self) -> &RuleGroup {
        &self.rules
    }

    /// The selector of series `record` of this SLO: `record{slo="<name>"}`.
    pub fn recorded(&self, record: &str) -> String {
        format!("{record}{{{SLO_LABEL}={:?}}}", self.declared.name)
    }

    /// The windows its error ratio is recorded over: [`WINDOWS`] and its own.
    pub fn windows(&self) -> Vec<&str> {
        let mut all: Vec<&str> = WINDOWS.to_vec();
        if !all.contains(&self.declared.window.as_str()) {
            all.push(&self.declared.window);
        }
        all
    }

    fn burn_alert(&self, alert: &BurnAlert) -> Alert {
        let budget = self.budget_expr();
        let conditions: Vec<String> = alert
            .conditions
            .iter()
            .map(|(factor, long, short)| {
                let above = |w: &str| {
                    format!(
                        "{} > {factor} * {budget}",
                        self.recorded(&error_ratio_record(w))
                    )
                };
                format!("(\n  {}\nand\n  {}\n)", above(long), above(short))
            })
            .collect();
        let spelled: Vec<String> = alert
            .conditions
            .iter()
            .map(|(factor, long, short)| format!("above {factor} over {long} and {short}"))
            .collect();
        let summary = format!(
            "SLO {} burns its error budget too fast ({})",
            self.name(),
            alert.severity
        );
        let description = format!(
            "{}Burn rate (error ratio / error budget {budget}) {}; objective {} over {}.",
            match self.description() {
                "" => String::new(),
                d => format!("{d}. "),
            },
            spelled.join(", or "),
            self.objective(),
            self.window()
        );
        Alert::new(alert.name)
            .expr(conditions.join("\nor\n"))
            .label("severity", alert.severity)
            .label(SLO_LABEL, self.name())
            .annotation("summary", summary)
            .annotation("description", description)
    }
}

impl SloBuilder {
    /// Sets the fraction of events that must be good (0.999), strictly between 0 and 1.
    pub fn objective(mut self, objective: f64) -> Self {
        self.objective = objective;
        self
    }

    /// Sets the window the objective holds over (`28d`; [`DEFAULT_WINDOW`] by default).
    pub fn window(mut self, window: impl Into<String>) -> Self {
        self.window = window.into();
        self
    }

    /// Keeps the error ratio per these labels, each a declared label of every family the SLI
    /// reads (`["endpoint"]`).
    pub fn by<L: Into<String>>(mut self, labels: impl IntoIterator<Item = L>) -> Self {
        self.by.extend(labels.into_iter().map(Into::into));
        self
    }

    /// Sets the description (shown in the alerts and the dashboard).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    /// The SLO, or what is wrong with it: a latency threshold that is not a bucket bound (naming
    /// the nearest bounds), a label that is not declared, a family of the wrong kind, an
    /// objective outside (0, 1), a window that is not a duration.
    pub fn build(self) -> Result<Slo, SloError> {
        let fail = |message: String| SloError(format!("slo `{}`: {message}", self.name));
        if self.name.trim().is_empty() {
            return Err(fail("the name is empty".into()));
        }
        if !(self.objective > 0.0 && self.objective < 1.0) {
            return Err(fail(format!(
                "objective {} is not between 0 and 1 (exclusive)",
                self.objective
            )));
        }
        parse_duration(&self.window).map_err(|e| fail(format!("window `{}`: {e}", self.window)))?;
        let events = self.sli.events().map_err(fail)?;
        for label in &self.by {
            for f in self.sli.families() {
                if label == BUCKET_LABEL || !f.labels.iter().any(|l| l.name == label.as_str()) {
                    return Err(fail(not_a_label(label, f)));
                }
            }
        }
        let mut slo = Slo {
            declared: self,
            events,
            rules: RuleGroup::new(""),
        };
        slo.rules = rule_group(&slo);
        Ok(slo)
    }
}

/// The rule group of `slo`.
fn rule_group(slo: &Slo) -> RuleGroup {
    let records = slo.windows().into_iter().map(|w| {
        Record::new(error_ratio_record(w), slo.events.error_ratio(w, slo.by()))
            .label(SLO_LABEL, slo.name())
    });
    let budget = Record::new(
        BUDGET_RECORD,
        format!(
            "1 - {} / {}",
            slo.recorded(&error_ratio_record(slo.window())),
            slo.budget_expr()
        ),
    )
    .label(SLO_LABEL, slo.name());
    let group = records
        .chain([budget])
        .fold(RuleGroup::new(format!("slo-{}", slo.name())), |g, r| {
            g.recording(r)
        });
    group
        .alert(slo.burn_alert(&PAGE))
        .alert(slo.burn_alert(&TICKET))
}

/// The SLO rule file of `group`, or `None` when it has no SLOs.
pub fn rule_file(group: &Group) -> Option<String> {
    if group.slos.is_empty() {
        return None;
    }
    // A group of the same name holding only the SLO rule groups, written like any rule file.
    let rules = group.slos.iter().map(|s| s.rules().clone());
    crate::rule_files::rule_file(&rules.fold(Group::new(group.name.as_str(), ""), Group::rules))
}

/// Every SLO file of `project`: per group with SLOs, its rule file, its `promtool` tests and
/// its dashboard.
pub fn files(project: &Project) -> Vec<File> {
    let mut out = Vec::new();
    for g in &project.groups {
        if let Some(rules) = rule_file(g) {
            out.push(File::new(layout::slo_rule_file(&g.name), rules));
            out.extend(test_files(g));
        }
    }
    out.extend(dashboard_files(project));
    out
}

/// The SLO dashboard of every group with SLOs, at [`layout::slo_dashboard`].
pub fn dashboard_files(project: &Project) -> Vec<File> {
    let with_slos = project.groups.iter().filter(|g| !g.slos.is_empty());
    with_slos
        .map(|g| {
            File::new(
                layout::slo_dashboard(&g.name),
                format!("{:#}\n", dashboard(g)),
            )
        })
        .collect()
}

/// A duration written in PromQL (`1h`), parsed.
fn duration(text: &str) -> Duration {
    parse_duration(text).unwrap_or_default()
}
