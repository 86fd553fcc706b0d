//! semstreams' service registry over run-time families: registration from the
//! `MetricsRegistrar` trait object, updates from several threads, idempotence, conflicts,
//! invalid names, unregistration, and the generated reference; every exposition checked by
//! promtool and both Python parsers.

use std::sync::Arc;

use promdecl::{Counter, Format, Gauge, Histogram, Registry};
use promdecl_catalog::semstreams::buckets::DEF_BUCKETS;
use promdecl_catalog::semstreams::{MetricsRegistrar, Semstreams, ServiceError, ServiceRegistry};
use promdecl_gen::{markdown, Group, Project};
use tests::{find_sample, python_parse};

/// Checks an exposition with promtool (text) and Python's parsers (both formats).
fn validate(registry: &Registry) {
    tests::validate_registry(registry);
}

fn services() -> (Arc<Registry>, Arc<ServiceRegistry>) {
    let registry = Arc::new(Registry::new());
    let services = Arc::new(ServiceRegistry::new(registry.clone()));
    (registry, services)
}

/// A service as the document writes one: it takes the registrar as a dependency.
struct ApiService {
    requests: Arc<Counter>,
    connections: Arc<Gauge>,
    latency: Arc<Histogram>,
}

impl ApiService {
    fn new(metrics: Arc<dyn MetricsRegistrar>) -> Result<Self, ServiceError> {
        Ok(Self {
            requests: metrics.register_counter_vec(
                "api-service",
                "http_requests_total",
                "Total HTTP requests by status and method",
                &["status", "method"],
            )?,
            connections: metrics.register_gauge(
                "api-service",
                "active_connections",
                "Number of active client connections",
            )?,
            latency: metrics.register_histogram_vec(
                "api-service",
                "request_duration_seconds",
                "Request duration by endpoint",
                &[0.001, 0.01, 0.1, 1.0, 10.0],
                &["endpoint"],
            )?,
        })
    }

    fn handle(&self, status: &str, method: &str, endpoint: &str, seconds: f64) {
        if let Ok(s) = self.requests.get_by_values(&[status, method]) {
            s.inc();
        }
        if let Ok(s) = self.latency.get_by_values(&[endpoint]) {
            s.observe(seconds);
        }
    }
}

#[test]
fn a_service_registers_through_the_trait_object() {
    let (registry, services) = services();
    let registrar: Arc<dyn MetricsRegistrar> = services.clone();
    let api = ApiService::new(registrar).unwrap();
    api.handle("200", "GET", "/v1/items", 0.005);
    api.handle("404", "POST", "/v1/items", 0.5);
    api.connections.get_by_values(&[]).unwrap().set(3.0);

    let text = registry.encode(Format::Text);
    // Exposed under the metric name as given: no service prefix, no service label.
    assert!(
        text.contains("# TYPE http_requests_total counter\n"),
        "{text}"
    );
    assert!(text.contains("http_requests_total{status=\"200\",method=\"GET\"} 1\n"));
    assert!(text.contains("http_requests_total{status=\"404\",method=\"POST\"} 1\n"));
    assert!(text.contains("\nactive_connections 3\n"), "{text}");
    assert!(
        text.contains("request_duration_seconds_bucket{endpoint=\"/v1/items\",le=\"0.01\"} 1\n")
    );
    assert!(text.contains("request_duration_seconds_count{endpoint=\"/v1/items\"} 2\n"));
    assert!(!text.contains("api-service"), "{text}");
    validate(&registry);

    assert_eq!(
        services.registrations(),
        [
            ("api-service".to_string(), "active_connections".to_string()),
            ("api-service".into(), "http_requests_total".into()),
            ("api-service".into(), "request_duration_seconds".into()),
        ]
    );
}

#[test]
fn updates_from_four_threads_all_count() {
    let (registry, services) = services();
    std::thread::scope(|s| {
        for t in 0..4 {
            let registrar: &dyn MetricsRegistrar = &*services;
            s.spawn(move || {
                // Every thread registers (the same definitions) and updates.
                let ops = registrar
                    .register_counter_vec("worker", "operations_total", "Operations", &["shard"])
                    .unwrap();
                let took = registrar
                    .register_histogram("worker", "operation_duration_seconds", "Op time", &[])
                    .unwrap();
                let shard = format!("s{}", t % 2);
                for i in 0..1000 {
                    ops.get_by_values(&[&shard]).unwrap().inc();
                    took.get_by_values(&[])
                        .unwrap()
                        .observe(f64::from(i % 7) / 100.0);
                }
            });
        }
    });
    let text = registry.encode(Format::Text);
    assert!(
        text.contains("operations_total{shard=\"s0\"} 2000\n"),
        "{text}"
    );
    assert!(
        text.contains("operations_total{shard=\"s1\"} 2000\n"),
        "{text}"
    );
    assert!(
        text.contains("operation_duration_seconds_count 4000\n"),
        "{text}"
    );
    // No buckets given: the Go client's default buckets, as semstreams gets them.
    let bounds: Vec<f64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("operation_duration_seconds_bucket{le=\""))
        .filter_map(|l| l.split('"').next()?.parse().ok())
        .collect();
    let mut expected = DEF_BUCKETS.to_vec();
    expected.push(f64::INFINITY);
    assert_eq!(bounds, expected, "{text}");
    if let Some(parsed) = python_parse(&text, Format::Text) {
        let parsed = parsed.unwrap();
        let got = find_sample(&parsed, "operations_total", &[("shard", "s1")]);
        assert_eq!(got, Some(2000.0));
    }
    validate(&registry);
}

