//! The service's families, registered and encoded through the re-export only.

use corp_metrics::promdecl::{Format, Registry};
use corp_service::service_metrics_labels::Method;
use corp_service::{Outcome, ServiceMetrics};

#[test]
fn families_declared_through_a_reexport_are_exposed_exactly() {
    let registry = Registry::new();
    let m = registry.register(ServiceMetrics::new()).unwrap();
    m.requests_total("/users", Method::Get, Outcome::RateLimited)
        .inc();
    m.in_flight().set(3.0);
    m.request_seconds(Method::Put).observe(0.5);
    m.build_info("1.2.3", Outcome::Served);

    let text = registry.encode(Format::Text);
    let expected = [
        "# HELP corp_requests_total Requests by route, method and outcome",
        "# TYPE corp_requests_total counter",
        // The free-form value `/users` brings every enumerated combination with it, at zero.
        "corp_requests_total{route=\"/users\",method=\"get\",outcome=\"served\"} 0",
        "corp_requests_total{route=\"/users\",method=\"get\",outcome=\"rate-limited\"} 1",
        "corp_requests_total{route=\"/users\",method=\"put\",outcome=\"served\"} 0",
        "corp_requests_total{route=\"/users\",method=\"put\",outcome=\"rate-limited\"} 0",
        "# HELP corp_in_flight Requests in flight",
        "# TYPE corp_in_flight gauge",
        "corp_in_flight 3",
        "# HELP corp_request_seconds Request latency",
        "# TYPE corp_request_seconds histogram",
        "corp_request_seconds_bucket{method=\"get\",le=\"0.1\"} 0",
        "corp_request_seconds_bucket{method=\"get\",le=\"1.0\"} 0",
        "corp_request_seconds_bucket{method=\"get\",le=\"+Inf\"} 0",
        "corp_request_seconds_sum{method=\"get\"} 0",
        "corp_request_seconds_count{method=\"get\"} 0",
        "corp_request_seconds_bucket{method=\"put\",le=\"0.1\"} 0",
        "corp_request_seconds_bucket{method=\"put\",le=\"1.0\"} 1",
        "corp_request_seconds_bucket{method=\"put\",le=\"+Inf\"} 1",
        "corp_request_seconds_sum{method=\"put\"} 0.5",
        "corp_request_seconds_count{method=\"put\"} 1",
        "# HELP corp_build_info Build information",
        "# TYPE corp_build_info gauge",
        "corp_build_info{version=\"1.2.3\",outcome=\"served\"} 1",
        // The registry's own family: the budgets of the families with a free-form label.
        "# HELP metrics_series_overflow_total Updates folded into a family's overflow series because it reached its series budget",
        "# TYPE metrics_series_overflow_total counter",
        "metrics_series_overflow_total{family=\"corp_requests_total\"} 0",
        "metrics_series_overflow_total{family=\"corp_build_info\"} 0",
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected, "{text}");
}
