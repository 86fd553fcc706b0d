//! What the app serves: the shop's routes update its metrics, the exposition lists exactly the
//! project's families (all of them documented in the committed reference), and it passes
//! promtool's linter and Python's parsers.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use promdecl::{Format, Registry};
use tower::ServiceExt;

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    body: &str,
    accept: &str,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::ACCEPT, accept)
        .body(Body::from(body.to_string()))
        .expect("a valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

/// A fresh app after one request down each path of each route, and its scrape in `format`.
async fn scrape(format: Format) -> String {
    let app = shop_example::app(Arc::new(Registry::new())).expect("a fresh registry");
    let calls = [
        (
            Method::POST,
            "/checkout/berlin/card",
            "2",
            StatusCode::CREATED,
        ),
        (
            Method::POST,
            "/checkout/berlin/card",
            "",
            StatusCode::CREATED,
        ),
        (
            Method::POST,
            "/checkout/lisbon/declined",
            "1",
            StatusCode::PAYMENT_REQUIRED,
        ),
        (
            Method::POST,
            "/checkout/lisbon/error",
            "1",
            StatusCode::BAD_GATEWAY,
        ),
        (
            Method::POST,
            "/checkout/berlin/card",
            "1000",
            StatusCode::CONFLICT,
        ),
        (
            Method::POST,
            "/checkout/paris/card",
            "1",
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/checkout/berlin/card",
            "many",
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::PUT,
            "/inventory/lisbon",
            "sku-1 5\nsku-2 7\n",
            StatusCode::NO_CONTENT,
        ),
        (
            Method::PUT,
            "/inventory/lisbon",
            "sku-1 five\n",
            StatusCode::BAD_REQUEST,
        ),
        (Method::GET, "/ready", "", StatusCode::OK),
    ];
    for (method, uri, body, expected) in calls {
        let (status, text) = send(&app, method.clone(), uri, body, "*/*").await;
        assert_eq!(status, expected, "{method} {uri} {body:?}: {text}");
    }
    let (status, text) = send(&app, Method::GET, "/metrics", "", &format.content_type()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    text
}

/// The family names of the `# TYPE` lines.
fn exposed_families(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn routes_update_the_metrics() {
    let text = scrape(Format::Text).await;
    for line in [
        r#"shop_orders_total{payment="card",outcome="accepted"} 2"#,
        r#"shop_orders_total{payment="declined",outcome="rejected"} 1"#,
        r#"shop_orders_total{payment="card",outcome="rejected"} 1"#,
        r#"shop_orders_total{payment="error",outcome="failed"} 1"#,
        r#"shop_checkout_duration_seconds_count{outcome="accepted"} 2"#,
        "shop_orders_in_flight 0",
        // 100 at start, 3 taken; the failed payment's item given back.
        r#"shop_inventory_items{warehouse="berlin"} 97"#,
        r#"shop_inventory_items{warehouse="lisbon"} 12"#,
        r#"shop_inventory_reservations_total{warehouse="berlin",result="out_of_stock"} 1"#,
        r#"shop_inventory_feed_size_bytes_count{warehouse="lisbon"} 2"#,
        r#"shop_http_server_requests_total{method="POST",route="/checkout/{warehouse}/{payment}",status="201"} 2"#,
        r#"shop_readiness_check_healthy{check="inventory",critical="true"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
}

#[tokio::test]
async fn the_reference_documents_every_exposed_family() {
    let exposed = exposed_families(&scrape(Format::Text).await);
    // The shop's own families, the server's under the prefix `shop`, and the overflow counter:
    // the project declares exactly what `/metrics` serves.
    let declared: BTreeSet<String> = shop_example::project()
        .families()
        .map(|f| f.name.to_string())
        .collect();
    assert_eq!(exposed, declared);
    assert!(
        exposed.contains("shop_http_server_requests_total"),
        "{exposed:?}"
    );

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics");
    let pages: String = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read_to_string(e.expect("an entry").path()).expect("a page"))
        .collect();
    for name in &exposed {
        assert!(
            pages.contains(&format!("\n### `{name}`\n")),
            "`{name}` is exposed but not documented under {}",
            dir.display()
        );
    }
}

#[tokio::test]
async fn exposition_passes_promtool_without_lint() {
    let text = scrape(Format::Text).await;
    if !tests::require_tool("promtool", "apt-get install -y prometheus") {
        return;
    }
    match tests::promtool_check_metrics(&text) {
        Some(Ok(lint)) => assert!(lint.trim().is_empty(), "promtool lint:\n{lint}"),
        Some(Err(e)) => panic!("promtool check metrics failed:\n{e}\n{text}"),
        None => {}
    }
}

#[tokio::test]
async fn exposition_passes_python_parsers() {
    for format in [Format::Text, Format::OpenMetrics] {
        let text = scrape(format).await;
        let Some(parsed) = tests::python_parse(&text, format) else {
            return;
        };
        let families = parsed.unwrap_or_else(|e| panic!("{format:?}: {e}\n{text}"));
        let value = tests::find_sample(
            &families,
            "shop_orders_total",
            &[("payment", "card"), ("outcome", "accepted")],
        );
        assert_eq!(value, Some(2.0), "{format:?}");
    }
}

#[tokio::test]
async fn payment_methods_past_the_budget_fold_into_one_series() {
    let app = shop_example::app(Arc::new(Registry::new())).expect("a fresh registry");
    // `shop_orders_total` keeps 20 payment methods.
    for i in 0..25 {
        let uri = format!("/checkout/berlin/method-{i}");
        let (status, text) = send(&app, Method::POST, &uri, "", "*/*").await;
        assert_eq!(status, StatusCode::CREATED, "{uri}: {text}");
    }
    let (_, text) = send(&app, Method::GET, "/metrics", "", "*/*").await;
    for line in [
        r#"shop_orders_total{payment="method-19",outcome="accepted"} 1"#,
        r#"shop_orders_total{payment="__overflow__",outcome="accepted"} 5"#,
        r#"metrics_series_overflow_total{family="shop_orders_total"} 5"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
    assert!(!text.contains("method-20"), "{text}");
}
