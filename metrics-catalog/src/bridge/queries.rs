//! The PromQL queries of the Chorus Bridge monitoring guide's Grafana dashboards ("Grafana
//! Dashboards › Main Dashboard" and "› Security Dashboard"), one per panel target, in document
//! order, each titled by its panel title and, where a panel has several targets, the target's
//! legend. All are kept as the document writes them. The guide's alert rules are in
//! [`super::alerts`].

use crate::queries::Query;

const MAIN: &str = "Grafana Dashboards › Main Dashboard";
const SECURITY: &str = "Grafana Dashboards › Security Dashboard";

/// The dashboard queries of the Chorus Bridge guide, in document order.
pub fn queries() -> Vec<Query> {
    vec![
        Query::new(
            MAIN,
            "Request Rate",
            "rate(bridge_events_received_total[5m])",
        ),
        Query::new(MAIN, "Error Rate", "rate(bridge_events_failed_total[5m])"),
        Query::new(
            MAIN,
            "Response Time: 95th percentile",
            "histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m]))",
        ),
        Query::new(
            MAIN,
            "Response Time: 50th percentile",
            "histogram_quantile(0.50, rate(bridge_request_duration_seconds_bucket[5m]))",
        ),
        Query::new(
            MAIN,
            "Conductor Health: Requests/sec",
            "rate(bridge_conductor_requests_total[5m])",
        ),
        Query::new(
            MAIN,
            "Conductor Health: 95th percentile latency",
            "histogram_quantile(0.95, rate(bridge_conductor_latency_seconds_bucket[5m]))",
        ),
        Query::new(
            MAIN,
            "Circuit Breaker Status",
            "bridge_conductor_circuit_breaker_state",
        ),
        Query::new(
            MAIN,
            "Database Connections: Active connections",
            "bridge_database_connections_active",
        ),
        Query::new(
            MAIN,
            "Database Connections: Idle connections",
            "bridge_database_connections_idle",
        ),
        Query::new(
            SECURITY,
            "Authentication Failures",
            "rate(bridge_auth_failures_total[5m])",
        ),
        Query::new(
            SECURITY,
            "Rate Limit Violations",
            "rate(bridge_rate_limit_violations_total[5m])",
        ),
        Query::new(
            SECURITY,
            "Signature Verification Failures",
            "rate(bridge_signature_failures_total[5m])",
        ),
        Query::new(SECURITY, "Blacklist Size", "bridge_blacklist_size"),
        Query::new(SECURITY, "Trust Store Size", "bridge_trust_store_size"),
    ]
}
