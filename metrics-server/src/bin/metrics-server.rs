//! The default run: every catalog system, live collectors and a built-in workload.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use metrics_core::Registry;
use metrics_server::{collectors, router, workload, AppState, Check};

/// Serve the whole metrics catalog with live collectors and a built-in workload.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "METRICS_LISTEN", default_value = "127.0.0.1:9090")]
    listen: SocketAddr,
    /// A label added to every series, as KEY=VALUE (repeatable). The catalog's own labels
    /// (e.g. CHORUS's `node_id`) cannot be used here.
    #[arg(long = "const-label", env = "METRICS_CONST_LABELS", value_delimiter = ',', value_parser = parse_pair)]
    const_labels: Vec<(String, String)>,
    /// Seconds between process collections (CHORUS's resource interval).
    #[arg(long, env = "METRICS_RESOURCE_INTERVAL", default_value_t = 15)]
    resource_interval: u64,
    /// Milliseconds between workload steps; 0 disables the workload.
    #[arg(long, env = "METRICS_WORKLOAD_MS", default_value_t = 500)]
    workload_ms: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let registry = Arc::new(
        args.const_labels
            .iter()
            .fold(Registry::builder(), |b, (k, v)| b.const_label(k, v))
            .build()?,
    );
    let catalog = metrics_catalog::register_all(&registry)?;
    let process = registry.register(collectors::ProcessMetrics::new())?;
    collectors::spawn_process_collector(
        process,
        Duration::from_secs(args.resource_interval.max(1)),
    );
    if args.workload_ms > 0 {
        workload::spawn(registry.clone(), Duration::from_millis(args.workload_ms));
    }

    let state = AppState::new(registry.clone());
    state.readiness.add(Check::new("catalog", true, move || {
        if catalog.families() > 0 {
            Ok(())
        } else {
            Err("no families registered".into())
        }
    }));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    println!("metrics-server listening on http://{addr}");
    for path in ["/", "/metrics", "/health", "/ready"] {
        println!("  http://{addr}{path}");
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got `{s}`"))
}

/// Resolves on ctrl-c or SIGTERM; axum then lets in-flight requests finish.
async fn shutdown() {
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
