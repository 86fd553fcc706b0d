//! The router without a socket: status codes, content negotiation, readiness, credentials,
//! limits and configuration checks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use promdecl::{Counter, Metrics, Registry};
use promdecl_server::{router, AppState, Check, Config};
use tower::ServiceExt;

#[derive(Debug, Metrics)]
struct Demo {
    /// Things done
    #[metric(counter, labels = [kind = [a, b]])]
    things_total: Counter,
}

fn state() -> AppState {
    let registry = Arc::new(Registry::new());
    registry
        .register(Demo::new())
        .unwrap()
        .things_total(demo_labels::Kind::B)
        .inc();
    AppState::new(registry, Config::default())
}

async fn call(
    state: &AppState,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, header::HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn metrics_negotiates_text_and_openmetrics() {
    let s = state();
    let (status, headers, body) = call(&s, Method::GET, "/metrics", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
    );
    assert!(body.contains("things_total{kind=\"b\"} 1\n"));
    let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    let (_, headers, body) = call(&s, Method::GET, "/metrics", &[("accept", accept)]).await;
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
    );
    assert!(
        body.starts_with("# TYPE things counter\n") && body.ends_with("# EOF\n"),
        "{body}"
    );
}

#[tokio::test]
async fn metrics_is_gzipped_when_allowed() {
    let s = state();
    let (_, headers, _) = call(&s, Method::GET, "/metrics", &[("accept-encoding", "gzip")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn health_is_ok_text_or_json() {
    let s = state();
    let (status, _, body) = call(&s, Method::GET, "/health", &[]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "OK"));
    let (_, _, body) = call(
        &s,
        Method::GET,
        "/health",
        &[("accept", "application/json")],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "healthy");
    // RFC 3339 in UTC, seconds: `2024-01-15T10:30:00Z`.
    let ts = json["timestamp"].as_str().unwrap();
    let parsed = humantime::parse_rfc3339(ts).unwrap();
    assert!(ts.len() == 20 && ts.ends_with('Z'), "{ts}");
    let age = std::time::SystemTime::now().duration_since(parsed).unwrap();
    assert!(age.as_secs() < 60, "{ts} is now");
}

#[tokio::test]
async fn wrong_method_is_405_and_unknown_path_404() {
    let s = state();
    assert_eq!(
        call(&s, Method::POST, "/metrics", &[]).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        call(&s, Method::GET, "/nope", &[]).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn readiness_flips_on_a_critical_check_only() {
    let s = state();
    let db_up = Arc::new(AtomicBool::new(true));
    let flag = db_up.clone();
    s.readiness.add(Check::new("database", true, move || {
        if flag.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err("connection refused".into())
        }
    }));
    s.readiness
        .add(Check::new("cache", false, || Err("cold".into())));
    let (status, _, body) = call(&s, Method::GET, "/ready", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    db_up.store(false, Ordering::Relaxed);
    let (status, _, body) = call(&s, Method::GET, "/ready", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("connection refused"), "{body}");
    db_up.store(true, Ordering::Relaxed);
    assert_eq!(call(&s, Method::GET, "/ready", &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn basic_auth_guards_every_data_endpoint_but_not_health() {
    let registry = Arc::new(Registry::new());
    let auth = promdecl_server::Auth::Basic {
        user: "prom".into(),
        password: "pa:ss".into(),
    };
    let s = AppState::new(
        registry,
        Config {
            auth: Some(auth),
            metrics_path: "/custom".into(),
            ..Config::default()
        },
    );
    for path in ["/custom", "/", "/ready", "/api/families"] {
        let (status, headers, _) = call(&s, Method::GET, path, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        // "prom:pa:ss" in base64, padded, unpadded, any case of the scheme.
        for good in [
            "Basic cHJvbTpwYTpzcw==",
            "basic cHJvbTpwYTpzcw",
            "BASIC   cHJvbTpwYTpzcw==",
        ] {
            let (status, _, _) = call(&s, Method::GET, path, &[("authorization", good)]).await;
            assert_eq!(status, StatusCode::OK, "{path} with {good}");
        }
        // "prom:pass".
        let (status, _, _) = call(
            &s,
            Method::GET,
            path,
            &[("authorization", "Basic cHJvbTpwYXNz")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(
        call(&s, Method::GET, "/metrics", &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&s, Method::GET, "/health", &[]).await.0,
        StatusCode::OK
    );
}

fn bearer_state(protect_health: bool) -> AppState {
    AppState::new(
        Arc::new(Registry::new()),
        Config {
            auth: Some(promdecl_server::Auth::Bearer("s3cr3t".into())),
            protect_health,
            ..Config::default()
        },
    )
}

#[tokio::test]
async fn bearer_auth_guards_every_data_endpoint_with_any_case_of_the_scheme() {
    let s = bearer_state(false);
    for path in ["/", "/metrics", "/ready", "/api/families"] {
        let (status, headers, body) = call(&s, Method::GET, path, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        assert!(!body.contains("s3cr3t"));
        for good in ["Bearer s3cr3t", "bearer s3cr3t", "BEARER s3cr3t"] {
            let (status, _, _) = call(&s, Method::GET, path, &[("authorization", good)]).await;
            assert_eq!(status, StatusCode::OK, "{path} with {good}");
        }
        for bad in ["Bearer s3cr3", "Bearer s3cr3tt", "Basic s3cr3t", "s3cr3t"] {
            let (status, _, _) = call(&s, Method::GET, path, &[("authorization", bad)]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with {bad}");
        }
    }
    assert_eq!(
        call(&s, Method::GET, "/health", &[]).await.0,
        StatusCode::OK,
        "/health stays open by default"
    );
}

#[tokio::test]
async fn protect_health_guards_health_too() {
    let s = bearer_state(true);
    assert_eq!(
        call(&s, Method::GET, "/health", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(
            &s,
            Method::GET,
            "/health",
            &[("authorization", "Bearer s3cr3t")]
        )
        .await
        .0,
        StatusCode::OK
    );
    // Unknown paths stay 404, credentials or not.
    assert_eq!(
        call(&s, Method::GET, "/nope", &[]).await.0,
        StatusCode::NOT_FOUND
    );
}

/// State with request metrics, and the registry they are in.
fn metered(config: Config) -> (Arc<Registry>, AppState) {
    let registry = Arc::new(Registry::new());
    let http = registry
        .register(promdecl_server::HttpMetrics::new())
        .unwrap();
    let state = AppState::new(registry.clone(), config).with_http_metrics(http);
    (registry, state)
}

/// Asserts that the registry's text exposition has `line`.
fn assert_exposes(registry: &Registry, line: &str) {
    let text = registry.encode(promdecl::Format::Text);
    assert!(
        text.contains(&format!("{line}\n")),
        "no `{line}` in:\n{text}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_counted() {
    let (registry, s) = metered(Config {
        max_body_bytes: 1024,
        ..Config::default()
    });
    for (method, length, want) in [
        (Method::POST, 2048, StatusCode::PAYLOAD_TOO_LARGE),
        (Method::GET, 10, StatusCode::OK),
    ] {
        let req = Request::builder()
            .method(method)
            .uri("/health")
            .header(header::CONTENT_LENGTH, length)
            .body(Body::from(vec![b'x'; length]))
            .unwrap();
        let resp = router(s.clone()).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), want, "{length} bytes");
    }
    assert_exposes(
        &registry,
        r#"http_server_requests_total{method="POST",route="/health",status="413"} 1"#,
    );
}

#[tokio::test]
async fn a_request_past_the_timeout_is_408_and_counted() {
    let (registry, s) = metered(Config {
        request_timeout: std::time::Duration::from_millis(50),
        ..Config::default()
    });
    s.readiness
        .add(Check::new_async("stuck", true, std::future::pending));
    let (status, _, _) = call(&s, Method::GET, "/ready", &[]).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_exposes(
        &registry,
        r#"http_server_requests_total{method="GET",route="/ready",status="408"} 1"#,
    );
}

#[tokio::test]
async fn q_zero_refuses_a_format_and_refusing_all_is_406() {
    let s = state();
    let text = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";
    let om = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";
    for (accept, want) in [
        ("application/openmetrics-text;q=0, */*", Some(text)),
        ("text/plain;q=0, */*", Some(om)),
        (
            "TEXT/PLAIN;Q=0, Application/OpenMetrics-Text;q=0.1",
            Some(om),
        ),
        (
            "text/plain;q=0.5, application/openmetrics-text;version=1.0.0",
            Some(om),
        ),
        ("application/json", Some(text)),
        ("*/*;q=0", None),
        ("text/plain;q=0, application/openmetrics-text;q=0", None),
    ] {
        let (status, headers, _) = call(&s, Method::GET, "/metrics", &[("accept", accept)]).await;
        match want {
            Some(content_type) => {
                assert_eq!(status, StatusCode::OK, "{accept}");
                assert_eq!(headers[header::CONTENT_TYPE], content_type, "{accept}");
            }
            None => assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{accept}"),
        }
    }
    // gzip refused with q=0.
    let (_, headers, _) = call(
        &s,
        Method::GET,
        "/metrics",
        &[("accept-encoding", "gzip;q=0, identity")],
    )
    .await;
    assert!(!headers.contains_key(header::CONTENT_ENCODING));
}

#[test]
fn config_validation_names_the_problem() {
    use promdecl_server::ConfigError;
    let with_path = |p: &str| Config {
        metrics_path: p.into(),
        ..Config::default()
    };
    for (path, says) in [
        ("metrics", "must start with `/`"),
        ("/", "already served"),
        ("/health", "already served"),
        ("/ready", "already served"),
        ("/api/families", "already served"),
        ("/{x}", "contains `{` or `}`"),
        ("/m{", "contains `{` or `}`"),
        ("/a b", "not a plain URL path"),
        ("/m?x=1", "not a plain URL path"),
    ] {
        let err = with_path(path).validate().unwrap_err();
        assert!(matches!(err, ConfigError::MetricsPath { .. }), "{path}");
        assert!(err.to_string().contains(says), "{path}: {err}");
    }
    assert!(with_path("/internal/metrics").validate().is_ok());
    assert!(Config::default().validate().is_ok());
    let zero = Config {
        max_connections: 0,
        ..Config::default()
    };
    assert_eq!(
        zero.validate().unwrap_err().to_string(),
        "`max_connections` must be greater than zero"
    );
    let zero = Config {
        header_read_timeout: std::time::Duration::ZERO,
        ..Config::default()
    };
    assert!(zero.validate().is_err());
    let basic = |user: &str| Config {
        auth: Some(promdecl_server::Auth::Basic {
            user: user.into(),
            password: "hunter2".into(),
        }),
        ..Config::default()
    };
    let err = basic("a:b").validate().unwrap_err().to_string();
    assert!(err.contains("no `:`") && !err.contains("hunter2"), "{err}");
    assert!(basic("").validate().is_err());
    let spaced = Config {
        auth: Some(promdecl_server::Auth::Bearer("has space".into())),
        ..Config::default()
    };
    let err = spaced.validate().unwrap_err().to_string();
    assert!(!err.contains("has space"), "{err}");
    // The Debug of a configuration never shows a secret.
    let shown = format!("{:?}", basic("prom"));
    assert!(
        !shown.contains("hunter2") && !shown.contains("prom"),
        "{shown}"
    );
    // And `router` refuses what `validate` refuses.
    let refused = std::panic::catch_unwind(|| {
        router(AppState::new(
            Arc::new(Registry::new()),
            with_path("/health"),
        ))
    });
    assert!(refused.is_err());
}

#[tokio::test]
async fn request_metrics_use_route_templates_and_bound_unmatched_paths() {
    let registry = Arc::new(Registry::new());
    let http = registry
        .register(promdecl_server::HttpMetrics::new())
        .unwrap();
    let s = AppState::new(registry.clone(), Config::default()).with_http_metrics(http.clone());
    for path in ["/health", "/health", "/scan/1", "/scan/2", "/wp-admin"] {
        call(&s, Method::GET, path, &[]).await;
    }
    let text = registry.encode(promdecl::Format::Text);
    assert!(
        text.contains(
            "http_server_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "http_server_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 3\n"
        ),
        "{text}"
    );
    assert!(!text.contains("wp-admin"));
}

#[tokio::test]
async fn a_check_that_hangs_times_out_and_results_are_metrics() {
    let registry = Arc::new(Registry::new());
    let m = registry
        .register(promdecl_server::ReadinessMetrics::new())
        .unwrap();
    let s = AppState::new(registry.clone(), Config::default()).with_readiness_metrics(m);
    s.readiness.add(
        Check::new("slow-db", true, || {
            std::thread::sleep(std::time::Duration::from_millis(500));
            Ok(())
        })
        .with_timeout(std::time::Duration::from_millis(50)),
    );
    s.readiness.add(Check::new("cache", false, || Ok(())));
    let (status, _, body) = call(&s, Method::GET, "/ready", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("no answer within"), "{body}");
    let text = registry.encode(promdecl::Format::Text);
    assert!(
        text.contains("readiness_check_healthy{check=\"slow-db\",critical=\"true\"} 0\n"),
        "{text}"
    );
    assert!(
        text.contains("readiness_check_healthy{check=\"cache\",critical=\"false\"} 1\n"),
        "{text}"
    );
}

#[tokio::test]
async fn exposition_merges_into_the_users_router_and_the_layer_counts_its_routes() {
    let registry = Arc::new(Registry::new());
    let http = registry
        .register_prefixed("myapp", promdecl_server::HttpMetrics::new())
        .unwrap();
    let app = axum::Router::new()
        .route("/users/{id}", axum::routing::get(|| async { "user" }))
        .merge(router(AppState::new(registry.clone(), Config::default())))
        .layer(http.layer());
    for uri in ["/users/1", "/users/2", "/nowhere"] {
        let req = Request::get(uri).body(Body::empty()).unwrap();
        app.clone().oneshot(req).await.unwrap();
    }
    let req = Request::get("/metrics").body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = String::from_utf8(
        to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(
        text.contains(
            "myapp_http_server_requests_total{method=\"GET\",route=\"/users/{id}\",status=\"200\"} 2\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "myapp_http_server_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("users/1"),
        "raw paths must not become labels"
    );
}

#[tokio::test]
async fn async_checks_are_awaited_and_bounded_by_their_timeout() {
    let s = state();
    s.readiness
        .add(Check::new_async("http-upstream", false, || async {
            Ok(())
        }));
    let (status, _, body) = call(&s, Method::GET, "/ready", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.readiness.add(
        Check::new_async("queue", true, std::future::pending)
            .with_timeout(std::time::Duration::from_millis(50)),
    );
    s.readiness.add(Check::new_async("broker", false, || async {
        Err("broker said no".to_string())
    }));
    let started = std::time::Instant::now();
    let (status, _, body) = call(&s, Method::GET, "/ready", &[]).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let checks = json["checks"].as_array().unwrap();
    let by_name = |n: &str| checks.iter().find(|c| c["name"] == n).unwrap().clone();
    assert_eq!(by_name("http-upstream")["healthy"], true);
    assert_eq!(by_name("queue")["healthy"], false);
    assert!(by_name("queue")["error"]
        .as_str()
        .unwrap()
        .contains("no answer within"));
    assert_eq!(by_name("broker")["error"], "broker said no");
}

/// Prometheus 3 asks how names outside the legacy character set are written: each scheme's
/// name (the expected texts are Prometheus's own escaping examples' rules applied to these
/// names), the Content-Type naming the scheme, and both Python parsers reading the result.
#[tokio::test]
async fn utf8_names_are_quoted_or_escaped_as_the_scraper_asks() {
    use promdecl::value::{CounterValue, HistogramValue};
    use promdecl::{FamilyDesc, Format, Kind};

    let registry = Arc::new(Registry::builder().utf8_names().build().unwrap());
    let requests = FamilyDesc::builder("http.requests_total", Kind::Counter, "Requests")
        .label("route")
        .build()
        .unwrap();
    let requests = registry.register_family::<CounterValue>(requests).unwrap();
    requests.get_by_values(&["/a"]).unwrap().inc_by(2);
    let latency = FamilyDesc::builder("rpc.duration_seconds", Kind::Histogram, "Latency")
        .buckets(vec![0.1, 1.0])
        .build()
        .unwrap();
    let latency = registry.register_family::<HistogramValue>(latency).unwrap();
    latency.get_by_values(&[]).unwrap().observe(0.5);
    let s = AppState::new(registry, Config::default());

    let om = "application/openmetrics-text;version=1.0.0";
    let text = "text/plain;version=0.0.4";
    let utf8_text = "text/plain;version=1.0.0;escaping=allow-utf-8";
    // (Accept, Content-Type, format, counter sample name, histogram bucket sample name)
    let cases = [
        (
            format!("{om};escaping=allow-utf-8"),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
            Format::OpenMetrics,
            "http.requests_total",
            "rpc.duration_seconds_bucket",
        ),
        (
            utf8_text.to_string(),
            "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
            Format::Text,
            "http.requests_total",
            "rpc.duration_seconds_bucket",
        ),
        (
            text.to_string(),
            "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
            Format::Text,
            "http_requests_total",
            "rpc_duration_seconds_bucket",
        ),
        (
            format!("{text};escaping=underscores"),
            "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
            Format::Text,
            "http_requests_total",
            "rpc_duration_seconds_bucket",
        ),
        (
            format!("{om};escaping=dots"),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=dots",
            Format::OpenMetrics,
            "http_dot_requests__total",
            "rpc_dot_duration__seconds_bucket",
        ),
        (
            format!("{text};escaping=values"),
            "text/plain; version=0.0.4; charset=utf-8; escaping=values",
            Format::Text,
            "U__http_2e_requests__total",
            "U__rpc_2e_duration__seconds_bucket",
        ),
    ];
    for (accept, content_type, format, counter, bucket) in cases {
        let (status, headers, body) =
            call(&s, Method::GET, "/metrics", &[("accept", &accept)]).await;
        assert_eq!(status, StatusCode::OK, "{accept}");
        assert_eq!(headers[header::CONTENT_TYPE], content_type, "{accept}");
        let quoted = accept.contains("allow-utf-8");
        let line = match quoted {
            true => format!("{{\"{counter}\",route=\"/a\"}} 2\n"),
            false => format!("\n{counter}{{route=\"/a\"}} 2\n"),
        };
        assert!(body.contains(&line), "{accept}: no {line:?} in\n{body}");
        let Some(parsed) = tests::python_parse(&body, format) else {
            continue;
        };
        let parsed = parsed.unwrap_or_else(|e| panic!("{accept}: {e}\n{body}"));
        assert_eq!(
            tests::find_sample(&parsed, counter, &[("route", "/a")]),
            Some(2.0),
            "{accept}"
        );
        assert_eq!(
            tests::find_sample(&parsed, bucket, &[("le", "1.0")]),
            Some(1.0),
            "{accept}"
        );
    }
}

/// What `curl -H 'Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'`
/// gets: the exact Content-Type and length-delimited messages that decode to the families.
#[tokio::test]
async fn protobuf_is_served_when_asked_for_in_full() {
    use promdecl::proto::MetricFamily;
    use prost::Message;

    let s = state();
    let accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
    let req = Request::builder()
        .uri("/metrics")
        .header("accept", accept)
        .body(Body::empty())
        .unwrap();
    let resp = router(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores"
    );
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let mut rest = &bytes[..];
    let mut things = None;
    while !rest.is_empty() {
        let family = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        if family.name() == "things_total" {
            things = Some(family);
        }
    }
    let things = things.expect("the counter family");
    let b = things
        .metric
        .iter()
        .find(|m| {
            m.label
                .iter()
                .any(|l| l.name() == "kind" && l.value() == "b")
        })
        .expect("kind=b");
    assert_eq!(b.counter.as_ref().and_then(|c| c.value), Some(1.0));
}

/// OpenMetrics 2.0 is a release candidate: served only when the configuration allows it, and
/// only to a scraper asking for version 2.0.0.
#[tokio::test]
async fn openmetrics_2_only_when_configured_and_asked_for() {
    let om2 = "application/openmetrics-text;version=2.0.0";
    let asked = [("accept", om2)];
    let (status, headers, _) = call(&state(), Method::GET, "/metrics", &asked).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8; escaping=underscores",
        "not configured: answered as if no format were named"
    );
    let registry = Arc::new(Registry::new());
    let config = Config {
        openmetrics_2: true,
        ..Config::default()
    };
    let s = AppState::new(registry, config);
    let (_, headers, body) = call(&s, Method::GET, "/metrics", &asked).await;
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/openmetrics-text; version=2.0.0; charset=utf-8; escaping=underscores"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
    // Configured, but not asked for: OpenMetrics 1.0 as before.
    let om1 = [("accept", "application/openmetrics-text")];
    let (_, headers, _) = call(&s, Method::GET, "/metrics", &om1).await;
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
    );
}

#[tokio::test]
async fn the_page_and_its_json_show_the_same_families_and_go_with_the_page() {
    let s = state();
    let (status, headers, page) = call(&s, Method::GET, "/?q=things", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(page.contains("<code>kind=\"b\"</code>"), "{page}");
    let (status, headers, json) = call(&s, Method::GET, "/api/families?q=things", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let family = &doc["groups"][0]["families"][0];
    assert_eq!(family["name"], "things_total");
    assert_eq!(family["labels"][0]["values"], serde_json::json!(["a", "b"]));
    let b = family["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["labels"][0][1] == "b")
        .unwrap();
    assert_eq!(b["value"], 1.0);
    // A query matching nothing leaves no family.
    let (_, _, json) = call(&s, Method::GET, "/api/families?q=nothing-here", &[]).await;
    assert!(json.contains("\"groups\":[]"), "{json}");

    let off = AppState::new(
        Arc::new(Registry::new()),
        Config {
            index_page: false,
            ..Config::default()
        },
    );
    for path in ["/", "/api/families"] {
        let (status, _, _) = call(&off, Method::GET, path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(
        format!("{off:?}").contains("history: None"),
        "no history is kept: {off:?}"
    );
}
