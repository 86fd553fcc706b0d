//! The server over real sockets on 127.0.0.1: validators, auth, shutdown, concurrency, and a
//! real Prometheus scraping it.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use promdecl::{AnyFamily, Counter, FamilyDesc, Format, Metrics, Registry};
use promdecl_catalog::workload;
use promdecl_server::{collectors, Auth, Config, Server};
use reqwest::StatusCode;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod common;

const OPENMETRICS: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

struct Running {
    base: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("server stops")
            .unwrap()
            .unwrap();
    }
}

async fn start(registry: Arc<Registry>, config: Config) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = Server::new(registry, config).unwrap();
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(server.serve(listener, async move {
        let _ = rx.await;
    }));
    Running {
        base,
        stop: Some(tx),
        task,
    }
}

fn catalog_registry() -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let mut drives = workload::start(&registry, None).unwrap();
    workload::run(&mut drives, 3, 1.0);
    registry
}

#[tokio::test]
async fn scrapes_over_a_socket_pass_python_and_promtool_and_auth_guards_metrics() {
    let registry = catalog_registry();
    collectors::start(&registry).unwrap();
    let server = start(
        registry,
        Config {
            auth: Some(Auth::Bearer("s3cret".into())),
            ..Config::default()
        },
    )
    .await;
    let client = reqwest::Client::new();
    let url = format!("{}/metrics", server.base);

    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let wrong = client.get(&url).bearer_auth("s3cres").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    // Only the exposition is guarded.
    assert_eq!(
        client
            .get(format!("{}/health", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let text = client.get(&url).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(text.status(), StatusCode::OK);
    assert_eq!(text.headers()["content-type"], Format::Text.content_type());
    let text = text.text().await.unwrap();
    assert!(text.contains("# TYPE chorus_dht_put_operations_total counter"));
    assert!(text.contains("# TYPE process_resident_memory_bytes gauge"));

    let om = client
        .get(&url)
        .bearer_auth("s3cret")
        .header("accept", OPENMETRICS)
        .send()
        .await
        .unwrap();
    assert_eq!(
        om.headers()["content-type"],
        Format::OpenMetrics.content_type()
    );
    let om = om.text().await.unwrap();
    assert!(om.ends_with("# EOF\n"));

    if let Some(parsed) = tests::python_parse(&text, Format::Text) {
        assert!(parsed.unwrap().len() > 200);
    }
    if let Some(parsed) = tests::python_parse(&om, Format::OpenMetrics) {
        assert!(parsed.unwrap().len() > 200);
    }
    if let Some(result) = tests::promtool_check_metrics(&text) {
        let out = match result {
            Ok(o) | Err(o) => o,
        };
        // Only lint findings on names the seed documents force (see promdecl-catalog's tests).
        assert!(
            !out.lines()
                .any(|l| l.contains("error") || l.contains("parse")),
            "{out}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn gzip_when_the_client_accepts_it() {
    let server = start(catalog_registry(), Config::default()).await;
    let resp = reqwest::Client::new()
        .get(format!("{}/metrics", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let body = resp.bytes().await.unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip magic");
    server.stop().await;
}

/// A metrics struct whose scrape blocks until released, to hold a scrape in flight.
struct Blocking {
    started: Mutex<mpsc::Sender<()>>,
    release: Mutex<mpsc::Receiver<()>>,
}

impl Metrics for Blocking {
    const FAMILIES: &'static [FamilyDesc] = &[];
    fn visit(&self, _: &mut dyn FnMut(&dyn AnyFamily)) {
        let _ = self.started.lock().unwrap().send(());
        let _ = self
            .release
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(10));
    }
}

#[tokio::test]
async fn graceful_shutdown_completes_an_in_flight_scrape() {
    let registry = catalog_registry();
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    registry
        .register(Blocking {
            started: Mutex::new(started_tx),
            release: Mutex::new(release_rx),
        })
        .unwrap();
    let server = start(registry, Config::default()).await;
    let url = format!("{}/metrics", server.base);
    let scrape = tokio::spawn(async move { reqwest::get(url).await.unwrap() });
    tokio::task::spawn_blocking(move || started_rx.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("scrape reached the registry");
    let Running { stop, task, .. } = server;
    stop.unwrap().send(()).unwrap();
    release_tx.send(()).unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(10), scrape)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("chorus_dht_put_operations_total"));
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("server stopped")
        .unwrap()
        .unwrap();
}

#[derive(Debug, Metrics)]
struct Hammered {
    /// Updates made during the burst
    #[metric(counter, labels = [worker = [a, b]])]
    updates_total: Counter,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_concurrent_scrapes_while_writers_update_gets_no_errors() {
    let registry = Arc::new(Registry::new());
    let hammered = registry.register(Hammered::new()).unwrap();
    let server = start(
        registry,
        Config {
            max_concurrent_scrapes: 2,
            ..Config::default()
        },
    )
    .await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = hammered_labels::Worker::ALL
        .into_iter()
        .map(|w| {
            let (h, stop) = (hammered.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    h.updates_total(w).inc();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let client = reqwest::Client::new();
    let scrapes: Vec<_> = (0..64)
        .map(|i| {
            let (client, url) = (client.clone(), format!("{}/metrics", server.base));
            tokio::spawn(async move {
                let req = client.get(url);
                let req = if i % 2 == 0 {
                    req.header("accept", OPENMETRICS)
                } else {
                    req
                };
                let resp = req.send().await.unwrap();
                (resp.status(), i % 2 == 0, resp.text().await.unwrap())
            })
        })
        .collect();
    for s in scrapes {
        let (status, om, body) = s.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("updates_total{worker=\"a\"}"));
        assert_eq!(body.ends_with("# EOF\n"), om);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let last = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let total: u64 = last
        .lines()
        .filter(|l| l.starts_with("updates_total{"))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        total, written,
        "every increment made during the burst is exposed"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_the_server() {
    if !tests::require_tool("prometheus", "apt-get install -y prometheus") {
        return;
    }
    let registry = Arc::new(Registry::new());
    let drives = workload::start(&registry, Some("chorus")).unwrap();
    collectors::start(&registry).unwrap();
    workload::spawn(drives, Duration::from_millis(100));
    let server = start(registry, Config::default()).await;
    let target = server.base.trim_start_matches("http://").to_string();

    let dir = common::Scratch::new("served");
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: promdecl-server\n    static_configs:\n      - targets: ['{target}']\n"
    );
    std::fs::write(dir.0.join("prometheus.yml"), config).unwrap();
    let prometheus = common::Prometheus::start(&dir.0).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    // Some CPU work, so the process CPU counter visibly moves within the window.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let burning = done.clone();
    let burn = std::thread::spawn(move || {
        let mut x = 0u64;
        while !burning.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
            let until = Instant::now() + Duration::from_millis(50);
            while Instant::now() < until {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let wanted = [
        "up{job=\"promdecl-server\"} == 1",
        "process_resident_memory_bytes > 0",
        "chorus_dht_put_operations_total > 0",
        // The standard process metrics, as a stock process dashboard queries them.
        "increase(process_cpu_seconds_total[10s]) > 0",
        "(time() - process_start_time_seconds) > -5 and (time() - process_start_time_seconds) < 3600",
        "process_open_fds > 0 and process_open_fds <= process_max_fds",
        "process_threads > 0",
    ];
    let mut missing: Vec<&str> = wanted.to_vec();
    while !missing.is_empty() && Instant::now() < deadline {
        let mut still = Vec::new();
        for q in missing {
            if prometheus.query(q).await.is_empty() {
                still.push(q);
            }
        }
        missing = still;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        missing.is_empty(),
        "Prometheus returned no data for {missing:?}"
    );
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    burn.join().unwrap();
    drop(prometheus);
    server.stop().await;
}