#[test]
fn registering_the_same_metric_again_returns_the_registered_family() {
    let (registry, services) = services();
    let a = services
        .register_counter("gateway", "api_requests_total", "Total API requests")
        .unwrap();
    a.get_by_values(&[]).unwrap().inc_by(5);
    let registrar: &dyn MetricsRegistrar = &*services;
    let b = registrar
        .register_counter("gateway", "api_requests_total", "Total API requests")
        .unwrap();
    assert!(Arc::ptr_eq(&a, &b));

    let g1 = services
        .register_gauge_vec(
            "cache-service",
            "cache_items",
            "Items in cache",
            &["cache_type"],
        )
        .unwrap();
    let g2 = services
        .register_gauge_vec(
            "cache-service",
            "cache_items",
            "Items in cache",
            &["cache_type"],
        )
        .unwrap();
    assert!(Arc::ptr_eq(&g1, &g2));
    let h1 = services
        .register_histogram("db", "query_duration_seconds", "Query time", DEF_BUCKETS)
        .unwrap();
    // Empty buckets are the default buckets: the same definition.
    let h2 = services
        .register_histogram("db", "query_duration_seconds", "Query time", &[])
        .unwrap();
    assert!(Arc::ptr_eq(&h1, &h2));

    // Values are kept, and the family is exposed once.
    let text = registry.encode(Format::Text);
    assert!(text.contains("\napi_requests_total 5\n"), "{text}");
    assert_eq!(text.matches("# TYPE api_requests_total").count(), 1);
    validate(&registry);
}

#[test]
fn a_conflicting_definition_is_an_error_naming_both() {
    let (registry, services) = services();
    services
        .register_counter_vec("gateway", "api_requests_total", "Requests", &["endpoint"])
        .unwrap();

    // The same key with other labels, help or type.
    let labels = services
        .register_counter_vec("gateway", "api_requests_total", "Requests", &["route"])
        .unwrap_err();
    assert!(
        matches!(labels, ServiceError::Conflict { .. }),
        "{labels:?}"
    );
    let msg = labels.to_string();
    for part in ["`gateway`", "`api_requests_total`", "{endpoint}", "{route}"] {
        assert!(msg.contains(part), "{msg} should name {part}");
    }
    let help = services
        .register_counter_vec("gateway", "api_requests_total", "Other", &["endpoint"])
        .unwrap_err()
        .to_string();
    assert!(
        help.contains("\"Requests\"") && help.contains("\"Other\""),
        "{help}"
    );
    let kind = services
        .register_gauge("gateway", "api_requests", "Requests")
        .map(|_| ())
        .unwrap_err();
    // Not the same key (the name differs), but `api_requests` is a name the counter takes in
    // OpenMetrics: the registry refuses it, naming both families.
    assert!(matches!(kind, ServiceError::Registry { .. }), "{kind:?}");
    let msg = kind.to_string();
    assert!(
        msg.contains("`gateway`") && msg.contains("api_requests_total"),
        "{msg}"
    );

    // Another service registering the name: "already registered", as the document's example
    // checks, naming both services.
    let other = services
        .register_counter_vec("billing", "api_requests_total", "Requests", &["endpoint"])
        .unwrap_err();
    assert_eq!(
        (other.service(), other.metric()),
        ("billing", "api_requests_total")
    );
    let msg = other.to_string();
    assert!(msg.contains("already registered"), "{msg}");
    assert!(
        msg.contains("`gateway`") && msg.contains("`billing`"),
        "{msg}"
    );

    validate(&registry);

    // A name the core semstreams metrics take. (Their seed-forced `_milliseconds` gauge fails
    // promtool's lint, so the exposition is not validated past here.)
    Semstreams::register(&registry).unwrap();
    let core = services
        .register_gauge_vec("rogue", "semstreams_service_status", "Status", &["service"])
        .unwrap_err();
    assert!(matches!(core, ServiceError::Registry { .. }), "{core:?}");
    let msg = core.to_string();
    assert!(
        msg.contains("`rogue`") && msg.contains("semstreams_service_status"),
        "{msg}"
    );
    assert!(std::error::Error::source(&core).is_some());

    // Nothing refused was registered.
    assert_eq!(
        services.registrations(),
        [("gateway".to_string(), "api_requests_total".to_string())]
    );
}

