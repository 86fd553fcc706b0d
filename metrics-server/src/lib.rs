//! An axum exposition server for `metrics-core` registries.
//!
//! [`router`] gives `/metrics`, `/health`, `/ready` and an HTML index `/` that an existing axum
//! app can merge; [`collectors`] keeps process and runtime gauges current in the background.
#![deny(missing_docs)]

pub mod collectors;
mod html;
mod ready;
pub mod workload;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_core::{Format, Registry};
use tower_http::compression::CompressionLayer;

pub use ready::{Check, Readiness};

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The registry served on `/metrics`.
    pub registry: Arc<Registry>,
    /// Component checks behind `/ready`.
    pub readiness: Arc<Readiness>,
}

impl AppState {
    /// State serving `registry`, with no readiness checks (always ready).
    pub fn new(registry: Arc<Registry>) -> Self {
        Self {
            registry,
            readiness: Arc::new(Readiness::default()),
        }
    }
}

/// The routes: `/metrics`, `/health`, `/ready`, `/`. Wrong methods get 405, other paths 404,
/// and responses are gzip-compressed when the client allows it.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .route("/ready", get(ready::handler))
        .route("/", get(html::index))
        .layer(CompressionLayer::new())
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
    let registry = state.registry.clone();
    // Encoding is CPU work; keep it off the async workers.
    let body = tokio::task::spawn_blocking(move || registry.encode(format))
        .await
        .unwrap_or_default();
    ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
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
