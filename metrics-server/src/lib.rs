//! An axum exposition server for `promdecl` registries.
//!
//! [`router`] gives `/metrics` (or another path), `/health`, `/ready` and an HTML index `/`,
//! ready to merge into an existing axum app; [`Server`] runs it standalone with graceful
//! shutdown. [`collectors`] keep process and system gauges current in the background, and
//! [`HttpMetrics::layer`] records requests by route template, for these routes or the
//! application's own.
//!
//! ```
//! use std::sync::Arc;
//! use promdecl::Registry;
//! use promdecl_server::{router, AppState, Config};
//!
//! let registry = Arc::new(Registry::new());
//! let app: axum::Router = router(AppState::new(registry, Config::default()));
//! ```
#![deny(missing_docs)]

mod auth;
pub mod collectors;
mod html;
mod http_metrics;
mod ready;
mod server;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use promdecl::{Format, Registry};
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

pub use auth::Auth;
pub use http_metrics::{HttpMetrics, RequestMetrics, RequestMetricsLayer};
pub use ready::{Check, Readiness, ReadinessMetrics, DEFAULT_CHECK_TIMEOUT};
pub use server::{shutdown_signal, Server};

/// How the endpoints behave.
#[derive(Debug, Clone)]
pub struct Config {
    /// Path of the exposition (`/metrics`).
    pub metrics_path: String,
    /// Credentials required on the metrics path, if any.
    pub auth: Option<Auth>,
    /// Requests taking longer get `408 Request Timeout`.
    pub request_timeout: Duration,
    /// Scrapes encoded at once; more wait their turn (within the timeout).
    pub max_concurrent_scrapes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            metrics_path: "/metrics".into(),
            auth: None,
            request_timeout: Duration::from_secs(10),
            max_concurrent_scrapes: 4,
        }
    }
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The registry served on the metrics path.
    pub registry: Arc<Registry>,
    /// Component checks behind `/ready`.
    pub readiness: Arc<Readiness>,
    /// Endpoint behaviour.
    pub config: Arc<Config>,
    /// Request metrics of this server, recorded when set.
    pub http_metrics: Option<Arc<HttpMetrics>>,
    scrapes: Arc<Semaphore>,
}

impl AppState {
    /// State serving `registry` with `config`, no readiness checks and no request metrics.
    pub fn new(registry: Arc<Registry>, config: Config) -> Self {
        Self {
            registry,
            readiness: Arc::new(Readiness::default()),
            scrapes: Arc::new(Semaphore::new(config.max_concurrent_scrapes.max(1))),
            config: Arc::new(config),
            http_metrics: None,
        }
    }

    /// Exports readiness check results into `metrics` (register them in the registry too).
    /// Call before adding checks.
    pub fn with_readiness_metrics(mut self, metrics: Arc<ReadinessMetrics>) -> Self {
        self.readiness = Arc::new(Readiness::with_metrics(metrics));
        self
    }

    /// Records this server's own requests into `metrics` (register them in the registry too).
    pub fn with_http_metrics(mut self, metrics: Arc<HttpMetrics>) -> Self {
        self.http_metrics = Some(metrics);
        self
    }
}

/// The routes. Wrong methods get 405, other paths 404; responses are gzip-compressed when the
/// client allows it.
pub fn router(state: AppState) -> Router {
    let metrics_route = get(metrics).layer(from_fn_with_state(state.clone(), auth::require));
    let mut app = Router::new()
        .route(&state.config.metrics_path, metrics_route)
        .route("/health", get(health))
        .route("/ready", get(ready::handler))
        .route("/", get(html::index));
    if let Some(m) = &state.http_metrics {
        app = app.layer(m.layer());
    }
    app.layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .with_state(state)
}

fn accepts(headers: &HeaderMap, what: &str) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(what))
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::from_accept(accept);
    let Ok(_permit) = state.scrapes.clone().acquire_owned().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let registry = state.registry.clone();
    // Encoding is CPU work; keep it off the async workers.
    match tokio::task::spawn_blocking(move || registry.encode(format)).await {
        Ok(body) => ([(header::CONTENT_TYPE, format.content_type())], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn health(headers: HeaderMap) -> Response {
    if accepts(&headers, "application/json") {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let body = serde_json::json!({ "status": "healthy", "timestamp": ts });
        return (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    }
    (StatusCode::OK, "OK").into_response()
}
