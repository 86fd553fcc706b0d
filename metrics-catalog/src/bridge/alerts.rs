//! Alert rules from the seed's "Alert Rules" section (`monitoring/rules/bridge.yml`), each with
//! input that must fire it and input that must not (for the generated `promtool test rules`
//! cases; values are one per minute, the default interval).
//!
//! Expressions, durations, labels and annotations are verbatim. One name is not: the seed's
//! `HighMemoryUsage` is also the name of a CHORUS alert, and the seed's own Alertmanager routes
//! by `alertname` alone, so the two would be grouped and notified as one; it is
//! `BridgeHighMemoryUsage` here, with the seed's name noted beside it.
//!
//! `ServiceDown` uses `up{job="chorus-bridge"}`: `up` and its `job` label are written by
//! Prometheus for every scrape target, not exposed by the bridge, so they are not declared in
//! this system. `chorus-bridge` is the seed's own scrape job (its `monitoring/prometheus.yml`).

use promdecl_gen::{Alert, RuleGroup};

use super::buckets::PROMETHEUS_CLIENT_DEFAULT;
use crate::rule_input::{observations, HistogramInput};

/// The name the seed gives `BridgeHighMemoryUsage`.
pub const HIGH_MEMORY_ORIGINAL_NAME: &str = "HighMemoryUsage";

/// The document's single rule group, `chorus-bridge`.
pub fn rules() -> Vec<RuleGroup> {
    let request = r#"method="POST",endpoint="/inbox",status_code="202""#;
    let memory = "bridge_memory_usage_bytes / 1024 / 1024 / 1024 > 1";
    let failed_events =
        r#"bridge_events_failed_total{error_type="timeout",stage_instance="stage-1"}"#;
    let conductor_errors =
        r#"bridge_conductor_requests_total{method="GET",status="error",endpoint="/trust"}"#;
    let breaker =
        r#"bridge_conductor_circuit_breaker_state{client_type="conductor",endpoint="/trust"}"#;
    vec![RuleGroup::new("chorus-bridge")
        // High error rate
        .alert(
            Alert::new("HighErrorRate")
                .expr("rate(bridge_events_failed_total[5m]) > 0.1")
                .for_("2m")
                .label("severity", "warning")
                .annotation("summary", "High error rate detected")
                .annotation("description", "Error rate is {{ $value }} errors/sec")
                // 0.2 failed events a second, then 0.05.
                .fires_with(failed_events, "0+12x10")
                .quiet_with(failed_events, "0+3x10"),
        )
        // High latency
        .alert(
            Alert::new("HighLatency")
                .expr(
                    "histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m])) > 1",
                )
                .for_("5m")
                .label("severity", "warning")
                .annotation("summary", "High latency detected")
                .annotation("description", "95th percentile latency is {{ $value }}s")
                // Every request takes 2 s, then 0.2 s.
                .fires_with_observations(observations(
                    "bridge_request_duration_seconds",
                    request,
                    PROMETHEUS_CLIENT_DEFAULT,
                    2.0,
                    10,
                    15,
                ))
                .quiet_with_observations(observations(
                    "bridge_request_duration_seconds",
                    request,
                    PROMETHEUS_CLIENT_DEFAULT,
                    0.2,
                    10,
                    15,
                )),
        )
        // Service down
        .alert(
            Alert::new("ServiceDown")
                .expr("up{job=\"chorus-bridge\"} == 0")
                .for_("1m")
                .label("severity", "critical")
                .annotation("summary", "Chorus Bridge service is down")
                .annotation(
                    "description",
                    "The Chorus Bridge service has been down for more than 1 minute",
                )
                .fires_with(r#"up{job="chorus-bridge",instance="bridge:9090"}"#, "0x5")
                .quiet_with(r#"up{job="chorus-bridge",instance="bridge:9090"}"#, "1x5"),
        )
        // Database connection issues
        .alert(
            Alert::new("DatabaseConnectionIssues")
                .expr("bridge_database_connections_active == 0")
                .for_("1m")
                .label("severity", "critical")
                .annotation("summary", "Database connection issues")
                .annotation("description", "No active database connections")
                .fires_with("bridge_database_connections_active", "0x5")
                .quiet_with("bridge_database_connections_active", "5x5"),
        )
        // Conductor communication issues
        .alert(
            Alert::new("ConductorCommunicationIssues")
                .expr("rate(bridge_conductor_requests_total{status=\"error\"}[5m]) > 0.1")
                .for_("2m")
                .label("severity", "warning")
                .annotation("summary", "Conductor communication issues")
                .annotation("description", "High rate of conductor request failures")
                // 0.2 failed requests a second, then 0.05; successes are not selected.
                .fires_with(conductor_errors, "0+12x10")
                .quiet_with(conductor_errors, "0+3x10")
                .quiet_with(
                    r#"bridge_conductor_requests_total{method="GET",status="ok",endpoint="/trust"}"#,
                    "0+600x10",
                ),
        )
        // Circuit breaker open
        .alert(
            Alert::new("CircuitBreakerOpen")
                .expr("bridge_conductor_circuit_breaker_state == 1")
                .for_("1m")
                .label("severity", "warning")
                .annotation("summary", "Circuit breaker is open")
                .annotation(
                    "description",
                    "Conductor circuit breaker is open for {{ $labels.client_type }}",
                )
                .fires_with(breaker, "1x5")
                // Half-open (2) is not open.
                .quiet_with(breaker, "2x5"),
        )
        // High memory usage
        .alert(
            Alert::new("BridgeHighMemoryUsage")
                .expr(memory)
                .for_("5m")
                .label("severity", "warning")
                .annotation("summary", "High memory usage")
                .annotation("description", "Memory usage is {{ $value }}GB")
                // 2 GiB, then 512 MiB.
                .fires_with("bridge_memory_usage_bytes", "2147483648x10")
                .quiet_with("bridge_memory_usage_bytes", "536870912x10")
                .corrects(
                    memory,
                    format!(
                        "Renamed from the seed's `{HIGH_MEMORY_ORIGINAL_NAME}`: CHORUS's rules have an \
                         alert of that name too, and the seed's Alertmanager groups by \
                         `alertname` only, so the bridge's and a CHORUS node's memory alerts would \
                         be merged into one notification."
                    ),
                ),
        )
        // Security events
        .alert(
            Alert::new("SecurityEvent")
                .expr("rate(bridge_auth_failures_total[5m]) > 10")
                .for_("1m")
                .label("severity", "critical")
                .annotation("summary", "High authentication failure rate")
                .annotation(
                    "description",
                    "Authentication failure rate is {{ $value }} failures/sec",
                )
                // 15 failures a second, then 1.
                .fires_with("bridge_auth_failures_total", "0+900x10")
                .quiet_with("bridge_auth_failures_total", "0+60x10"),
        )]
}
