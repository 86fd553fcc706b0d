//! SHHH (secret sentinel) metrics (`chorus_shhh_*`).

use promdecl::{Counter, Metrics};

pub use shhh_labels::Severity;

/// SHHH metrics: redaction findings by rule and severity.
#[derive(Debug, Metrics)]
#[metrics(prefix = "chorus_shhh")]
pub struct Shhh {
    /// Total number of SHHH redaction findings
    #[metric(counter, labels = [rule, severity = [low, medium, high, critical]])]
    pub findings_total: Counter,
}

impl Shhh {
    /// `IncrementSHHHFindings(rule, severity, count)`.
    pub fn record_findings(&self, rule: &str, severity: Severity, count: u64) {
        self.findings_total(rule, severity).inc_by(count);
    }
}
