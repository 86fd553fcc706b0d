//! A standalone server: the router on a listener, with bounded connections, timeouts at the
//! connection level and graceful shutdown within a deadline.
//!
//! What each bound does (all in [`Config`]):
//!
//! - `max_connections`: connections served at once. The next [`HEALTH_RESERVE`] connections are
//!   still accepted but only answer `/health` (anything else gets 503), one request each with
//!   a header-read timeout of at most one second, so a liveness probe gets through when the
//!   limit is reached; accepting one also closes the connections idling between requests,
//!   freeing their slots. Beyond that, a connection is accepted and closed at once, never
//!   queued.
//! - `header_read_timeout`: a request head must be complete this long after accepting the
//!   connection, or after the first byte of a later request on a kept-alive one; otherwise the
//!   connection is closed (slowloris). A head may be at most 64 KiB (431 beyond).
//! - `idle_timeout`: a kept-alive connection waiting longer for its next request is closed.
//! - `request_timeout`, `max_body_bytes`, `max_concurrent_scrapes`: per request, see
//!   [`router`].
//! - `shutdown_deadline`: once the shutdown future resolves, the listener closes, idle
//!   connections close, in-flight requests may finish; connections still open at the deadline
//!   are dropped and [`Server::serve`] returns.
//!
//! HTTP/1.1 only (what Prometheus and other scrapers speak over plain TCP).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use promdecl::{Registry, RegistryError};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::connection::{
    watchdog, ConnectionMetrics, Reason, Slot, Timeouts, TrackedIo, TrackedService, Tracker,
};
use crate::{
    router, routes, AppState, Config, ConfigError, HttpMetrics, Readiness, ReadinessMetrics,
};

/// Connections beyond [`Config::max_connections`] that are still accepted to answer `/health`
/// (and nothing else), so liveness probes pass while the server is at its limit.
pub const HEALTH_RESERVE: usize = 4;

/// Longest header-read timeout of a reserve connection: a probe sends its request at once.
const RESERVE_HEADER_TIMEOUT: Duration = Duration::from_secs(1);

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
    connections: Arc<ConnectionMetrics>,
}

/// Why a [`Server`] could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// The configuration fails [`Config::validate`].
    Config(ConfigError),
    /// The server's own metrics could not be registered.
    Registry(RegistryError),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Config(e) => e.fmt(f),
            ServerError::Registry(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Config(e) => Some(e),
            ServerError::Registry(e) => Some(e),
        }
    }
}

impl From<ConfigError> for ServerError {
    fn from(e: ConfigError) -> Self {
        ServerError::Config(e)
    }
}

impl From<RegistryError> for ServerError {
    fn from(e: RegistryError) -> Self {
        ServerError::Registry(e)
    }
}

impl Server {
    /// A server for `registry`, once `config` passes [`Config::validate`]; registers its own
    /// request, readiness and connection metrics there.
    pub fn new(registry: Arc<Registry>, config: Config) -> Result<Self, ServerError> {
        config.validate()?;
        let http = registry.register(HttpMetrics::new())?;
        let ready = registry.register(ReadinessMetrics::new())?;
        let connections = registry.register(ConnectionMetrics::new())?;
        let state = AppState::new(registry, config)
            .with_http_metrics(http)
            .with_readiness_metrics(ready);
        Ok(Self { state, connections })
    }

