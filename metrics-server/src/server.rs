//! A standalone server: the router on a listener, with graceful shutdown.

use std::future::Future;
use std::sync::Arc;

use promdecl::{Registry, RegistryError};
use tokio::net::TcpListener;

use crate::{router, AppState, Config, HttpMetrics, Readiness, ReadinessMetrics};

/// A standalone exposition server.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use promdecl_server::{Config, Server};
///
/// let registry = Arc::new(promdecl::Registry::new());
/// let server = Server::new(registry, Config::default())?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:9090").await?;
/// server.serve(listener, promdecl_server::shutdown_signal()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    state: AppState,
}

impl Server {
    /// A server for `registry`; registers its own HTTP request metrics there.
    pub fn new(registry: Arc<Registry>, config: Config) -> Result<Self, RegistryError> {
        let http = registry.register(HttpMetrics::new())?;
        let ready = registry.register(ReadinessMetrics::new())?;
        let state = AppState::new(registry, config)
            .with_http_metrics(http)
            .with_readiness_metrics(ready);
        Ok(Self { state })
    }

    /// The readiness checks behind `/ready`.
    pub fn readiness(&self) -> &Arc<Readiness> {
        &self.state.readiness
    }

    /// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