#[test]
fn an_invalid_definition_errors_with_the_rule() {
    let (registry, services) = services();
    let cases: Vec<(Result<(), ServiceError>, &str)> = vec![
        (
            services
                .register_counter("svc", "api_requests", "Requests")
                .map(drop),
            "must end in `_total`",
        ),
        (
            services
                .register_gauge("svc", "1st_gauge", "A gauge")
                .map(drop),
            "invalid metric name",
        ),
        (
            services
                .register_gauge("svc", "queue-depth", "Queue depth")
                .map(drop),
            "invalid metric name",
        ),
        (
            services
                .register_gauge_vec("svc", "queue_depth", "Queue depth", &["queue-name"])
                .map(drop),
            "invalid label name",
        ),
        (
            services.register_gauge("svc", "queue_depth", " ").map(drop),
            "empty help",
        ),
        (
            services
                .register_histogram_vec("svc", "wait_seconds", "Wait", &[], &["le"])
                .map(drop),
            "reserved",
        ),
        (
            services
                .register_histogram("svc", "wait_seconds", "Wait", &[1.0, 0.5])
                .map(drop),
            "strictly increasing",
        ),
        (
            services
                .register_gauge("svc", "items_total", "Items")
                .map(drop),
            "ends in `_total`",
        ),
    ];
    for (result, rule) in cases {
        let err = result.expect_err(rule);
        // A name outside the legacy grammar is a valid definition that this registry (not
        // built with `utf8_names()`) refuses.
        let refused_name = rule == "invalid metric name";
        assert!(
            matches!(err, ServiceError::Invalid { .. })
                || (refused_name && matches!(err, ServiceError::Registry { .. })),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains(rule), "{msg:?} should name {rule:?}");
        assert!(msg.starts_with("service `svc` cannot register `"), "{msg}");
    }
    assert!(services.registrations().is_empty());
    assert!(registry.encode(Format::Text).trim().is_empty());
}

#[test]
fn unregister_says_whether_it_existed_and_the_series_leave() {
    let (registry, services) = services();
    let requests = services
        .register_counter_vec("gateway", "api_requests_total", "Requests", &["endpoint"])
        .unwrap();
    requests.get_by_values(&["/v1"]).unwrap().inc();
    let status = services
        .register_gauge("gateway", "upstream_up", "Whether the upstream answers")
        .unwrap();
    status.get_by_values(&[]).unwrap().set(1.0);
    assert!(registry
        .encode(Format::Text)
        .contains("api_requests_total{endpoint=\"/v1\"} 1\n"));
    validate(&registry);

    // Only the owner's key unregisters it.
    let registrar: &dyn MetricsRegistrar = &*services;
    assert!(!registrar.unregister("billing", "api_requests_total"));
    assert!(registrar.unregister("gateway", "api_requests_total"));
    assert!(!registrar.unregister("gateway", "api_requests_total"));
    for format in [Format::Text, Format::OpenMetrics] {
        let out = registry.encode(format);
        assert!(!out.contains("api_requests_total"), "{out}");
        assert!(out.contains("upstream_up"), "{out}");
    }
    validate(&registry);

    // Free again: another service, or another definition, takes it, starting from zero.
    let billing = services
        .register_counter_vec(
            "billing",
            "api_requests_total",
            "Billing requests",
            &["plan"],
        )
        .unwrap();
    assert!(!Arc::ptr_eq(&requests, &billing));
    billing.get_by_values(&["pro"]).unwrap().inc();
    let text = registry.encode(Format::Text);
    assert!(
        text.contains("api_requests_total{plan=\"pro\"} 1\n"),
        "{text}"
    );
    assert!(!text.contains("endpoint"), "{text}");
    validate(&registry);

    assert!(services.unregister("gateway", "upstream_up"));
    assert!(services.unregister("billing", "api_requests_total"));
    assert!(services.registrations().is_empty());
    assert!(registry.encode(Format::Text).trim().is_empty());
}

#[test]
fn registered_service_metrics_appear_in_the_generated_reference() {
    let (_registry, services) = services();
    services
        .register_counter_vec(
            "api-service",
            "http_requests_total",
            "Total HTTP requests by status and method",
            &["status", "method"],
        )
        .unwrap();
    services
        .register_histogram(
            "database-service",
            "query_duration_seconds",
            "Time spent executing queries",
            DEF_BUCKETS,
        )
        .unwrap();

    let page = |services: &ServiceRegistry| {
        let mut group = Group::new("semstreams-services", "semstreams service metrics");
        group.sections = services.sections();
        let project = Project::new("Metrics", "semstreams").group(group.clone());
        markdown::page(&project, &group)
    };
    let doc = page(&services);
    for part in [
        "## api-service",
        "## database-service",
        "### `http_requests_total`",
        "Total HTTP requests by status and method",
        "`status`, `method`",
        "### `query_duration_seconds`",
        "Time spent executing queries",
    ] {
        assert!(doc.contains(part), "{part} in\n{doc}");
    }

    // Unregistered: gone from the reference too.
    assert!(services.unregister("api-service", "http_requests_total"));
    let doc = page(&services);
    assert!(!doc.contains("http_requests_total"), "{doc}");
    assert!(!doc.contains("## api-service"), "{doc}");
    assert!(doc.contains("### `query_duration_seconds`"), "{doc}");
}