    /// The readiness checks behind `/ready`.
    pub fn readiness(&self) -> &Arc<Readiness> {
        &self.state.readiness
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish
    /// within [`Config::shutdown_deadline`], drops the connections still open then, and
    /// returns. Raises the open-file soft limit first ([`raise_open_files_limit`]).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let config = self.state.config.clone();
        match raise_open_files_limit() {
            Ok(limit) => {
                tracing::info!(limit, "open files limit");
                let needed = config.max_connections.saturating_add(HEALTH_RESERVE + 64) as u64;
                if limit < needed {
                    tracing::warn!(
                        limit,
                        max_connections = config.max_connections,
                        "the open files limit is below max_connections: accepting will fail before the connection limit is reached"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not raise the open files limit"),
        }

        let regular = Listener {
            router: router(self.state.clone()),
            http: http1(config.idle_timeout),
            timeouts: Timeouts {
                header: config.header_read_timeout,
                idle: config.idle_timeout,
            },
            slot: Slot::Regular,
            slots: Arc::new(Semaphore::new(config.max_connections)),
        };
        let reserve = Listener {
            router: routes(self.state.clone(), true),
            http: http1(Duration::ZERO),
            timeouts: Timeouts {
                header: config.header_read_timeout.min(RESERVE_HEADER_TIMEOUT),
                idle: Duration::ZERO,
            },
            slot: Slot::Health,
            slots: Arc::new(Semaphore::new(HEALTH_RESERVE)),
        };
        let shed = Arc::new(Notify::new());
        let graceful = GracefulShutdown::new();
        let mut tasks = JoinSet::new();
        let metrics = self.connections;

        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let stream = tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        accept_failed(e).await;
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let (kind, permit) = if let Some(p) = regular.try_slot() {
                (&regular, p)
            } else {
                // At the limit: free the slots of idle connections for whoever comes next.
                shed.notify_waiters();
                match reserve.try_slot() {
                    Some(p) => (&reserve, p),
                    None => {
                        metrics.closed_connections_total(Reason::Limit).inc();
                        drop(stream);
                        continue;
                    }
                }
            };
            let connection = kind.connection(stream, permit, &metrics, shed.clone());
            let watcher = graceful.watcher();
            tasks.spawn(connection.run(watcher));
        }

        // Stop accepting, ask every connection to close once its request is answered, and
        // drop what is still open at the deadline.
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(config.shutdown_deadline) => {
                let open = tasks.len();
                tracing::warn!(open, "shutdown deadline reached: dropping the connections still open");
                metrics.closed_connections_total(Reason::Shutdown).inc_by(open as u64);
                tasks.abort_all();
            }
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// Largest request head a connection buffers (hyper answers 431 beyond it): with
/// `max_connections` this bounds the memory clients can make the server hold for heads.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// An HTTP/1.1 connection builder; keep-alive only with a non-zero idle timeout. hyper's own
/// header-read timer is off: it also runs between requests (see `connection.rs`).
fn http1(idle_timeout: Duration) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_header_size(MAX_HEAD_BYTES)
        .keep_alive(!idle_timeout.is_zero());
    http
}

/// How one kind of connection (regular, or reserve) is served.
struct Listener {
    router: axum::Router,
    http: hyper::server::conn::http1::Builder,
    timeouts: Timeouts,
    slot: Slot,
    slots: Arc<Semaphore>,
}

impl Listener {
    fn try_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    fn connection(
        &self,
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
        metrics: &Arc<ConnectionMetrics>,
        shed: Arc<Notify>,
    ) -> Connection {
        Connection {
            stream,
            permit,
            router: self.router.clone(),
            http: self.http.clone(),
            timeouts: self.timeouts,
            slot: self.slot,
            metrics: metrics.clone(),
            shed,
        }
    }
}

/// An accepted connection, holding its slot until it ends.
struct Connection {
    stream: TcpStream,
    permit: OwnedSemaphorePermit,
    router: axum::Router,
    http: hyper::server::conn::http1::Builder,
    timeouts: Timeouts,
    slot: Slot,
    metrics: Arc<ConnectionMetrics>,
    shed: Arc<Notify>,
}

impl Connection {
    async fn run(self, watcher: hyper_util::server::graceful::Watcher) {
        let Connection {
            stream,
            permit,
            router,
            http,
            timeouts,
            slot,
            metrics,
            shed,
        } = self;
        let _permit = permit;
        let open = metrics.open_connections(slot);
        open.inc();
        let tracker = Tracker::new();
        let io = TokioIo::new(TrackedIo::new(stream, tracker.clone()));
        let service = TrackedService {
            router,
            tracker: tracker.clone(),
        };
        let served = watcher.watch(http.serve_connection(io, service));
        tokio::select! {
            result = served => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            }
            reason = watchdog(&tracker, timeouts, &shed) => {
                metrics.closed_connections_total(reason).inc();
            }
        }
        open.dec();
    }
}

/// After a failed accept: go on at once when only that connection failed, or pause briefly
/// when the process is out of file descriptors or memory, as Go's `http.Server` does.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    ) {
        return;
    }
    tracing::warn!(error = %e, "accept failed; retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Pending connections the kernel queues before `accept` (`listen(2)`'s backlog). Tokio's
/// `TcpListener::bind` asks for 128, which a burst of scrapers or an attack overflows, and each
/// overflowed client waits a second to retry.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds `addr` with a [`LISTEN_BACKLOG`]-deep accept queue, for [`Server::serve`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let listener = promdecl_server::bind("127.0.0.1:0".parse().unwrap())?;
/// assert!(listener.local_addr()?.port() > 0);
/// # Ok(()) }
/// ```
pub fn bind(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Raises the soft limit on open files (`RLIMIT_NOFILE`) to the hard limit, as Go's runtime
/// does at start, and returns the limit now in force. Each connection takes a file
/// descriptor, and the usual soft limit of 1024 is below the default
/// [`Config::max_connections`] plus everything else a process opens.
///
/// ```
/// # #[cfg(unix)]
/// assert!(promdecl_server::raise_open_files_limit().unwrap() > 0);
/// ```
pub fn raise_open_files_limit() -> std::io::Result<u64> {
    #[cfg(unix)]
    {
        rlimit::increase_nofile_limit(u64::MAX)
    }
    #[cfg(not(unix))]
    {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "open-file limits are raised on Unix only",
        ))
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
