//! Alert rules, declared next to the families they watch.

/// One Prometheus alerting rule, as its source document gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRule {
    /// Alert name.
    pub alert: &'static str,
    /// PromQL expression, verbatim.
    pub expr: &'static str,
    /// `for:` duration, if any.
    pub for_: Option<&'static str>,
    /// Extra labels (e.g. `severity`).
    pub labels: &'static [(&'static str, &'static str)],
    /// Annotations (e.g. `summary`, `description`).
    pub annotations: &'static [(&'static str, &'static str)],
}

/// A named group of rules, as in a Prometheus rule file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleGroup {
    /// Group name.
    pub name: &'static str,
    /// Evaluation interval, if the document sets one.
    pub interval: Option<&'static str>,
    /// Rules of the group.
    pub rules: &'static [AlertRule],
}
