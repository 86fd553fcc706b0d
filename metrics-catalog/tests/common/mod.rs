//! Helpers shared by the integration tests: scratch directories, and a real Prometheus for the
//! live tests, started on a free loopback port with a configuration of the test's making,
//! queried over its HTTP API, and killed (by PID) when dropped.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the process it holds when dropped, so a failing test leaves nothing behind.
#[derive(Debug)]
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free port on 127.0.0.1 (the listener is closed again, so a child can take it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A scratch directory for one test, removed when dropped (a failing test leaves nothing
/// behind either).
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh directory named after `name` and this process, since other test runs may share
    /// the temporary directory.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("promdecl-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Self(dir)
    }

    /// Writes `contents` to the file `name` in the directory; returns its path.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("scratch file");
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running Prometheus.
#[derive(Debug)]
pub struct Prometheus {
    _child: Child,
    pub base: String,
    client: reqwest::Client,
}

impl Prometheus {
    /// Starts Prometheus with `config` (a `prometheus.yml` already written in `dir`), storing
    /// its data under `dir`, and waits until it answers (at most 30 s).
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, &[]).await
    }

    /// [`start`](Self::start) with feature flags (`native-histograms`, `exemplar-storage`).
    pub async fn start_with(dir: &Path, features: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new("prometheus")
            .args(features.iter().map(|f| format!("--enable-feature={f}")))
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus starts");
        let prometheus = Self {
            _child: Child(child),
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let ready = prometheus
                .client
                .get(format!("{}/-/ready", prometheus.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return prometheus;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("Prometheus did not become ready within 30 s");
    }

    /// `GET /api/v1/<path>` with `query` parameters: the `data` of the answer.
    pub async fn api(&self, path: &str, query: &[(&str, &str)]) -> serde_json::Value {
        let resp = self
            .client
            .get(format!("{}/api/v1/{path}", self.base))
            .query(query)
            .send()
            .await;
        let Ok(resp) = resp else {
            return serde_json::Value::Null;
        };
        let text = resp.text().await.unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        json["data"].clone()
    }

    /// The result of an instant query (empty on an error).
    pub async fn query(&self, q: &str) -> Vec<serde_json::Value> {
        self.api("query", &[("query", q)]).await["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The error of a query Prometheus rejects, if it does.
    pub async fn query_error(&self, q: &str) -> Option<String> {
        let resp = self
            .client
            .get(format!("{}/api/v1/query", self.base))
            .query(&[("query", q)])
            .send()
            .await
            .ok()?;
        let json: serde_json::Value = serde_json::from_str(&resp.text().await.ok()?).ok()?;
        (json["status"] != "success").then(|| json["error"].to_string())
    }

    /// Waits until `q` returns data or `deadline` passes; whether it did.
    pub async fn eventually(&self, q: &str, deadline: Instant) -> bool {
        loop {
            if !self.query(q).await.is_empty() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
