//! An axum exposition server for `promdecl` registries.
//!
//! [`router`] gives `/metrics` (or another path), `/health`, `/ready` and an HTML index `/`,
//! ready to merge into an existing axum app; [`Server`] runs it standalone with bounded
//! connections and graceful shutdown within a deadline. [`Config`] holds every bound with its
//! default and checks itself ([`Config::validate`]). [`collectors`] read process, runtime and
//! system values at every scrape (scrape-time collectors, bounded by the registry's collect
//! timeout), and [`HttpMetrics::layer`] records requests by route
//! template, for these routes or the application's own.
//!
//! ```
//! use std::sync::Arc;
//! use promdecl::Registry;
//! use promdecl_server::{router, AppState, Auth, Config};
//!
//! let registry = Arc::new(Registry::new());
//! let app: axum::Router = router(AppState::new(registry.clone(), Config::default()));
//! // With credentials on `/`, `/metrics` and `/ready`:
//! let config = Config { auth: Some(Auth::Bearer("token".into())), ..Config::default() };
//! config.validate().unwrap();
//! let guarded: axum::Router = router(AppState::new(registry, config));
//! ```
#![deny(missing_docs)]

mod auth;
pub mod collectors;
mod config;
mod connection;
mod http_metrics;
mod negotiate;
mod page;
mod push;
mod ready;
mod server;
mod trace;

use std::io::Write as _;
use std::sync::Arc;

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use promdecl::{Exposition, Format, Registry};
use tokio::sync::Semaphore;
use tower::util::MapResponseLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use auth::Auth;
pub use config::{Config, ConfigError, MetricsPathProblem};
pub use connection::ConnectionMetrics;
pub use http_metrics::{HttpMetrics, RequestMetrics, RequestMetricsLayer, TraceOf};
pub use page::JSON_PATH as PAGE_JSON_PATH;
pub use push::{
    PushError, PushFormat, Pusher, DEFAULT_PUSH_ATTEMPTS, DEFAULT_PUSH_BACKOFF,
    DEFAULT_PUSH_TIMEOUT,
};
pub use ready::{Check, Readiness, ReadinessMetrics, DEFAULT_CHECK_TIMEOUT};
pub use server::{
    bind, raise_open_files_limit, shutdown_signal, Server, ServerError, HEALTH_RESERVE,
    LISTEN_BACKLOG,
};
pub use trace::TraceContext;

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
    /// The page's sparkline history; `None` when the page is off ([`Config::index_page`]).
    history: Option<Arc<page::History>>,
}

