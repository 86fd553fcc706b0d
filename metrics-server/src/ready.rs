//! Readiness: named component checks, critical or not, each bounded by a timeout. `/ready` is
//! 503 when a critical check fails or times out; results are also exported as metrics.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use promdecl::{Gauge, Histogram, Metrics};

use crate::AppState;

/// How long a check may take when none is given.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// How a check finds its answer.
#[derive(Clone)]
enum Probe {
    /// A blocking call, run on the blocking pool.
    Blocking(Arc<dyn Fn() -> Result<(), String> + Send + Sync>),
    /// A future, run on the runtime.
    Async(Arc<dyn Fn() -> CheckFuture + Send + Sync>),
}

/// One component check: blocking ([`Check::new`]) or async ([`Check::new_async`]), bounded by
/// a timeout either way.
///
/// ```
/// use std::time::Duration;
/// use promdecl_server::Check;
///
/// let db = Check::new_async("database", true, || async {
///     // e.g. `pool.acquire().await.map(drop).map_err(|e| e.to_string())`
///     Ok(())
/// })
/// .with_timeout(Duration::from_millis(500));
/// let disk = Check::new("scratch-disk", false, || std::fs::metadata("/tmp").map(drop).map_err(|e| e.to_string()));
/// ```
#[derive(Clone)]
pub struct Check {
    /// Component name.
    pub name: String,
    /// Whether a failure makes the service unready.
    pub critical: bool,
    /// A check that has not answered by then counts as failed.
    pub timeout: Duration,
    probe: Probe,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("critical", &self.critical)
            .finish()
    }
}

impl Check {
    /// A check named `name` that runs `probe` (on the blocking pool) with [`DEFAULT_CHECK_TIMEOUT`].
    pub fn new(
        name: impl Into<String>,
        critical: bool,
        probe: impl Fn() -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        Self::with_probe(name.into(), critical, Probe::Blocking(Arc::new(probe)))
    }

    /// A check named `name` that awaits the future `probe` returns, with
    /// [`DEFAULT_CHECK_TIMEOUT`]; for checks that talk to async clients (pools, HTTP).
    pub fn new_async<F>(
        name: impl Into<String>,
        critical: bool,
        probe: impl Fn() -> F + Send + Sync + 'static,
    ) -> Self
    where
        F: Future<Output = Result<(), String>> + Send + 'static,
    {
        let probe = Probe::Async(Arc::new(move || Box::pin(probe()) as CheckFuture));
        Self::with_probe(name.into(), critical, probe)
    }

    fn with_probe(name: String, critical: bool, probe: Probe) -> Self {
        Self {
            name,
            critical,
            timeout: DEFAULT_CHECK_TIMEOUT,
            probe,
        }
    }

    /// Sets the timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn run(&self) -> Result<(), String> {
        // Spawned either way, so a panicking check is an error, not a dead `/ready`.
        let mut task = match self.probe.clone() {
            Probe::Blocking(probe) => tokio::task::spawn_blocking(move || probe()),
            Probe::Async(probe) => tokio::spawn(probe()),
        };
        match tokio::time::timeout(self.timeout, &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("check panicked".into()),
            Err(_) => {
                // Stops an async check; a blocking one runs on, detached, until it returns.
                task.abort();
                Err(format!("no answer within {:?}", self.timeout))
            }
        }
    }
}

/// Readiness check results as metrics.
#[derive(Debug, Metrics)]
#[metrics(prefix = "readiness")]
pub struct ReadinessMetrics {
    /// 1 when the component check passed at the last evaluation, else 0
    #[metric(gauge, labels = [check, critical: bool], max_series = 100)]
    pub check_healthy: Gauge,
    /// Time a component check took
    #[metric(histogram, labels = [check], max_series = 100, buckets = promdecl::buckets::LATENCY)]
    pub check_duration_seconds: Histogram,
}

/// The set of checks behind `/ready`.
#[derive(Debug, Default)]
pub struct Readiness {
    checks: Mutex<Vec<Check>>,
    metrics: Option<Arc<ReadinessMetrics>>,
}

impl Readiness {
    /// Checks whose results are also recorded into `metrics`.
    pub fn with_metrics(metrics: Arc<ReadinessMetrics>) -> Self {
        Self {
            checks: Mutex::new(Vec::new()),
            metrics: Some(metrics),
        }
    }

    /// Adds a check.
    pub fn add(&self, check: Check) {
        if let Ok(mut c) = self.checks.lock() {
            c.push(check);
        }
    }

    /// Runs every check concurrently: `(ready, per-check JSON)`.
    pub async fn evaluate(&self) -> (bool, serde_json::Value) {
        let checks = self.checks.lock().map(|c| c.clone()).unwrap_or_default();
        // Spawned so the checks run at once; each is bounded by its own timeout.
        let handles: Vec<_> = checks
            .into_iter()
            .map(|c| {
                tokio::spawn(async move {
                    let start = Instant::now();
                    let result = c.run().await;
                    (c, result, start.elapsed())
                })
            })
            .collect();
        let mut results = Vec::with_capacity(handles.len());
        for h in handles {
            if let Ok(r) = h.await {
                results.push(r);
            }
        }
        let mut ready = true;
        let mut detail = Vec::new();
        for (c, result, took) in results {
            ready &= result.is_ok() || !c.critical;
            if let Some(m) = &self.metrics {
                m.check_healthy(&c.name, c.critical)
                    .set(if result.is_ok() { 1.0 } else { 0.0 });
                m.check_duration_seconds(&c.name)
                    .observe(took.as_secs_f64());
            }
            detail.push(serde_json::json!({
                "name": c.name,
                "critical": c.critical,
                "healthy": result.is_ok(),
                "error": result.err(),
                "duration_seconds": took.as_secs_f64(),
            }));
        }
        (
            ready,
            serde_json::json!({ "ready": ready, "checks": detail }),
        )
    }
}

pub(crate) async fn handler(State(state): State<AppState>) -> impl IntoResponse {
    let (ready, body) = state.readiness.evaluate().await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
