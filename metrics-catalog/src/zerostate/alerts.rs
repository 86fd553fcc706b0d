//! The alert rules of the document's "Alerting Rules" section, verbatim.
//!
//! Every metric they name is declared in this module: `zerostate_economic_task_errors_total`
//! and `zerostate_economic_task_duration_seconds` ([`super::tasks`]),
//! `zerostate_economic_channels_total` ([`super::payment_channels`]) and
//! `zerostate_economic_settlements_total` ([`super::settlements`]).

use crate::rules::{AlertRule, RuleGroup};

/// The rule groups of zerostate (one group, `zerostate_economic`).
pub static RULE_GROUPS: &[RuleGroup] = &[RuleGroup {
    name: "zerostate_economic",
    interval: None,
    rules: &[
        AlertRule {
            alert: "HighTaskFailureRate",
            expr: "rate(zerostate_economic_task_errors_total[5m]) > 0.1",
            for_: Some("5m"),
            labels: &[("severity", "critical")],
            annotations: &[("summary", "High task failure rate: {{ $value }}")],
        },
        AlertRule {
            alert: "PaymentChannelLeaks",
            expr: "rate(zerostate_economic_channels_total[1h]) - rate(zerostate_economic_settlements_total[1h]) > 10",
            for_: Some("1h"),
            labels: &[("severity", "warning")],
            annotations: &[("summary", "Payment channels not being settled")],
        },
        AlertRule {
            alert: "SlowTaskExecution",
            expr: "histogram_quantile(0.99, rate(zerostate_economic_task_duration_seconds_bucket[5m])) > 10",
            for_: Some("10m"),
            labels: &[("severity", "warning")],
            annotations: &[("summary", "Task execution p99 latency > 10s")],
        },
    ],
}];
