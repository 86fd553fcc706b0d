//! Alert rules from the seed's "Alert Rules" section (`monitoring/rules/bridge.yml`),
//! expressions, durations, labels and annotations verbatim.
//!
//! `ServiceDown` uses `up{job="chorus-bridge"}`: `up` and its `job` label are written by
//! Prometheus for every scrape target, not exposed by the bridge, so they are not declared in
//! this system.

use crate::rules::{AlertRule, RuleGroup};

/// The document's single rule group, `chorus-bridge`.
pub static RULE_GROUPS: &[RuleGroup] = &[RuleGroup {
    name: "chorus-bridge",
    interval: None,
    rules: &[
        // High error rate
        AlertRule {
            alert: "HighErrorRate",
            expr: "rate(bridge_events_failed_total[5m]) > 0.1",
            for_: Some("2m"),
            labels: &[("severity", "warning")],
            annotations: &[
                ("summary", "High error rate detected"),
                ("description", "Error rate is {{ $value }} errors/sec"),
            ],
        },
        // High latency
        AlertRule {
            alert: "HighLatency",
            expr: "histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m])) > 1",
            for_: Some("5m"),
            labels: &[("severity", "warning")],
            annotations: &[
                ("summary", "High latency detected"),
                ("description", "95th percentile latency is {{ $value }}s"),
            ],
        },
        // Service down
        AlertRule {
            alert: "ServiceDown",
            expr: "up{job=\"chorus-bridge\"} == 0",
            for_: Some("1m"),
            labels: &[("severity", "critical")],
            annotations: &[
                ("summary", "Chorus Bridge service is down"),
                (
                    "description",
                    "The Chorus Bridge service has been down for more than 1 minute",
                ),
            ],
        },
        // Database connection issues
        AlertRule {
            alert: "DatabaseConnectionIssues",
            expr: "bridge_database_connections_active == 0",
            for_: Some("1m"),
            labels: &[("severity", "critical")],
            annotations: &[
                ("summary", "Database connection issues"),
                ("description", "No active database connections"),
            ],
        },
        // Conductor communication issues
        AlertRule {
            alert: "ConductorCommunicationIssues",
            expr: "rate(bridge_conductor_requests_total{status=\"error\"}[5m]) > 0.1",
            for_: Some("2m"),
            labels: &[("severity", "warning")],
            annotations: &[
                ("summary", "Conductor communication issues"),
                ("description", "High rate of conductor request failures"),
            ],
        },
        // Circuit breaker open
        AlertRule {
            alert: "CircuitBreakerOpen",
            expr: "bridge_conductor_circuit_breaker_state == 1",
            for_: Some("1m"),
            labels: &[("severity", "warning")],
            annotations: &[
                ("summary", "Circuit breaker is open"),
                (
                    "description",
                    "Conductor circuit breaker is open for {{ $labels.client_type }}",
                ),
            ],
        },
        // High memory usage
        AlertRule {
            alert: "HighMemoryUsage",
            expr: "bridge_memory_usage_bytes / 1024 / 1024 / 1024 > 1",
            for_: Some("5m"),
            labels: &[("severity", "warning")],
            annotations: &[
                ("summary", "High memory usage"),
                ("description", "Memory usage is {{ $value }}GB"),
            ],
        },
        // Security events
        AlertRule {
            alert: "SecurityEvent",
            expr: "rate(bridge_auth_failures_total[5m]) > 10",
            for_: Some("1m"),
            labels: &[("severity", "critical")],
            annotations: &[
                ("summary", "High authentication failure rate"),
                (
                    "description",
                    "Authentication failure rate is {{ $value }} failures/sec",
                ),
            ],
        },
    ],
}];
