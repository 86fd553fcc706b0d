//! One connection of the standalone server: where it is in its life (reading a request head,
//! busy with requests, idle between them) and the watchdog that closes it when a head takes too
//! long, when it idles too long, or when idle connections are shed at the connection limit.
//!
//! Why not hyper's own `header_read_timeout`: hyper starts that timer whenever it waits for a
//! request head, which includes the whole keep-alive wait between requests, so it would close
//! every idle connection after the header-read timeout and leave no room for a longer idle
//! timeout. Here the header timer starts at accept and, on a kept-alive connection, at the
//! first byte of the next request (Go's `ReadHeaderTimeout` and `IdleTimeout`).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::Router;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use promdecl::{Counter, Gauge, Metrics};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use tower::ServiceExt;

/// Connection metrics of the standalone [`Server`](crate::Server), which registers them.
#[derive(Debug, Metrics)]
#[metrics(prefix = "http_server")]
pub struct ConnectionMetrics {
    /// Connections open now, by slot: regular, or the reserve that only answers /health
    #[metric(gauge, labels = [slot = [regular, health]])]
    pub open_connections: Gauge,
    /// Connections the server closed itself, by reason
    #[metric(counter, labels = [reason = [limit, header_timeout, idle_timeout, shed, shutdown]])]
    pub closed_connections_total: Counter,
}

pub(crate) use connection_metrics_labels::{Reason, Slot};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request head to complete, since then.
    Head(Instant),
    /// This many requests in progress (their responses not yet fully written).
    Busy(u32),
    /// Between requests, since then.
    Idle(Instant),
}

/// The phase of one connection, updated by its IO and its service, read by its watchdog.
#[derive(Debug)]
pub(crate) struct Tracker {
    phase: watch::Sender<Phase>,
}

impl Tracker {
    /// A connection accepted now: its first request head is due.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            phase: watch::Sender::new(Phase::Head(Instant::now())),
        })
    }

    /// Bytes arrived: on an idle connection, the next request head has begun.
    fn on_read(&self) {
        self.phase.send_if_modified(|p| match p {
            Phase::Idle(_) => {
                *p = Phase::Head(Instant::now());
                true
            }
            _ => false,
        });
    }

    fn request_started(&self) {
        self.phase.send_modify(|p| {
            *p = match *p {
                Phase::Busy(n) => Phase::Busy(n + 1),
                _ => Phase::Busy(1),
            }
        });
    }

    fn request_finished(&self) {
        self.phase.send_modify(|p| {
            *p = match *p {
                Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
                _ => Phase::Idle(Instant::now()),
            }
        });
    }
}

/// The timeouts a connection's watchdog enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub header: Duration,
    pub idle: Duration,
}

/// Resolves, with the reason, when the connection should be closed: its request head is late,
/// it has idled too long, or idle connections are being shed. Never while requests are in
/// progress (the request timeout bounds those).
pub(crate) async fn watchdog(tracker: &Tracker, timeouts: Timeouts, shed: &Notify) -> Reason {
    let mut phase = tracker.phase.subscribe();
    loop {
        let now = *phase.borrow_and_update();
        let (deadline, reason) = match now {
            Phase::Head(since) => (Some(since + timeouts.header), Reason::HeaderTimeout),
            Phase::Idle(since) => (Some(since + timeouts.idle), Reason::IdleTimeout),
            Phase::Busy(_) => (None, Reason::IdleTimeout),
        };
        let expired = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let shed_now = shed.notified();
        tokio::select! {
            changed = phase.changed() => {
                if changed.is_err() {
                    // The tracker is gone: so is the connection.
                    return std::future::pending().await;
                }
            }
            () = expired => {
                if !phase.has_changed().unwrap_or(false) {
                    return reason;
                }
            }
            () = shed_now, if matches!(now, Phase::Idle(_)) => {
                if !phase.has_changed().unwrap_or(false) {
                    return Reason::Shed;
                }
            }
        }
    }
}

/// The socket, telling the tracker when bytes arrive.
#[derive(Debug)]
pub(crate) struct TrackedIo {
    stream: TcpStream,
    tracker: Arc<Tracker>,
}

impl TrackedIo {
    pub(crate) fn new(stream: TcpStream, tracker: Arc<Tracker>) -> Self {
        Self { stream, tracker }
    }
}

impl AsyncRead for TrackedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.tracker.on_read();
        }
        result
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// The router as hyper's service, marking each request busy until its response body is
/// written (or dropped).
#[derive(Debug, Clone)]
pub(crate) struct TrackedService {
    pub router: Router,
    pub tracker: Arc<Tracker>,
}

type ServiceFuture =
    Pin<Box<dyn Future<Output = Result<Response<TrackedBody>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for TrackedService {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = ServiceFuture;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let busy = Busy::new(self.tracker.clone());
        let router = self.router.clone();
        Box::pin(async move {
            let response = router.oneshot(req.map(Body::new)).await?;
            Ok(response.map(|body| TrackedBody { body, _busy: busy }))
        })
    }
}

/// One request in progress; finished when dropped.
#[derive(Debug)]
struct Busy(Arc<Tracker>);

impl Busy {
    fn new(tracker: Arc<Tracker>) -> Self {
        tracker.request_started();
        Self(tracker)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// A response body that keeps its request marked busy until hyper has written it.
#[derive(Debug)]
pub(crate) struct TrackedBody {
    body: Body,
    _busy: Busy,
}

impl http_body::Body for TrackedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
