//! Request metrics as a tower [`Layer`]: by method, route template and status.
//!
//! The route is axum's `MatchedPath` (`/users/{id}`), never the raw path, and requests that
//! match no route share `route="unmatched"`, so scanners cannot create series.
//!
//! ```
//! use axum::{routing::get, Router};
//! use promdecl::Registry;
//! use promdecl_server::HttpMetrics;
//!
//! let registry = Registry::new();
//! // Exposed as `myapp_http_server_requests_total`, ...
//! let http = registry.register_prefixed("myapp", HttpMetrics::new()).unwrap();
//! let app: Router = Router::new()
//!     .route("/users/{id}", get(|| async { "user" }))
//!     .layer(http.layer());
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use http_body::Body as _;
use promdecl::{Counter, Histogram, Metrics};
use tower::{Layer, Service};

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

impl HttpMetrics {
    /// A layer recording every request of the router it wraps into these metrics.
    pub fn layer(self: &Arc<Self>) -> RequestMetricsLayer {
        RequestMetricsLayer {
            metrics: self.clone(),
        }
    }

    fn record(&self, method: &str, route: &str, response: &Response, started: Instant) {
        self.request_duration_seconds(method, route)
            .observe(started.elapsed().as_secs_f64());
        let mut code = itoa::Buffer::new();
        self.requests_total(method, route, code.format(response.status().as_u16()))
            .inc();
        if let Some(size) = response.body().size_hint().exact() {
            self.response_size_bytes(method, route).observe(size as f64);
        }
    }
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

/// Records requests into [`HttpMetrics`]; made by [`HttpMetrics::layer`].
#[derive(Debug, Clone)]
pub struct RequestMetricsLayer {
    metrics: Arc<HttpMetrics>,
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetrics {
            inner,
            metrics: self.metrics.clone(),
        }
    }
}

/// The service [`RequestMetricsLayer`] wraps around each route.
#[derive(Debug, Clone)]
pub struct RequestMetrics<S> {
    inner: S,
    metrics: Arc<HttpMetrics>,
}

impl<S> Service<Request> for RequestMetrics<S>
where
    S: Service<Request, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let method = method_label(req.method());
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned());
        let metrics = self.metrics.clone();
        let started = Instant::now();
        let response = self.inner.call(req);
        Box::pin(async move {
            let response = response.await?;
            let route = route.as_deref().unwrap_or("unmatched");
            metrics.record(method, route, &response, started);
            Ok(response)
        })
    }
}
