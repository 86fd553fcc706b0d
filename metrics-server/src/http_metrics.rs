//! A middleware recording HTTP requests by method, route template and status.
//!
//! The route is axum's `MatchedPath` (`/users/{id}`), never the raw path, and requests that
//! match no route share `route="unmatched"`, so scanners cannot create series.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use http_body::Body as _;
use promdecl::{Counter, Histogram, Metrics};

/// HTTP server metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "http_server")]
pub struct HttpMetrics {
    /// HTTP requests handled, by method, route template and status code
    #[metric(counter, labels = [method, route, status], max_series = 500)]
    pub requests_total: Counter,
    /// Time to produce the response head, by method and route template
    #[metric(histogram, labels = [method, route], max_series = 200, buckets = promdecl::buckets::LATENCY)]
    pub request_duration_seconds: Histogram,
    /// Response body size where known in advance, by method and route template
    #[metric(histogram, labels = [method, route], max_series = 200, buckets = promdecl::buckets::SIZE)]
    pub response_size_bytes: Histogram,
}

/// Methods outside the standard set share one value, bounding the `method` label.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

/// The middleware; add it with `Router::layer(axum::middleware::from_fn_with_state(metrics, track))`.
pub async fn track(State(metrics): State<Arc<HttpMetrics>>, req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let route = route.as_deref().unwrap_or("unmatched");
    let timer = metrics
        .request_duration_seconds(method, route)
        .start_timer();
    let response = next.run(req).await;
    drop(timer);
    let mut code = itoa::Buffer::new();
    metrics
        .requests_total(method, route, code.format(response.status().as_u16()))
        .inc();
    if let Some(size) = response.body().size_hint().exact() {
        metrics
            .response_size_bytes(method, route)
            .observe(size as f64);
    }
    response
}
