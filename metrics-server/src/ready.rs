//! Readiness: named component checks, critical or not; `/ready` is 503 when a critical one fails.

use std::fmt;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use std::sync::Mutex;

use crate::AppState;

/// One component check.
#[derive(Clone)]
pub struct Check {
    /// Component name.
    pub name: String,
    /// Whether a failure makes the service unready.
    pub critical: bool,
    probe: Arc<dyn Fn() -> Result<(), String> + Send + Sync>,
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
    /// A check named `name` that runs `probe`.
    pub fn new(
        name: impl Into<String>,
        critical: bool,
        probe: impl Fn() -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            critical,
            probe: Arc::new(probe),
        }
    }
}

/// The set of checks behind `/ready`.
#[derive(Debug, Default)]
pub struct Readiness {
    checks: Mutex<Vec<Check>>,
}

impl Readiness {
    /// Adds a check.
    pub fn add(&self, check: Check) {
        if let Ok(mut c) = self.checks.lock() {
            c.push(check);
        }
    }

    /// Runs every check: `(ready, per-check JSON)`.
    pub fn evaluate(&self) -> (bool, serde_json::Value) {
        let checks = self.checks.lock().map(|c| c.clone()).unwrap_or_default();
        let mut ready = true;
        let detail: Vec<serde_json::Value> = checks
            .iter()
            .map(|c| {
                let result = (c.probe)();
                if result.is_err() && c.critical {
                    ready = false;
                }
                serde_json::json!({
                    "name": c.name,
                    "critical": c.critical,
                    "healthy": result.is_ok(),
                    "error": result.err(),
                })
            })
            .collect();
        (
            ready,
            serde_json::json!({ "ready": ready, "checks": detail }),
        )
    }
}

pub(crate) async fn handler(State(state): State<AppState>) -> impl IntoResponse {
    let (ready, body) = state.readiness.evaluate();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}
