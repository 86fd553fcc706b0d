//! Alerting and recording rules, declared in Rust next to the families they watch.
//!
//! ```
//! use promdecl_gen::{Alert, RuleGroup};
//!
//! let group = RuleGroup::new("shop")
//!     .alert(
//!         Alert::new("CheckoutErrors")
//!             .expr(r#"sum(rate(shop_orders_total{outcome="rejected"}[5m])) > 1"#)
//!             .for_("10m")
//!             .label("severity", "warning")
//!             .annotation("summary", "More than one rejected order per second")
//!             // A series that must fire the alert and one that must not, for `promtool test rules`.
//!             .fires_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+120x20")
//!             .quiet_with(r#"shop_orders_total{payment="card",outcome="rejected"}"#, "0+30x20"),
//!     )
//!     .record("shop:orders:rate5m", "sum by (outcome) (rate(shop_orders_total[5m]))");
//! assert_eq!(group.rules.len(), 2);
//! ```

/// A named group of rules, as in a Prometheus rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleGroup {
    /// Group name.
    pub name: String,
    /// Evaluation interval, if not the global one.
    pub interval: Option<String>,
    /// Rules, in order.
    pub rules: Vec<Rule>,
}

impl RuleGroup {
    /// An empty group.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            interval: None,
            rules: Vec::new(),
        }
    }

    /// Sets the evaluation interval (`30s`).
    pub fn interval(mut self, interval: impl Into<String>) -> Self {
        self.interval = Some(interval.into());
        self
    }

    /// Adds an alerting rule.
    pub fn alert(mut self, alert: Alert) -> Self {
        self.rules.push(Rule::Alert(alert));
        self
    }

    /// Adds a recording rule: `record` is the new series' name, `expr` its PromQL.
    pub fn record(self, record: impl Into<String>, expr: impl Into<String>) -> Self {
        self.recording(Record::new(record, expr))
    }

    /// Adds a recording rule built with [`Record::new`] (to give it labels).
    pub fn recording(mut self, record: Record) -> Self {
        self.rules.push(Rule::Record(record));
        self
    }

    /// The alerting rules of the group.
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.rules.iter().filter_map(|r| match r {
            Rule::Alert(a) => Some(a),
            Rule::Record(_) => None,
        })
    }
}

/// One rule of a group.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// An alerting rule.
    Alert(Alert),
    /// A recording rule.
    Record(Record),
}

impl Rule {
    /// The rule's name: the alert name or the recorded series.
    pub fn name(&self) -> &str {
        match self {
            Rule::Alert(a) => &a.alert,
            Rule::Record(r) => &r.record,
        }
    }

    /// The PromQL expression.
    pub fn expr(&self) -> &str {
        match self {
            Rule::Alert(a) => &a.expr,
            Rule::Record(r) => &r.expr,
        }
    }
}

/// A recording rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Name of the recorded series.
    pub record: String,
    /// PromQL expression.
    pub expr: String,
    /// Labels added to the recorded series.
    pub labels: Vec<(String, String)>,
}

impl Record {
    /// Records `expr` as the series `record`.
    pub fn new(record: impl Into<String>, expr: impl Into<String>) -> Self {
        Self {
            record: record.into(),
            expr: expr.into(),
            labels: Vec::new(),
        }
    }

    /// Adds a label to the recorded series.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
}

/// An input series for a rule test, in `promtool test rules` notation.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSeries {
    /// Series selector with every label, e.g. `x_total{status="error"}`.
    pub series: String,
    /// Expanding notation of its values, one per evaluation interval, e.g. `0+10x20`.
    pub values: String,
}

/// An alerting rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Alert name.
    pub alert: String,
    /// PromQL expression.
    pub expr: String,
    /// `for:` duration, if any.
    pub for_: Option<String>,
    /// Extra labels (e.g. `severity`).
    pub labels: Vec<(String, String)>,
    /// Annotations (e.g. `summary`, `description`).
    pub annotations: Vec<(String, String)>,
    /// Input that must make the alert fire (for the generated `promtool test rules` case).
    pub fires_with: Vec<TestSeries>,
    /// Input that must leave the alert silent.
    pub quiet_with: Vec<TestSeries>,
    /// Where this rule departs from a source document: the original text and why it changed.
    pub correction: Option<Correction>,
}

/// A rule kept from a source document but corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// The source's expression, verbatim.
    pub original: String,
    /// Why it was changed.
    pub why: String,
}

impl Correction {
    /// `original` from a source, corrected because of `why`.
    pub fn new(original: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            original: original.into(),
            why: why.into(),
        }
    }
}

impl Alert {
    /// An alert named `name`; set at least its expression.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            alert: name.into(),
            expr: String::new(),
            for_: None,
            labels: Vec::new(),
            annotations: Vec::new(),
            fires_with: Vec::new(),
            quiet_with: Vec::new(),
            correction: None,
        }
    }

    /// Sets the PromQL expression.
    pub fn expr(mut self, expr: impl Into<String>) -> Self {
        self.expr = expr.into();
        self
    }

    /// Sets how long the condition must hold (`5m`).
    pub fn for_(mut self, duration: impl Into<String>) -> Self {
        self.for_ = Some(duration.into());
        self
    }

    /// Adds a label.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }

    /// Adds an annotation.
    pub fn annotation(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.push((name.into(), value.into()));
        self
    }

    /// Adds an input series under which the alert must fire. Every series given takes part in
    /// firing: the generated test expects one alert per label set the expression keeps from
    /// them (all labels for a plain selector, the `by` labels of an aggregation, none for
    /// `sum(...)`), with the rule's own labels added.
    pub fn fires_with(mut self, series: impl Into<String>, values: impl Into<String>) -> Self {
        self.fires_with.push(TestSeries {
            series: series.into(),
            values: values.into(),
        });
        self
    }

    /// Adds an input series under which the alert must stay silent.
    pub fn quiet_with(mut self, series: impl Into<String>, values: impl Into<String>) -> Self {
        self.quiet_with.push(TestSeries {
            series: series.into(),
            values: values.into(),
        });
        self
    }

    /// Records that this rule corrects `original` from a source document, and why.
    pub fn corrects(mut self, original: impl Into<String>, why: impl Into<String>) -> Self {
        self.correction = Some(Correction::new(original, why));
        self
    }
}
