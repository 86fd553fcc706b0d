//! Request metrics as a tower [`Layer`]: by method, route template and status.
//!
//! The route is axum's `MatchedPath` (`/users/{id}`), never the raw path, and requests that
//! match no route share `route="unmatched"`, so scanners cannot create series. A request that
//! belongs to a trace (a W3C `traceparent` header, or what
//! [`RequestMetricsLayer::trace_with`] reads) leaves its trace and span ids as exemplars on its
//! count and latency. A request that
//! belongs to a trace (a `traceparent` header, or what [`HttpMetrics::trace_with`] reads) leaves
//! its trace and span ids as exemplars on its count and latency.
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

use crate::trace::TraceContext;

/// HTTP server metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "http_server")]
pub struct HttpMetrics {
    /// HTTP requests handled, by method, route template and status code
    #[metric(counter, labels = [method, route, status], max_series = 500)]
    pub requests_total: Counter,
    /// Time to produce the response head, by method and route template
    // Classic buckets for every scraper, native ones for those that read them (7 to 13 KB
    // more per series, at most 200 series).
    #[metric(histogram, labels = [method, route], max_series = 200, buckets = promdecl::buckets::LATENCY, native)]
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
            trace: TraceContext::of_request,
        }
    }

    fn record(
        &self,
        method: &str,
        route: &str,
        response: &Response,
        started: Instant,
        trace: Option<&TraceContext>,
    ) {
        let latency = self.request_duration_seconds(method, route);
        let seconds = started.elapsed().as_secs_f64();
        let mut code = itoa::Buffer::new();
        let requests = self.requests_total(method, route, code.format(response.status().as_u16()));
        match trace {
            // Valid ids are 48 hex digits with their names: within OpenMetrics' limit.
            Some(t) => {
                let _ = latency.observe_with_exemplar(seconds, &t.labels());
                let _ = requests.inc_by_with_exemplar(1, &t.labels());
            }
            None => {
                latency.observe(seconds);
                requests.inc();
            }
        }
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

/// How a request's trace is read: [`TraceContext::of_request`] by default.
pub type TraceOf = fn(&Request) -> Option<TraceContext>;

/// Records requests into [`HttpMetrics`]; made by [`HttpMetrics::layer`].
#[derive(Debug, Clone)]
pub struct RequestMetricsLayer {
    metrics: Arc<HttpMetrics>,
    trace: TraceOf,
}

impl RequestMetricsLayer {
    /// Reads each request's trace with `trace` instead of its `traceparent` header: for a
    /// service whose tracer keeps the context elsewhere (an OpenTelemetry span's context, a
    /// vendor header), `|req| TraceContext::new(&trace_id, &span_id)`.
    pub fn trace_with(self, trace: TraceOf) -> Self {
        Self { trace, ..self }
    }
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetrics {
            inner,
            metrics: self.metrics.clone(),
            trace: self.trace,
        }
    }
}

/// The service [`RequestMetricsLayer`] wraps around each route.
#[derive(Debug, Clone)]
pub struct RequestMetrics<S> {
    inner: S,
    metrics: Arc<HttpMetrics>,
    trace: TraceOf,
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
        let trace = (self.trace)(&req);
        let metrics = self.metrics.clone();
        let started = Instant::now();
        let response = self.inner.call(req);
        Box::pin(async move {
            let response = response.await?;
            let route = route.as_deref().unwrap_or("unmatched");
            metrics.record(method, route, &response, started, trace.as_ref());
            Ok(response)
        })
    }
}
