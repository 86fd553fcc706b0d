//! Pushing to a real Pushgateway (Debian's `prometheus-pushgateway`, started per test on a free
//! port, in memory) and reading back what it serves; and retry behaviour against a closed port
//! and a stub gateway that counts requests.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use promdecl::{Counter, Gauge, Metrics, Registry};
use promdecl_server::{PushError, PushFormat, Pusher};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GATEWAY: &str = "prometheus-pushgateway";

/// A running Pushgateway, killed (by its PID, through its `Child`) on drop.
struct Gateway {
    child: Child,
    addr: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Gateway {
    /// Starts a gateway, or `None` when it is not installed (skipped locally, fails in CI).
    async fn start() -> Option<Gateway> {
        if !tests::require_tool(GATEWAY, "apt-get install -y prometheus-pushgateway") {
            return None;
        }
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(GATEWAY)
            .arg(format!("--web.listen-address={addr}"))
            // Empty: metrics only in memory, nothing written under /var/lib.
            .arg("--persistence.file=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus-pushgateway");
        let gateway = Gateway { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok((200, _)) = get(&gateway.addr, "/-/ready").await {
                return Some(gateway);
            }
            assert!(
                Instant::now() < deadline,
                "pushgateway on {} did not answer within 20 s",
                gateway.addr
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The gateway's own `/metrics`: every pushed series, with `job` and grouping labels.
    async fn metrics(&self) -> String {
        let (status, body) = get(&self.addr, "/metrics").await.expect("scrape gateway");
        assert_eq!(status, 200, "{body}");
        body
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A plain HTTP/1.0 GET: status and body.
async fn get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_owned()))
}

/// The value of the series `name{labels}` in a text exposition (labels sorted, as the
/// Pushgateway writes them).
fn value(text: &str, name: &str, labels: &str) -> Option<f64> {
    let prefix = format!("{name}{{{labels}}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.parse().unwrap())
}

/// Whether any series of family `name` is served.
fn has_family(text: &str, name: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
}

#[derive(Metrics)]
struct Batch {
    /// Jobs processed
    #[metric(counter)]
    jobs_processed_total: Counter,
    /// When the job last succeeded
    #[metric(gauge)]
    last_success_timestamp_seconds: Gauge,
}

#[derive(Metrics)]
struct Copy {
    /// Rows copied
    #[metric(counter)]
    rows_copied_total: Counter,
}

#[derive(Metrics)]
struct Batch2 {
    /// Jobs processed
    #[metric(counter)]
    jobs_processed_total: Counter,
}

const GROUP: &str = r#"instance="host-1",job="push_job""#;

fn batch(processed: u64, last: f64) -> Registry {
    let registry = Registry::new();
    let b = registry.register(Batch::new()).unwrap();
    b.jobs_processed_total().inc_by(processed);
    b.last_success_timestamp_seconds().set(last);
    registry
}

fn copy(rows: u64) -> Registry {
    let registry = Registry::new();
    registry
        .register(Copy::new())
        .unwrap()
        .rows_copied_total()
        .inc_by(rows);
    registry
}

#[tokio::test]
async fn put_replaces_the_group_post_replaces_same_names_delete_removes_it() {
    let Some(gw) = Gateway::start().await else {
        return;
    };
    let pusher = Pusher::new(&gw.url(), "push_job")
        .unwrap()
        .grouping("instance", "host-1");

    // PUT (protobuf, start timestamps included): the series appear with job and grouping.
    pusher.push(&batch(7, 1234.0)).await.unwrap();
    let m = gw.metrics().await;
    assert_eq!(value(&m, "jobs_processed_total", GROUP), Some(7.0), "{m}");
    assert_eq!(
        value(&m, "last_success_timestamp_seconds", GROUP),
        Some(1234.0)
    );

    // A second PUT with other families replaces the whole group.
    pusher.push(&copy(40)).await.unwrap();
    let m = gw.metrics().await;
    assert_eq!(value(&m, "rows_copied_total", GROUP), Some(40.0), "{m}");
    assert!(!has_family(&m, "jobs_processed_total"), "{m}");
    assert!(!has_family(&m, "last_success_timestamp_seconds"), "{m}");

    // POST adds new families and replaces same-named ones, keeping the others.
    pusher.push_add(&batch(3, 99.0)).await.unwrap();
    let m = gw.metrics().await;
    assert_eq!(value(&m, "rows_copied_total", GROUP), Some(40.0), "{m}");
    assert_eq!(value(&m, "jobs_processed_total", GROUP), Some(3.0));
    let again = Registry::new();
    again
        .register(Batch2::new())
        .unwrap()
        .jobs_processed_total()
        .inc_by(5);
    pusher.push_add(&again).await.unwrap();
    let m = gw.metrics().await;
    assert_eq!(value(&m, "jobs_processed_total", GROUP), Some(5.0), "{m}");
    assert_eq!(
        value(&m, "last_success_timestamp_seconds", GROUP),
        Some(99.0)
    );
    assert_eq!(value(&m, "rows_copied_total", GROUP), Some(40.0));

    // DELETE removes the group.
    pusher.delete().await.unwrap();
    let m = gw.metrics().await;
    for family in [
        "jobs_processed_total",
        "rows_copied_total",
        "last_success_timestamp_seconds",
    ] {
        assert!(!has_family(&m, family), "{family} left after delete:\n{m}");
    }
}

#[tokio::test]
async fn text_format_base64_grouping_and_selected_families() {
    let Some(gw) = Gateway::start().await else {
        return;
    };
    // A value with `/` and an empty one go in the base64 form; the gateway decodes them.
    let pusher = Pusher::new(&gw.url(), "push_job")
        .unwrap()
        .grouping("path", "/var/backups")
        .grouping("empty", "")
        .format(PushFormat::Text);
    pusher.push(&batch(11, 5.0)).await.unwrap();
    let m = gw.metrics().await;
    // The gateway writes the empty value, and an empty `instance` when the group has none.
    let labels = r#"empty="",instance="",job="push_job",path="/var/backups""#;
    assert_eq!(value(&m, "jobs_processed_total", labels), Some(11.0), "{m}");

    // Only the selected family is pushed (PUT: the group now holds it alone).
    let selected = Pusher::new(&gw.url(), "push_job")
        .unwrap()
        .grouping("instance", "host-1");
    selected
        .push_families(&batch(2, 77.0), &["last_success_timestamp_seconds"])
        .await
        .unwrap();
    let m = gw.metrics().await;
    assert_eq!(
        value(&m, "last_success_timestamp_seconds", GROUP),
        Some(77.0),
        "{m}"
    );
    assert_eq!(value(&m, "jobs_processed_total", GROUP), None, "{m}");
    let err = selected
        .push_families(&batch(2, 77.0), &["no_such_family"])
        .await
        .unwrap_err();
    assert!(matches!(err, PushError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("no_such_family"), "{err}");
}

#[tokio::test]
async fn a_refused_push_names_the_gateway_status_and_answer() {
    let Some(gw) = Gateway::start().await else {
        return;
    };
    let pusher = Pusher::new(&gw.url(), "push_job").unwrap();
    pusher.push(&batch(1, 1.0)).await.unwrap();
    // Same name, other type, in another group: the gateway's consistency check refuses it.
    #[derive(Metrics)]
    struct Clash {
        /// Jobs processed
        #[metric(gauge, allow_reserved_suffix)]
        jobs_processed_total: Gauge,
    }
    let clash = Registry::new();
    clash.register(Clash::new()).unwrap();
    let other = Pusher::new(&gw.url(), "other_job").unwrap();
    let err = other.push(&clash).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST), "{err}");
    let message = err.to_string();
    let expected = format!(
        "pushgateway {} refused the push (400 Bad Request): ",
        gw.url()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert!(message.contains("jobs_processed_total"), "{message}");
}

#[tokio::test]
async fn a_closed_port_fails_after_the_retries() {
    let port = free_port();
    let gateway = format!("http://127.0.0.1:{port}");
    let pusher = Pusher::new(&gateway, "push_job")
        .unwrap()
        .retries(3, Duration::from_millis(10))
        .timeout(Duration::from_secs(2));
    let err = tokio::time::timeout(Duration::from_secs(30), pusher.push(&batch(1, 1.0)))
        .await
        .expect("bounded by timeout and retries")
        .unwrap_err();
    match &err {
        PushError::Unreachable { attempts, .. } => assert_eq!(*attempts, 3),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&gateway), "{message}");
    assert!(message.contains("after 3 attempt(s)"), "{message}");
}

/// A stub gateway answering every request with `status`, counting them.
async fn stub(status: StatusCode) -> (String, Arc<AtomicU32>) {
    let count = Arc::new(AtomicU32::new(0));
    let seen = count.clone();
    let app = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            (status, "stub says no")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, count)
}

#[tokio::test]
async fn a_4xx_is_not_retried_and_a_5xx_is() {
    let (url, count) = stub(StatusCode::UNAUTHORIZED).await;
    let pusher = Pusher::new(&url, "push_job")
        .unwrap()
        .retries(3, Duration::from_millis(1));
    let err = pusher.push(&batch(1, 1.0)).await.unwrap_err();
    assert!(matches!(err, PushError::Refused { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("pushgateway {url} refused the push (401 Unauthorized): stub says no")
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let (url, count) = stub(StatusCode::SERVICE_UNAVAILABLE).await;
    let pusher = Pusher::new(&url, "push_job")
        .unwrap()
        .retries(3, Duration::from_millis(1));
    let err = pusher.delete().await.unwrap_err();
    assert!(
        matches!(err, PushError::ServerError { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("503 Service Unavailable"), "{err}");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}
