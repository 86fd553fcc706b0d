//! The demo against a real Prometheus (Debian's 2.42), in the formats Prometheus asks for when
//! its features are on: protobuf with native histograms, OpenMetrics with exemplars. Bounded
//! in time, loopback only, every process stopped by PID.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, Child, Prometheus, Scratch};

/// Everything must have happened within this long after Prometheus is up.
const DEADLINE: Duration = Duration::from_secs(60);

/// The demo serving one system on a free port, and its address.
fn demo() -> (Child, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_promdecl-demo"))
        .args([
            "--system",
            "chorus",
            "--listen",
            &addr,
            "--workload-ms",
            "200",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the demo starts");
    (Child(child), addr)
}

/// Prometheus scraping `addr` every second, with `features` on.
async fn prometheus(scratch: &Scratch, addr: &str, features: &[&str]) -> Prometheus {
    scratch.write(
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n  - job_name: demo\n    static_configs:\n      - targets: ['{addr}']\n"
        ),
    );
    Prometheus::start_with(&scratch.0, features).await
}

/// A client request to the demo, in a trace.
async fn traced_request(client: &reqwest::Client, addr: &str, trace_id: &str) -> bool {
    let traceparent = format!("00-{trace_id}-00f067aa0ba902b7-01");
    client
        .get(format!("http://{addr}/health"))
        .header("traceparent", traceparent)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_native_histograms_over_protobuf() {
    if !tests::require_tool("prometheus", "apt-get install -y prometheus") {
        return;
    }
    let (_demo, addr) = demo();
    let scratch = Scratch::new("live-native");
    let prometheus = prometheus(&scratch, &addr, &["native-histograms"]).await;
    let deadline = Instant::now() + DEADLINE;
    // Every scrape is a request the demo's HTTP metrics time, into a native histogram.
    let query = "histogram_count(rate(http_server_request_duration_seconds[1m]))";
    let found = prometheus.eventually(query, deadline).await;
    assert!(
        found,
        "no data for {query}; scrape target: {:?}",
        prometheus.api("targets", &[]).await["activeTargets"]
    );
    let result = prometheus.query(query).await;
    let value: f64 = result[0]["value"][1].as_str().unwrap().parse().unwrap();
    assert!(value > 0.0, "{result:?}");
    // What the generated dashboards ask of a histogram with classic and native buckets
    // answers from the native series here.
    use promdecl::Metrics;
    let latency = promdecl_server::HttpMetrics::FAMILIES
        .iter()
        .find(|f| f.name == "http_server_request_duration_seconds")
        .expect("the latency family");
    for query in [
        promdecl_gen::promql::quantile_query(latency, "0.9", &[], "1m", str::to_string),
        promdecl_gen::promql::count_rate_query(latency, &[], "1m", str::to_string),
    ] {
        assert!(query.contains(" or "), "both forms: {query}");
        assert!(
            !prometheus.query(&query).await.is_empty(),
            "no data for {query}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_stores_exemplars_with_the_trace_ids_sent() {
    if !tests::require_tool("prometheus", "apt-get install -y prometheus") {
        return;
    }
    let (_demo, addr) = demo();
    let scratch = Scratch::new("live-exemplars");
    let prometheus = prometheus(&scratch, &addr, &["exemplar-storage"]).await;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + DEADLINE;
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 60;
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let mut seen = false;
    while !seen && Instant::now() < deadline {
        assert!(
            traced_request(&client, &addr, trace_id).await,
            "the demo answers"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let end = start + 600;
        let data = prometheus
            .api(
                "query_exemplars",
                &[
                    ("query", "http_server_requests_total"),
                    ("start", &start.to_string()),
                    ("end", &end.to_string()),
                ],
            )
            .await;
        seen = data.as_array().into_iter().flatten().any(|series| {
            series["exemplars"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["labels"]["trace_id"] == trace_id)
        });
    }
    assert!(
        seen,
        "no exemplar with trace id {trace_id} stored by Prometheus"
    );
}
