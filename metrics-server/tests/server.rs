//! The standalone server over sockets on 127.0.0.1: header-read and idle timeouts, the
//! connection limit and its `/health` reserve, the shutdown deadline. Every wait is bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use promdecl::Registry;
use promdecl_server::{Check, Config, ConfigError, Server, ServerError, HEALTH_RESERVE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;
use tokio::time::timeout;

const PATIENCE: Duration = Duration::from_secs(10);

struct Running {
    addr: std::net::SocketAddr,
    registry: Arc<Registry>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(registry: Arc<Registry>, config: Config) -> Running {
    start_with(registry, config, |_| {}).await
}

/// Starts a server after `setup` has seen it (to add readiness checks).
async fn start_with(
    registry: Arc<Registry>,
    config: Config,
    setup: impl FnOnce(&Server),
) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(registry.clone(), config).unwrap();
    setup(&server);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Running {
        addr,
        registry,
        stop,
        task,
    }
}

impl Running {
    async fn stop(self) -> Duration {
        let asked = Instant::now();
        let _ = self.stop.send(());
        timeout(PATIENCE, self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
        asked.elapsed()
    }

    fn exposition(&self) -> String {
        self.registry.encode(promdecl::Format::Text)
    }
}

/// Sends `GET path` and reads the response (head and `Content-Length` body): its status.
async fn get(stream: &mut TcpStream, path: &str) -> std::io::Result<u16> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        if stream.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

/// How long until the server closes `stream` (reads EOF or a reset), at most `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match timeout(
            limit.saturating_sub(started.elapsed()),
            stream.read(&mut buf),
        )
        .await
        {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

async fn connect(addr: std::net::SocketAddr) -> TcpStream {
    timeout(PATIENCE, TcpStream::connect(addr))
        .await
        .unwrap()
        .unwrap()
}

/// `n` connections that each sent the start of a request head and then nothing.
async fn half_heads(addr: std::net::SocketAddr, n: usize, head: &[u8]) -> Vec<TcpStream> {
    let mut held = Vec::new();
    for _ in 0..n {
        let mut s = connect(addr).await;
        s.write_all(head).await.unwrap();
        held.push(s);
    }
    // Let the server accept them all.
    tokio::time::sleep(Duration::from_millis(100)).await;
    held
}

#[tokio::test]
async fn a_slow_head_is_closed_but_a_kept_alive_connection_may_idle_longer() {
    let server = start(
        Arc::new(Registry::new()),
        Config {
            header_read_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(1500),
            ..Config::default()
        },
    )
    .await;

    // Nothing sent: closed by the header-read timeout.
    let mut silent = connect(server.addr).await;
    let took = closed_within(&mut silent, PATIENCE).await.expect("closed");
    assert!(
        took < Duration::from_secs(3),
        "silent closed after {took:?}"
    );

    // Half a head, then nothing: closed too.
    let mut half = connect(server.addr).await;
    half.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let took = closed_within(&mut half, PATIENCE).await.expect("closed");
    assert!(
        took < Duration::from_secs(3),
        "half head closed after {took:?}"
    );

    // A kept-alive connection idles past the header-read timeout and serves again.
    let mut kept = connect(server.addr).await;
    assert_eq!(get(&mut kept, "/health").await.unwrap(), 200);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(get(&mut kept, "/health").await.unwrap(), 200);
    // Then the idle timeout closes it.
    let took = closed_within(&mut kept, PATIENCE).await.expect("closed");
    assert!(
        took > Duration::from_millis(1000) && took < Duration::from_secs(5),
        "idle closed after {took:?}"
    );

    let text = server.exposition();
    assert!(
        text.contains("http_server_closed_connections_total{reason=\"header_timeout\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("http_server_closed_connections_total{reason=\"idle_timeout\"} 1\n"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test]
async fn at_the_connection_limit_health_answers_and_the_excess_is_closed() {
    let limit = 2;
    let server = start(
        Arc::new(Registry::new()),
        Config {
            max_connections: limit,
            header_read_timeout: Duration::from_secs(30),
            ..Config::default()
        },
    )
    .await;
    // Fill the regular slots with connections that are mid-request.
    let holding = half_heads(server.addr, limit, b"GET /metrics HTTP/1.1\r\n").await;

    // The reserve answers /health, and only that.
    let mut probe = connect(server.addr).await;
    assert_eq!(get(&mut probe, "/health").await.unwrap(), 200);
    let mut probe = connect(server.addr).await;
    assert_eq!(get(&mut probe, "/metrics").await.unwrap(), 503);

    // Fill the reserve too: the next connection is closed at once.
    let reserve = half_heads(server.addr, HEALTH_RESERVE, b"GET /health HTTP/1.1\r\n").await;
    let mut excess = connect(server.addr).await;
    let took = closed_within(&mut excess, Duration::from_secs(5))
        .await
        .expect("the excess connection is closed");
    assert!(took < Duration::from_secs(2), "closed after {took:?}");
    assert!(
        server
            .exposition()
            .contains("http_server_closed_connections_total{reason=\"limit\"} 1\n"),
        "{}",
        server.exposition()
    );

    // Once they leave, the server serves again.
    drop((holding, reserve));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut s = connect(server.addr).await;
        if let Ok(200) = get(&mut s, "/metrics").await {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no /metrics after the excess left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn at_the_limit_idle_connections_are_shed_for_newcomers() {
    let server = start(
        Arc::new(Registry::new()),
        Config {
            max_connections: 2,
            ..Config::default()
        },
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut s = connect(server.addr).await;
        assert_eq!(get(&mut s, "/health").await.unwrap(), 200);
        idle.push(s);
    }
    // A third connection lands in the reserve and sheds the two idle ones.
    let mut third = connect(server.addr).await;
    assert_eq!(get(&mut third, "/health").await.unwrap(), 200);
    for s in &mut idle {
        assert!(
            closed_within(s, Duration::from_secs(5)).await.is_some(),
            "an idle connection is shed"
        );
    }
    let mut next = connect(server.addr).await;
    assert_eq!(get(&mut next, "/metrics").await.unwrap(), 200);
    assert!(server
        .exposition()
        .contains("http_server_closed_connections_total{reason=\"shed\"} 2\n"));
    server.stop().await;
}

#[tokio::test]
async fn the_shutdown_deadline_drops_what_is_still_in_flight() {
    let started = Arc::new(Notify::new());
    let signal = started.clone();
    let server = start_with(
        Arc::new(Registry::new()),
        Config {
            shutdown_deadline: Duration::from_millis(300),
            request_timeout: Duration::from_secs(60),
            ..Config::default()
        },
        move |server| {
            // A check that never answers holds `/ready` in flight.
            server.readiness().add(
                Check::new_async("stuck", true, move || {
                    signal.notify_one();
                    std::future::pending()
                })
                .with_timeout(Duration::from_secs(60)),
            );
        },
    )
    .await;
    let mut in_flight = connect(server.addr).await;
    in_flight
        .write_all(b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    timeout(PATIENCE, started.notified())
        .await
        .expect("the request reached its check");
    let took = server.stop().await;
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(5),
        "serve returned {took:?} after the shutdown signal"
    );
    assert!(
        closed_within(&mut in_flight, Duration::from_secs(5))
            .await
            .is_some(),
        "the in-flight connection is dropped"
    );
}

#[test]
fn a_bad_configuration_is_refused_before_serving() {
    let err = Server::new(
        Arc::new(Registry::new()),
        Config {
            metrics_path: "/ready".into(),
            ..Config::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, ServerError::Config(ConfigError::MetricsPath { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("`/ready`"), "{err}");
}

#[tokio::test]
async fn an_oversized_head_is_refused_and_large_responses_still_flow() {
    let server = start(Arc::new(Registry::new()), Config::default()).await;
    let mut big = connect(server.addr).await;
    let filler = "x".repeat(100 * 1024);
    let head = format!("GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: {filler}\r\n\r\n");
    let _ = big.write_all(head.as_bytes()).await;
    let mut answer = vec![0u8; 12];
    let status = match timeout(PATIENCE, big.read_exact(&mut answer)).await {
        Ok(Ok(_)) => String::from_utf8_lossy(&answer[9..12]).into_owned(),
        _ => "closed".into(),
    };
    assert_eq!(status, "431");
    // The exposition itself is not bounded by the head limit.
    let mut scrape = connect(server.addr).await;
    assert_eq!(get(&mut scrape, "/").await.unwrap(), 200);
    server.stop().await;
}