impl AppState {
    /// State serving `registry` with `config`, no readiness checks and no request metrics.
    pub fn new(registry: Arc<Registry>, config: Config) -> Self {
        Self {
            registry,
            readiness: Arc::new(Readiness::default()),
            scrapes: Arc::new(Semaphore::new(config.max_concurrent_scrapes.max(1))),
            history: config.index_page.then(Arc::default),
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

/// The routes: the metrics path, `/health`, `/ready` and `/`. Wrong methods get 405, other
/// paths 404.
///
/// With [`Config::auth`] set, `/`, the metrics path and `/ready` answer 401 without the
/// credentials (`/health` too with [`Config::protect_health`]). A request body longer than
/// [`Config::max_body_bytes`] gets 413, a request not answered within
/// [`Config::request_timeout`] 408; both are counted in the request metrics when
/// [`AppState::with_http_metrics`] is set, which record by route template. The exposition and
/// the index page are rendered, and gzip-compressed when `Accept-Encoding` allows, on the
/// blocking pool, at most [`Config::max_concurrent_scrapes`] at once.
///
/// # Panics
///
/// When `state.config` fails [`Config::validate`] (a metrics path such as `/health` or
/// `/{x}`); check it first to handle the error.
pub fn router(state: AppState) -> Router {
    if let Err(e) = state.config.validate() {
        panic!("promdecl_server::router: {e}");
    }
    routes(state, false)
}

/// The routes, or with `health_only` just `/health` and a 503 for everything else (the
/// connections [`Server`] keeps in reserve).
pub(crate) fn routes(state: AppState, health_only: bool) -> Router {
    let config = &state.config;
    let mut guarded = Router::new();
    let mut open = Router::new();
    let mut any_guarded = false;
    if !health_only {
        guarded = guarded
            .route(&config.metrics_path, get(metrics))
            .route("/ready", get(ready::handler));
        if config.index_page {
            guarded = guarded
                .route("/", get(index))
                .route(page::JSON_PATH, get(families_json));
        }
        any_guarded = true;
    }
    if config.protect_health {
        guarded = guarded.route("/health", get(health));
        any_guarded = true;
    } else {
        open = open.route("/health", get(health));
    }
    if config.auth.is_some() && any_guarded {
        guarded = guarded.route_layer(from_fn_with_state(state.clone(), auth::require));
    }
    let mut app = guarded.merge(open);
    if health_only {
        app = app.fallback(only_health);
    }
    // Outermost last: the request metrics see the 408 and 413 answers of the layers inside.
    let app = app
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(MapResponseLayer::new(IntoResponse::into_response));
    let app = match &state.http_metrics {
        Some(m) => app.layer(m.layer()),
        None => app,
    };
    app.with_state(state)
}

/// The expositions the metrics path serves, in order of preference (a scraper that does not
/// say gets text 0.0.4). OpenMetrics 2.0 comes last, and only when [`Config::openmetrics_2`]
/// allows it.
const EXPOSITIONS: [(negotiate::Offer, Exposition); 4] = [
    (negotiate::TEXT_PLAIN, Exposition::text(Format::Text)),
    (
        negotiate::OPENMETRICS,
        Exposition::text(Format::OpenMetrics),
    ),
    (negotiate::PROTOBUF, Exposition::protobuf()),
    (
        negotiate::OPENMETRICS_2,
        Exposition::text(Format::OpenMetrics2),
    ),
];

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let served = match state.config.openmetrics_2 {
        true => &EXPOSITIONS[..],
        false => &EXPOSITIONS[..3],
    };
    let offers: Vec<negotiate::Offer> = served.iter().map(|(offer, _)| *offer).collect();
    let Some(chosen) = negotiate::negotiate(&headers, &offers) else {
        let offered: Vec<String> = served.iter().map(|(_, e)| e.content_type()).collect();
        let offered = offered.join(", ");
        return (
            StatusCode::NOT_ACCEPTABLE,
            format!("`Accept` refuses every format offered: {offered}\n"),
        )
            .into_response();
    };
    let exposition = EXPOSITIONS[chosen.offer]
        .1
        .with_escaping(chosen.escaping.unwrap_or_default());
    let registry = state.registry.clone();
    render_limited(
        &state,
        &headers,
        exposition.content_type(),
        "accept, accept-encoding",
        move || registry.expose(exposition),
    )
    .await
}

async fn index(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    page_response(
        &state,
        &params,
        &headers,
        "text/html; charset=utf-8",
        |doc| page::render(doc).into_bytes(),
    )
    .await
}

async fn families_json(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    page_response(&state, &params, &headers, "application/json", |doc| {
        doc.to_string().into_bytes()
    })
    .await
}

/// The page's document for the request's `q`, written by `write`; notes the request, so the
/// sparklines are sampled.
async fn page_response(
    state: &AppState,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    content_type: &str,
    write: fn(&serde_json::Value) -> Vec<u8>,
) -> Response {
    let query = page::query_of(params);
    if let Some(history) = &state.history {
        page::watch(
            history,
            &query,
            state.registry.clone(),
            state.config.clone(),
        );
    }
    let (registry, config) = (state.registry.clone(), state.config.clone());
    let history = state.history.clone();
    render_limited(
        state,
        headers,
        content_type.to_string(),
        "accept-encoding",
        move || {
            write(&page::document(
                &registry,
                &config,
                &query,
                history.as_deref(),
            ))
        },
    )
    .await
}

/// Bodies shorter than this are sent uncompressed (gzip's framing alone is 18 bytes), as
/// tower-http's compression does.
const MIN_GZIP_BYTES: usize = 32;

/// Renders a page on the blocking pool while holding a scrape permit, compressing it there
/// too when the client accepts gzip, so CPU-heavy work is bounded by
/// [`Config::max_concurrent_scrapes`] however many clients ask.
async fn render_limited(
    state: &AppState,
    headers: &HeaderMap,
    content_type: String,
    vary: &'static str,
    render: impl FnOnce() -> Vec<u8> + Send + 'static,
) -> Response {
    let gzip = negotiate::gzip(headers);
    let Ok(permit) = state.scrapes.clone().acquire_owned().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let job = tokio::task::spawn_blocking(move || {
        // Held until the work is done, even when the request has timed out meanwhile.
        let _permit = permit;
        let body = render();
        if gzip && body.len() >= MIN_GZIP_BYTES {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 4),
                flate2::Compression::fast(),
            );
            let compressed = encoder.write_all(&body).and_then(|()| encoder.finish());
            match compressed {
                Ok(bytes) => (bytes, true),
                Err(_) => (body, false),
            }
        } else {
            (body, false)
        }
    });
    let Ok((body, gzipped)) = job.await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = body.into_response();
    let out = response.headers_mut();
    // Built from the exposition's own constants, so always a valid header value.
    if let Ok(value) = HeaderValue::try_from(content_type) {
        out.insert(header::CONTENT_TYPE, value);
    }
    out.insert(header::VARY, HeaderValue::from_static(vary));
    if gzipped {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

async fn health(headers: HeaderMap) -> Response {
    let json =
        negotiate::media_type(&headers, &[negotiate::TEXT_PLAIN, negotiate::JSON]) == Some(1);
    if json {
        // The shape services document for their health endpoint (semstreams' metric package):
        // `{"status": "healthy", "timestamp": "2024-01-15T10:30:00Z"}`, RFC 3339 in UTC.
        let ts = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        let body = serde_json::json!({ "status": "healthy", "timestamp": ts });
        return (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    }
    (StatusCode::OK, "OK").into_response()
}

/// What a connection held in reserve answers beyond `/health`.
async fn only_health() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1"), (header::CONNECTION, "close")],
        "connection limit reached: only /health is served on this connection\n",
    )
        .into_response()
}
